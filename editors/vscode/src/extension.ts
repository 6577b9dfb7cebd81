// VS Code glue: start electra-lsp over stdio, keep its settings in sync, expose the palette
// commands and show the server's state in the status bar. All decisions that do not need the
// editor live in the pure modules beside this one (unit-tested with plain Node).
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  State as ClientState,
  WorkspaceEdit,
} from 'vscode-languageclient/node';
import {
  COMMANDS,
  INSTALL_HINT,
  LANGUAGES,
  SECTION,
  SERVER_COMMANDS,
  STATUS_NOTIFICATION,
  documentSelector,
} from './constants';
import { findExecutable, notFoundMessage, serverCommand } from './serverCommand';
import { Properties, serverSettingNames, serverSettings, stripClientOnly } from './settings';
import { Snapshot, StatusTracker, presentStatus, summarizeStatus } from './status';
import { describeCheckResult, describeFixResult, isWorkspaceEdit } from './results';
import { applyProofreading, registerChatParticipant } from './chat';

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Electra LSP');
  const item = vscode.window.createStatusBarItem(
    'electraLsp.status',
    vscode.StatusBarAlignment.Right,
    100,
  );
  item.name = 'Electra LSP';
  item.command = COMMANDS.showStatus;
  const tracker = new StatusTracker((snapshot) => {
    renderStatus(item, snapshot);
    updateVisibility();
  });
  const properties = context.extension.packageJSON.contributes.configuration.properties as Properties;
  controller = new ServerController(output, tracker, serverSettingNames(properties));
  const active = controller;

  const handlers: Record<keyof typeof COMMANDS, (...args: unknown[]) => Promise<void>> = {
    checkDocument: () => active.checkDocument(),
    fixAll: () => active.fixAll(),
    restartServer: () => active.restart(),
    showStatus: () => active.showStatus(),
    applyProofreading: (target) => applyProofreading(vscode, target),
  };
  for (const [key, id] of Object.entries(COMMANDS) as [keyof typeof COMMANDS, string][]) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handlers[key]));
  }

  // Shown for the documents the server checks, and always while there is an error to report.
  function updateVisibility(): void {
    const language = vscode.window.activeTextEditor?.document.languageId;
    const relevant = language !== undefined && (LANGUAGES as readonly string[]).includes(language);
    if (relevant || tracker.snapshot.state === 'error') {
      item.show();
    } else {
      item.hide();
    }
  }
  context.subscriptions.push(
    output,
    item,
    active,
    vscode.window.onDidChangeActiveTextEditor(updateVisibility),
    vscode.workspace.onDidChangeConfiguration((event) => {
      // Server settings reach the running server through workspace/didChangeConfiguration;
      // a different server command needs a new process.
      if (event.affectsConfiguration(`${SECTION}.server`)) {
        void active.restart();
      }
    }),
  );
  renderStatus(item, tracker.snapshot);
  updateVisibility();
  // Before starting the server: a chat request may be what activated the extension. Skipped
  // where this VS Code has no chat API (engine ^1.82, chat participants are 1.90+).
  registerChatParticipant(context, () => active.currentClient(), vscode);
  await active.start();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}

