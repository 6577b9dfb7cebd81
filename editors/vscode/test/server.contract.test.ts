// The extension's side of the contract, played against the real electra-lsp server over stdio
// (no VS Code): the command line it builds, the settings it sends (initializationOptions,
// workspace/configuration, didChangeConfiguration), how it reads `electraLsp/status` and the
// "loading models" progress, and the results of the server commands behind the palette and
// the chat participant.
// Needs the repository's Python environment (../../.venv, or ELECTRA_LSP_PYTHON); skipped
// with the reason when there is none.
import { strict as assert } from 'node:assert';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  ApplyWorkspaceEditParams,
  ConfigurationParams,
  PublishDiagnosticsParams,
  ShowMessageParams,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgress,
  WorkDoneProgressCreateParams,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { SECTION, SERVER_COMMANDS, STATUS_NOTIFICATION } from '../src/constants';
import { parseProofread, renderCheck } from '../src/chat';
import { describeCheckResult, describeFixResult } from '../src/results';
import { findExecutable, serverCommand } from '../src/serverCommand';
import { serverSettingNames, serverSettings, stripClientOnly } from '../src/settings';
import { ProgressValue, StatusTracker, summarizeStatus } from '../src/status';
import { EXTENSION_ROOT, readPackageJson } from './helpers';

const python =
  process.env.ELECTRA_LSP_PYTHON ?? path.resolve(EXTENSION_ROOT, '..', '..', '.venv', 'bin', 'python');
const skip = findExecutable(python) === undefined
  ? `no Python environment with electra-lsp at ${python} (run \`make test\` at the top, or set ELECTRA_LSP_PYTHON)`
  : false;

const DOCUMENT = '# 笔记\n\n😀𠀀我和朋有去公园。\n\n```\n朋有\n```\n';

function eventually<T>(what: string, probe: () => T | undefined, ms = 30000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      const value = probe();
      if (value !== undefined) {
        resolve(value);
      } else if (Date.now() - started > ms) {
        reject(new Error(`timed out waiting for ${what}`));
      } else {
        setTimeout(poll, 20);
      }
    };
    poll();
  });
}

