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
  scripts: Record<string, string>;
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

// -- a stand-in `vscode` for the chat participant (src/chat.ts takes the API as an argument) --

type Point = { line: number; character: number };

export class FakeRange {
  readonly start: Point;
  readonly end: Point;
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.start = { line: startLine, character: startCharacter };
    this.end = { line: endLine, character: endCharacter };
  }
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}

/** A text document: `text` may be changed by a test (version goes up, as in VS Code). */
export class FakeDocument {
  version = 1;
  readonly uri: { toString(): string };
  constructor(uri: string, private content: string) {
    this.uri = { toString: () => uri };
  }
  get text(): string {
    return this.content;
  }
  set text(value: string) {
    this.content = value;
    this.version += 1;
  }
  offsetAt(point: Point): number {
    const lines = this.content.split('\n');
    let offset = 0;
    for (let line = 0; line < point.line && line < lines.length; line += 1) {
      offset += lines[line].length + 1;
    }
    return Math.min(offset + point.character, this.content.length);
  }
  getText(range?: { start: Point; end: Point }): string {
    return range ? this.content.slice(this.offsetAt(range.start), this.offsetAt(range.end)) : this.content;
  }
}

export type Replacement = { uri: string; range: FakeRange; text: string };

export class FakeWorkspaceEdit {
  readonly replacements: Replacement[] = [];
  replace(uri: { toString(): string }, range: FakeRange, text: string): void {
    this.replacements.push({ uri: uri.toString(), range, text });
  }
}

export type ChatHandlerLike = (request: unknown, context: unknown, stream: unknown, token: unknown) => Promise<void>;

export type ChatStandIn = {
  api: {
    chat?: { createChatParticipant?: (id: string, handler: ChatHandlerLike) => { dispose(): void } };
    window: {
      activeTextEditor: { document: FakeDocument; selection: FakeRange } | undefined;
      showWarningMessage: (message: string) => Promise<undefined>;
    };
    workspace: { textDocuments: FakeDocument[]; applyEdit: (edit: FakeWorkspaceEdit) => Promise<boolean> };
    Range: typeof FakeRange;
    WorkspaceEdit: typeof FakeWorkspaceEdit;
  };
  participants: Map<string, ChatHandlerLike>;
  warnings: string[];
  applied: Replacement[];
};

/** `vscode` as the chat participant sees it; `chat: false` is a VS Code without the chat API. */
export function chatStandIn(options: { chat?: boolean; documents?: FakeDocument[] } = {}): ChatStandIn {
  const participants = new Map<string, ChatHandlerLike>();
  const warnings: string[] = [];
  const applied: Replacement[] = [];
  const documents = options.documents ?? [];
  const api: ChatStandIn['api'] = {
    window: {
      activeTextEditor: undefined,
      showWarningMessage: (message) => {
        warnings.push(message);
        return Promise.resolve(undefined);
      },
    },
    workspace: {
      textDocuments: documents,
      applyEdit: (edit) => {
        // Applied back to front so that earlier offsets stay valid.
        for (const r of [...edit.replacements].reverse()) {
          const document = documents.find((doc) => doc.uri.toString() === r.uri);
          if (!document) {
            return Promise.resolve(false);
          }
          const text = document.text;
          document.text = text.slice(0, document.offsetAt(r.range.start)) + r.text + text.slice(document.offsetAt(r.range.end));
          applied.push(r);
        }
        return Promise.resolve(true);
      },
    },
    Range: FakeRange,
    WorkspaceEdit: FakeWorkspaceEdit,
  };
  if (options.chat !== false) {
    api.chat = {
      createChatParticipant: (id, handler) => {
        participants.set(id, handler);
        return { dispose: () => participants.delete(id) };
      },
    };
  }
  return { api, participants, warnings, applied };
}

export type StreamPart = { markdown: string } | { button: { command: string; title: string; arguments?: unknown[] } };

/** ChatResponseStream: records what the participant writes. */
export class FakeStream {
  readonly parts: StreamPart[] = [];
  readonly progressMessages: string[] = [];
  markdown(value: string): void {
    this.parts.push({ markdown: value });
  }
  button(command: { command: string; title: string; arguments?: unknown[] }): void {
    this.parts.push({ button: command });
  }
  progress(value: string): void {
    this.progressMessages.push(value);
  }
  get text(): string {
    return this.parts.map((part) => ('markdown' in part ? part.markdown : '')).join('');
  }
  get buttons(): { command: string; title: string; arguments?: unknown[] }[] {
    return this.parts.flatMap((part) => ('button' in part ? [part.button] : []));
  }
}
