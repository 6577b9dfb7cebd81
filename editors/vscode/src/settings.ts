// Which configuration values go to the server. Pure functions (no `vscode` import) so the unit
// tests run without an editor; the extension passes in VS Code's configuration getter.
import { CLIENT_ONLY_PREFIXES, SECTION } from './constants';

export type SettingSchema = {
  type: string | string[];
  default: unknown;
  description: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  items?: { type: string };
  scope?: string;
};

export type Properties = Record<string, SettingSchema>;

function isClientOnly(name: string): boolean {
  return CLIENT_ONLY_PREFIXES.some((prefix) => name === prefix || name.startsWith(prefix + '.'));
}

/** Server setting names (without the `electraLsp.` prefix) from package.json's properties. */
export function serverSettingNames(properties: Properties): string[] {
  return Object.keys(properties)
    .filter((key) => key.startsWith(SECTION + '.'))
    .map((key) => key.slice(SECTION.length + 1))
    .filter((name) => !isClientOnly(name));
}

/** The `electraLsp` section as the server sees it: every server setting, nothing client-only. */
export function serverSettings(
  names: readonly string[],
  get: (name: string) => unknown,
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const name of names) {
    const value = get(name);
    if (value !== undefined) {
      settings[name] = value;
    }
  }
  return settings;
}

/** A copy of an `electraLsp` section object without the client-only keys (`server`, `trace`). */
export function stripClientOnly(section: unknown): unknown {
  if (section === null || typeof section !== 'object' || Array.isArray(section)) {
    return section;
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    if (!isClientOnly(key)) {
      result[key] = value;
    }
  }
  return result;
}