test('the client contract against the real server', { skip, timeout: 90000 }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'electra-lsp-contract-'));
  const model = path.join(tmp, 'planted.json');
  fs.writeFileSync(model, JSON.stringify({ name: 'planted', score: 0.97, errors: { 有: { 友: 0.9 } } }));
  const properties = readPackageJson().contributes.configuration.properties;
  const defaults = (name: string): unknown => properties[`${SECTION}.${name}`]?.default;
  const names = serverSettingNames(properties);
  // What VS Code's getConfiguration('electraLsp') holds for an untouched configuration.
  const wholeSection = {
    ...serverSettings(names, defaults),
    server: { path: python, args: ['-m', 'electra_lsp'] },
    trace: { server: 'off' },
  };

  const { command, args } = serverCommand(python, ['-m', 'electra_lsp']);
  assert.deepEqual(args, ['-m', 'electra_lsp', '--stdio']);
  const child = cp.spawn(command, args, {
    cwd: tmp,
    env: { ...process.env, ELECTRA_LSP_SCRIPTED_MODEL: model, XDG_DATA_HOME: tmp },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );

  const states: string[] = [];
  const tracker = new StatusTracker((snapshot) => states.push(snapshot.state));
  const progressTitles: string[] = [];
  const malformed: unknown[] = [];
  const messages: ShowMessageParams[] = [];
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const applied: ApplyWorkspaceEditParams[] = [];
  const configurationAnswers: unknown[] = [];

  connection.onRequest('window/workDoneProgress/create', (params: WorkDoneProgressCreateParams) => {
    connection.onProgress(WorkDoneProgress.type, params.token, (value) => {
      if (value.kind === 'begin') {
        progressTitles.push(value.title);
      }
      tracker.onProgress(params.token, value as ProgressValue);
    });
    return null;
  });
  connection.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
    if (!tracker.onStatusNotification(params)) {
      malformed.push(params);
    }
  });
  // As the extension's configuration middleware answers: the section without client-only keys.
  connection.onRequest('workspace/configuration', (params: ConfigurationParams) => {
    const answer = params.items.map((item) => (item.section === SECTION ? stripClientOnly(wholeSection) : null));
    configurationAnswers.push(...answer);
    return answer;
  });
  connection.onRequest('workspace/applyEdit', (params: ApplyWorkspaceEditParams) => {
    applied.push(params);
    return { applied: true };
  });
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    diagnostics.set(params.uri, params);
  });
  connection.onNotification('window/showMessage', (params: ShowMessageParams) => messages.push(params));
  connection.onNotification('window/logMessage', () => undefined);
  connection.listen();

  try {
    const init = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(tmp).toString(),
      capabilities: {
        window: { workDoneProgress: true },
        workspace: { configuration: true, workspaceEdit: { documentChanges: true } },
        textDocument: { publishDiagnostics: {} },
      },
      initializationOptions: serverSettings(names, defaults),
    });
    const capabilities = (init as { capabilities: Record<string, unknown> }).capabilities;
    const commands = (capabilities.executeCommandProvider as { commands: string[] }).commands;
    for (const id of Object.values(SERVER_COMMANDS)) {
      assert.ok(commands.includes(id), `server does not offer ${id}`);
    }
    await connection.sendNotification('initialized', {});
    await eventually('ready', () => (tracker.snapshot.state === 'ready' ? true : undefined));
    assert.ok(states.includes('loading'), `states: ${states.join(' → ')}`);
    assert.ok(
      progressTitles.some((title) => /loading/i.test(title)),
      `progress titles: ${JSON.stringify(progressTitles)}`,
    );
    assert.deepEqual(malformed, []);
    assert.ok(configurationAnswers.length > 0, 'the server never asked for workspace/configuration');

    // What the didChangeConfiguration middleware sends.
    await connection.sendNotification('workspace/didChangeConfiguration', {
      settings: { [SECTION]: serverSettings(names, defaults) },
    });

    const uri = pathToFileURL(path.join(tmp, 'doc.md')).toString();
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'markdown', version: 1, text: DOCUMENT },
    });
    const published = await eventually('diagnostics', () => {
      const found = diagnostics.get(uri);
      return found && found.diagnostics.length > 0 ? found : undefined;
    });
    assert.equal(published.diagnostics.length, 1, 'the code block must not be flagged');
    // UTF-16: 😀 and 𠀀 are two code units each.
    assert.deepEqual(published.diagnostics[0].range, {
      start: { line: 2, character: 7 },
      end: { line: 2, character: 8 },
    });

    const checked = await connection.sendRequest('workspace/executeCommand', {
      command: SERVER_COMMANDS.checkDocument,
      arguments: [uri],
    });
    assert.equal(describeCheckResult(checked), '1 possible mistake');

    const status = await connection.sendRequest('workspace/executeCommand', {
      command: SERVER_COMMANDS.showStatus,
      arguments: [],
    });
    assert.match(summarizeStatus(status), /loaded .*\(documents: 1, sentencesChecked: \d+/);

    // The chat participant's request (src/chat.ts), and its reading of the answer.
    const message = '😀𠀀我和朋有去公园。';
    const proofread = parseProofread(
      await connection.sendRequest('workspace/executeCommand', {
        command: SERVER_COMMANDS.proofread,
        arguments: [{ text: message, kind: 'markdown' }],
      }),
      message,
    );
    assert.ok(proofread, 'unreadable electraLsp.proofread answer');
    assert.equal(proofread.corrected, '😀𠀀我和朋友去公园。');
    assert.deepEqual(
      proofread.findings.map(({ start, end, original }) => [start, end, original]),
      [[7, 8, '有']], // UTF-16 code units
    );
    assert.ok(renderCheck(message, proofread).includes('😀𠀀我和朋~~有~~**友**去公园。'));

    const fixed = await connection.sendRequest('workspace/executeCommand', {
      command: SERVER_COMMANDS.fixAll,
      arguments: [uri],
    });
    assert.deepEqual(describeFixResult(fixed), { text: 'applied 1 correction', isError: false });
    assert.equal(applied.length, 1);
    assert.match(JSON.stringify(applied[0].edit), /"newText":"友"/);

    assert.deepEqual(
      messages.filter((message) => message.type <= 2),
      [],
      'the server reported errors or warnings about what the client sent',
    );
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    assert.equal(await exited, 0, stderr);
  } finally {
    connection.dispose();
    child.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
