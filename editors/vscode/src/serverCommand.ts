// Resolve the command that starts the server, and say clearly what to do when it is missing.
// No `vscode` import: unit-tested with plain Node.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INSTALL_HINT } from './constants';

export const DEFAULT_SERVER_PATH = 'electra-lsp';

export type ServerCommand = { command: string; args: string[] };

/** `electraLsp.server.path` + `electraLsp.server.args` → the process to spawn (stdio transport). */
export function serverCommand(pathSetting: unknown, argsSetting: unknown): ServerCommand {
  let command = typeof pathSetting === 'string' ? pathSetting.trim() : '';
  if (command === '') {
    command = DEFAULT_SERVER_PATH;
  }
  if (command === '~' || command.startsWith('~/')) {
    command = path.join(os.homedir(), command.slice(1));
  }
  const extra = Array.isArray(argsSetting)
    ? argsSetting.filter((arg): arg is string => typeof arg === 'string')
    : [];
  return { command, args: [...extra, '--stdio'] };
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute file `command` runs, or undefined when there is none. A command with a path
 * separator is taken as a path; a bare name is looked up on PATH (with PATHEXT on Windows).
 */
export function findExecutable(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const extensions =
    platform === 'win32'
      ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
      : [''];
  const hasSeparator = command.includes('/') || (platform === 'win32' && command.includes('\\'));
  if (hasSeparator) {
    const file = pathApi.resolve(command);
    return extensions.map((ext) => file + ext).find((f) => isExecutableFile(f, platform));
  }
  const searchPath = env.PATH ?? env.Path ?? '';
  for (const dir of searchPath.split(pathApi.delimiter)) {
    if (dir === '') {
      continue;
    }
    for (const ext of extensions) {
      const file = pathApi.join(dir, command + ext);
      if (isExecutableFile(file, platform)) {
        return file;
      }
    }
  }
  return undefined;
}

/** Why the server cannot start when its command is missing (shown after "Electra LSP: "). */
export function notFoundMessage(command: string): string {
  const where = command.includes('/') || command.includes('\\') ? '' : ' on PATH';
  return (
    `the language server "${command}" was not found${where}. ` +
    `Install it with "${INSTALL_HINT}" (Python 3.10+), then run "Electra LSP: Restart Server"; ` +
    'or set "electraLsp.server.path" to the electra-lsp executable ' +
    '(e.g. <virtualenv>/bin/electra-lsp).'
  );
}
