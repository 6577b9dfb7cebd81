// Loads the extension against a stand-in `vscode` module and activates it with a server command
// that does not exist: every palette command must be registered, and the user must see the
// install instructions and an error in the status bar (no server is spawned). Both the shipped
// esbuild bundle (package.json `main`, out/extension.js) and tsc's out/src/extension.js are
// activated; the bundle must need nothing but `vscode` and Node's built-in modules.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import Module = require('node:module');
import * as path from 'node:path';
import { test } from 'node:test';
import { CHAT_PARTICIPANT, COMMANDS } from '../src/constants';
import { EXTENSION_ROOT, readPackageJson } from './helpers';

type Recorded = {
  commands: string[];
  participants: string[];
  errors: string[];
  statusItems: { text: string; visible: boolean; command?: string }[];
};

/** Anything not modelled explicitly: a constructible, callable, indexable placeholder. */
function placeholder(): unknown {
  const target = function () {} as unknown as object;
  return new Proxy(target, {
    get: (_, key) => (key === 'prototype' ? {} : key === Symbol.toPrimitive ? () => '' : placeholder()),
    apply: () => placeholder(),
    construct: () => placeholder() as object,
  });
}

function fakeVscode(settings: Record<string, unknown>, recorded: Recorded, withChat: boolean): unknown {
  const disposable = { dispose: () => undefined };
  const api: Record<string, unknown> = {
    StatusBarAlignment: { Left: 1, Right: 2 },
    ThemeColor: class {
      constructor(public id: string) {}
    },
    window: {
      activeTextEditor: { document: { languageId: 'markdown' } },
      createOutputChannel: () => ({ appendLine: () => undefined, show: () => undefined, dispose: () => undefined }),
      createStatusBarItem: () => {
        const item = {
          text: '',
          visible: false,
          show: () => (item.visible = true),
          hide: () => (item.visible = false),
          dispose: () => undefined,
        };
        recorded.statusItems.push(item);
        return item;
      },
      showErrorMessage: (message: string) => {
        recorded.errors.push(message);
        return Promise.resolve(undefined);
      },
      onDidChangeActiveTextEditor: () => disposable,
    },
    commands: {
      registerCommand: (id: string) => {
        recorded.commands.push(id);
        return disposable;
      },
      executeCommand: () => Promise.resolve(undefined),
    },
    workspace: {
      getConfiguration: () => ({ get: (name: string) => settings[name] }),
      onDidChangeConfiguration: () => disposable,
    },
    env: { clipboard: { writeText: () => Promise.resolve() } },
    // Present but undefined, as in VS Code < 1.90 (a missing key would get a placeholder).
    chat: withChat
      ? {
          createChatParticipant: (id: string) => {
            recorded.participants.push(id);
            return disposable;
          },
        }
      : undefined,
  };
  return new Proxy(api, { get: (target, key: string) => (key in target ? target[key] : placeholder()) });
}

const ENTRY_POINTS = [
  { name: 'bundle (package.json main)', file: () => readPackageJson().main, bundled: true },
  { name: 'tsc output', file: () => 'out/src/extension.js', bundled: false },
];

for (const entry of ENTRY_POINTS) {
  for (const withChat of [false, true]) {
    test(`${entry.name}, activation with a missing server${withChat ? ', chat API present' : ', no chat API'}: commands registered, install help shown`, async () => {
      const recorded: Recorded = { commands: [], participants: [], errors: [], statusItems: [] };
      const missing = path.join(EXTENSION_ROOT, 'no-such-dir', 'electra-lsp');
      const vscode = fakeVscode({ 'server.path': missing, 'server.args': [] }, recorded, withChat);
      const file = path.join(EXTENSION_ROOT, entry.file());
      assert.ok(fs.existsSync(file), `${entry.file()} missing: run ${entry.bundled ? 'npm run bundle' : 'tsc -p .'}`);
      const requests: string[] = [];
      const moduleApi = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
      const originalLoad = moduleApi._load;
      moduleApi._load = function (request: string, ...rest: unknown[]) {
        requests.push(request);
        return request === 'vscode' ? vscode : originalLoad.call(this, request, ...rest);
      };
      // A fresh load per run: the modules keep the `vscode` they were first loaded with.
      for (const key of Object.keys(require.cache)) {
        if (key === file || key.startsWith(path.join(EXTENSION_ROOT, 'out', 'src')) || key.includes('vscode-languageclient')) {
          delete require.cache[key];
        }
      }
      try {
        const extension = require(file);
        assert.equal(typeof extension.activate, 'function');
        assert.equal(typeof extension.deactivate, 'function');
        if (entry.bundled) {
          const outside = requests.filter((request) => request !== file && request !== 'vscode' && !Module.isBuiltin(request));
          assert.deepEqual(outside, [], 'the bundle must not load anything from node_modules');
          assert.ok(requests.includes('vscode'));
        }
        const subscriptions: { dispose(): unknown }[] = [];
        const context = {
          subscriptions,
          extension: { packageJSON: readPackageJson() },
        };
        await extension.activate(context);
        assert.deepEqual(recorded.commands.sort(), Object.values(COMMANDS).sort());
        assert.deepEqual(recorded.participants, withChat ? [CHAT_PARTICIPANT] : []);
        assert.equal(recorded.errors.length, 1);
        assert.match(recorded.errors[0], /was not found/);
        assert.match(recorded.errors[0], /pip install electra-lsp/);
        assert.match(recorded.errors[0], /electraLsp\.server\.path/);
        const [item] = recorded.statusItems;
        assert.equal(item.text, '$(error) 错别字');
        assert.equal(item.visible, true);
        assert.equal(item.command, COMMANDS.showStatus);
        await extension.deactivate();
      } finally {
        moduleApi._load = originalLoad;
      }
    });
  }
}
