// Names shared by the extension and its tests. No `vscode` import here, so the unit tests can
// load this module with plain Node.

/** The LSP settings section; VS Code settings are `electraLsp.<name>`. */
export const SECTION = 'electraLsp';

/** Settings the client reads itself and never sends to the server (prefixes under SECTION). */
export const CLIENT_ONLY_PREFIXES = ['server', 'trace'] as const;

/** Language ids handed to the server (each for `file` and `untitled` documents). */
export const LANGUAGES = ['markdown', 'plaintext'] as const;
export const SCHEMES = ['file', 'untitled'] as const;

/**
 * Palette commands of this extension. They use the `electra-lsp.` prefix because the server's
 * own commands (`electraLsp.checkDocument`, ...) are registered in VS Code by
 * vscode-languageclient under their exact ids, and two registrations of one id fail.
 */
export const COMMANDS = {
  checkDocument: 'electra-lsp.checkDocument',
  fixAll: 'electra-lsp.fixAll',
  restartServer: 'electra-lsp.restartServer',
  showStatus: 'electra-lsp.showStatus',
  /** The chat reply's "replace the selection" button (hidden from the palette). */
  applyProofreading: 'electra-lsp.applyProofreading',
} as const;

/** The `@electra` chat participant (package.json `contributes.chatParticipants`). */
export const CHAT_PARTICIPANT = 'electra-lsp.proofreader';

/** `workspace/executeCommand` ids the server implements. */
export const SERVER_COMMANDS = {
  checkDocument: 'electraLsp.checkDocument',
  fixAll: 'electraLsp.fixAll',
  showStatus: 'electraLsp.showStatus',
  /** One argument {text, kind}; answers {corrected, findings, model}. */
  proofread: 'electraLsp.proofread',
} as const;

/** Server → client notification: params {state: 'loading'|'ready'|'error', message: string}. */
export const STATUS_NOTIFICATION = 'electraLsp/status';

/**
 * Work-done progress titles that mean "the models are loading" (e.g. "Loading models",
 * "electra-lsp: loading the default models"); other progress leaves the status alone.
 */
export const LOADING_PROGRESS_TITLE = /\bloading\b.*\bmodels?\b/i;

export const INSTALL_HINT = 'pip install electra-lsp';

export type DocumentFilter = { scheme: string; language: string };

export function documentSelector(): DocumentFilter[] {
  return LANGUAGES.flatMap((language) => SCHEMES.map((scheme) => ({ scheme, language })));
}