function renderStatus(item: vscode.StatusBarItem, snapshot: Snapshot): void {
  const { text, tooltip } = presentStatus(snapshot);
  item.text = text;
  item.tooltip = tooltip;
  item.backgroundColor =
    snapshot.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private stopping = false;

  constructor(
    private readonly output: vscode.OutputChannel,
    private readonly tracker: StatusTracker,
    private readonly settingNames: string[],
  ) {}

  private currentServerSettings(): Record<string, unknown> {
    const config = vscode.workspace.getConfiguration(SECTION);
    return serverSettings(this.settingNames, (name) => config.get(name));
  }

  async start(): Promise<void> {
    const config = vscode.workspace.getConfiguration(SECTION);
    const { command, args } = serverCommand(config.get('server.path'), config.get('server.args'));
    const executable = findExecutable(command);
    if (executable === undefined) {
      const message = notFoundMessage(command);
      this.tracker.set('error', message);
      this.output.appendLine(`Electra LSP: ${message}`);
      void this.offerInstallHelp(`Electra LSP: ${message}`);
      return;
    }
    this.tracker.set('starting', `Starting ${executable} ${args.join(' ')}`);
    const client = new LanguageClient(
      SECTION, // also the prefix of the `electraLsp.trace.server` setting
      'Electra LSP',
      { command: executable, args, options: { env: process.env } },
      this.clientOptions(),
    );
    client.onDidChangeState(({ newState }) => {
      if (newState === ClientState.Running && this.tracker.snapshot.state === 'starting') {
        this.tracker.set('ready', 'Server running');
      } else if (newState === ClientState.Stopped && !this.stopping) {
        this.tracker.set('error', 'The language server stopped; see the "Electra LSP" output.');
      }
    });
    client.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
      if (!this.tracker.onStatusNotification(params)) {
        this.output.appendLine(`Ignored malformed ${STATUS_NOTIFICATION}: ${JSON.stringify(params)}`);
      }
    });
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      const message = `The language server failed to start: ${errorMessage(error)}`;
      this.tracker.set('error', message);
      const choice = await vscode.window.showErrorMessage(`Electra LSP: ${message}`, 'Show Output');
      if (choice === 'Show Output') {
        this.output.show();
      }
    }
  }

  private clientOptions(): LanguageClientOptions {
    return {
      documentSelector: documentSelector(),
      synchronize: { configurationSection: SECTION },
      initializationOptions: () => this.currentServerSettings(),
      outputChannel: this.output,
      middleware: {
        workspace: {
          // Answer workspace/configuration without the client-only `server` / `trace` keys.
          configuration: async (params, token, next) => {
            const result = await next(params, token);
            if (!Array.isArray(result)) {
              return result;
            }
            return result.map((value, index) =>
              params.items[index]?.section === SECTION ? stripClientOnly(value) : value,
            );
          },
          // Push the server's settings only (the default would send the whole section).
          didChangeConfiguration: async () => {
            await this.client?.sendNotification(DidChangeConfigurationNotification.type, {
              settings: { [SECTION]: this.currentServerSettings() },
            });
          },
        },
        handleWorkDoneProgress: (token, params, next) => {
          this.tracker.onProgress(token, params);
          next(token, params);
        },
      },
    };
  }

  private async offerInstallHelp(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(
      message,
      'Open Settings',
      'Copy Install Command',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server`);
    } else if (choice === 'Copy Install Command') {
      await vscode.env.clipboard.writeText(INSTALL_HINT);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) {
      return;
    }
    this.stopping = true;
    try {
      if (client.isRunning()) {
        await client.stop();
      }
      await client.dispose();
    } catch (error) {
      this.output.appendLine(`Stopping the language server failed: ${errorMessage(error)}`);
    } finally {
      this.stopping = false;
      this.tracker.set('stopped', 'Server stopped');
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  dispose(): void {
    void this.stop();
  }

  /** The running client, if any (the chat participant reports the reason itself). */
  currentClient(): LanguageClient | undefined {
    return this.client?.isRunning() ? this.client : undefined;
  }

  /** The running client, or undefined after telling the user why there is none. */
  private runningClient(): LanguageClient | undefined {
    if (this.client?.isRunning()) {
      return this.client;
    }
    const reason = this.tracker.snapshot.message || 'the language server is not running';
    void vscode.window
      .showErrorMessage(`Electra LSP: ${reason}`, 'Restart Server')
      .then((choice) => (choice ? this.restart() : undefined));
    return undefined;
  }

  private activeDocument(): vscode.TextDocument | undefined {
    const document = vscode.window.activeTextEditor?.document;
    if (document && (LANGUAGES as readonly string[]).includes(document.languageId)) {
      return document;
    }
    void vscode.window.showWarningMessage('Electra LSP: open a Markdown or plain text document first.');
    return undefined;
  }

  private async execute(
    client: LanguageClient,
    command: string,
    args: unknown[],
  ): Promise<unknown> {
    try {
      return await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
    } catch (error) {
      void vscode.window.showErrorMessage(`Electra LSP: ${command} failed: ${errorMessage(error)}`);
      return undefined;
    }
  }

  async checkDocument(): Promise<void> {
    const document = this.activeDocument();
    const client = document && this.runningClient();
    if (!document || !client) {
      return;
    }
    const uri = client.code2ProtocolConverter.asUri(document.uri);
    const result = await this.execute(client, SERVER_COMMANDS.checkDocument, [uri]);
    const summary = describeCheckResult(result);
    if (summary !== undefined) {
      vscode.window.setStatusBarMessage(`Electra LSP: ${summary}`, 5000);
    }
  }

  async fixAll(): Promise<void> {
    const document = this.activeDocument();
    const client = document && this.runningClient();
    if (!document || !client) {
      return;
    }
    const uri = client.code2ProtocolConverter.asUri(document.uri);
    const result = await this.execute(client, SERVER_COMMANDS.fixAll, [uri]);
    // The server normally applies its edits through workspace/applyEdit; accept a returned
    // WorkspaceEdit as well.
    if (isWorkspaceEdit(result)) {
      const edit = await client.protocol2CodeConverter.asWorkspaceEdit(result as WorkspaceEdit);
      await vscode.workspace.applyEdit(edit);
      return;
    }
    const outcome = describeFixResult(result);
    if (outcome?.isError) {
      void vscode.window.showWarningMessage(`Electra LSP: ${outcome.text}`);
    } else if (outcome !== undefined) {
      vscode.window.setStatusBarMessage(`Electra LSP: ${outcome.text}`, 5000);
    }
  }

  async showStatus(): Promise<void> {
    const client = this.client?.isRunning() ? this.client : undefined;
    const server = client ? await this.execute(client, SERVER_COMMANDS.showStatus, []) : undefined;
    const report = { client: this.tracker.snapshot, server: server ?? null };
    this.output.appendLine(`Status ${new Date().toISOString()}:`);
    this.output.appendLine(JSON.stringify(report, null, 2));
    const { state, message } = this.tracker.snapshot;
    const text = client
      ? `Electra LSP ${state}: ${summarizeStatus(server)}`
      : `Electra LSP ${state}: ${message}`;
    const choice = await vscode.window.showInformationMessage(text, 'Show Output');
    if (choice === 'Show Output') {
      this.output.show();
    }
  }
}
