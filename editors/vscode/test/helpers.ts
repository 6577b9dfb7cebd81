// Shared by the unit tests: package.json and the extension's source, read from disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Properties } from '../src/settings';

/** editors/vscode, from out/test/ (compiled) or test/ (source). */
export const EXTENSION_ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}out${path.sep}`) ? '../..' : '..');

export type PackageJson = {
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    menus?: { commandPalette?: { command: string; when?: string }[] };
    configuration: { title: string; properties: Properties };
  };
};

export function readPackageJson(): PackageJson {
  return JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8'));
}

export function readSource(name: string): string {
  return fs.readFileSync(path.join(EXTENSION_ROOT, 'src', name), 'utf8');
}
