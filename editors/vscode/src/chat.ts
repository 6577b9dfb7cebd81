// The `@electra` chat participant: proofreads the prompt (or the editor selection) with the
// server's `electraLsp.proofread` command and answers in Markdown. The chat API is stable from
// VS Code 1.90 while the engine stays ^1.82 (@types/vscode 1.82 has no `chat`), so the subset
// used is typed here, the API is feature-detected, and `vscode` is passed in, which also lets
// the unit tests inject a stand-in. No `vscode` import.
import { CHAT_PARTICIPANT, COMMANDS, SERVER_COMMANDS } from './constants';

type Disposable = { dispose(): unknown };
type CancellationToken = { readonly isCancellationRequested: boolean };
type Position = { readonly line: number; readonly character: number };
type Range = { readonly start: Position; readonly end: Position };
type TextDocument = {
  readonly uri: { toString(): string };
  getText(range?: Range): string;
};
type TextEditor = { readonly document: TextDocument; readonly selection: Range & { readonly isEmpty: boolean } };
type WorkspaceEdit = { replace(uri: TextDocument['uri'], range: Range, newText: string): void };

export type ChatRequest = { readonly prompt: string; readonly command?: string };
export type ChatResponseStream = {
  markdown(value: string): void;
  button(command: { command: string; title: string; arguments?: unknown[] }): void;
  progress?(value: string): void;
};
export type ChatHandler = (
  request: ChatRequest,
  context: unknown,
  stream: ChatResponseStream,
  token: CancellationToken,
) => Promise<void>;

export type VscodeApi = {
  chat?: { createChatParticipant?(id: string, handler: ChatHandler): Disposable };
  window: {
    readonly activeTextEditor: TextEditor | undefined;
    showWarningMessage(message: string): PromiseLike<unknown>;
  };
  workspace: {
    readonly textDocuments: readonly TextDocument[];
    applyEdit(edit: WorkspaceEdit): PromiseLike<boolean>;
  };
  Range: new (startLine: number, startCharacter: number, endLine: number, endCharacter: number) => Range;
  WorkspaceEdit: new () => WorkspaceEdit;
};

/** What the participant needs of the LanguageClient. */
export type RequestSender = {
  sendRequest(method: string, params: unknown, token?: CancellationToken): Promise<unknown>;
};

export const EXECUTE_COMMAND = 'workspace/executeCommand'; // ExecuteCommandRequest.method

export type Suggestion = { text: string; probability: number; score: number };
export type Finding = {
  start: number; // UTF-16 offsets into the text sent, like JavaScript strings
  end: number;
  original: string;
  suggestions: Suggestion[];
  score: number;
  explanation: string;
  autoFix: boolean;
};
export type Proofread = { corrected: string; findings: Finding[]; model?: string };

/** The chat button's argument: where the text came from and what replaces it. */
export type SelectionEdit = { uri: string; range: Range; original: string; corrected: string };

const MESSAGES = {
  usage:
    '请在 `@electra` 后面输入或粘贴要校对的中文，例如 `@electra 帮我检查：他以经把依赖按装好了。`，' +
    '或先在编辑器里选中文字再问。\n\nType or paste Chinese text after `@electra`, or select text in ' +
    'an editor first.',
  notRunning:
    'Electra LSP 服务器没有运行；请看状态栏的「错别字」，或运行 “Electra LSP: Restart Server”。\n\n' +
    'The electra-lsp server is not running; see the 错别字 status bar item.',
  loading: '模型还在加载，请稍等片刻再问一次。\n\nThe models are still loading; please ask again in a moment.',
  malformed: '服务器的回答无法识别（版本不匹配？）。The server sent an answer this extension does not understand.',
  noFindings: '未发现错别字。No typos found.',
  changed:
    'Electra LSP: 选中的文字已经改变（或文档已关闭），没有替换；请重新校对。' +
    'The selected text changed (or its document was closed) since it was checked; nothing was replaced.',
  notApplied: 'Electra LSP: 没能替换选中的文字。VS Code did not apply the replacement.',
};

/** Registers `@electra` when this VS Code has the chat API; returns whether it did. */
export function registerChatParticipant(
  context: { subscriptions: Disposable[] },
  client: () => RequestSender | undefined,
  api: VscodeApi,
): boolean {
  const chat = api.chat;
  if (typeof chat?.createChatParticipant !== 'function') {
    return false;
  }
  try {
    const participant = chat.createChatParticipant(CHAT_PARTICIPANT, (request, _context, stream, token) =>
      answer(request, stream, token, client(), api),
    );
    context.subscriptions.push(participant);
    return true;
  } catch {
    // Before 1.90 the API sat behind the `chatParticipant` proposal: calling it throws.
    return false;
  }
}

// A leading instruction ends at the first colon. Only a short prefix that names the task
// counts, so that the text itself (`他说：…`) is never cut.
const INSTRUCTION = /^[^：:\n]{0,20}[：:]/;
const TASK_WORD = /检查|校对|校正|纠错|改错|改正|错别字|错字|proofread|check|fix|correct|typo/i;

/** The text to proofread in a prompt: without a leading instruction or a fence around it. */
export function promptText(prompt: string): string {
  let text = prompt;
  const instruction = INSTRUCTION.exec(text)?.[0];
  if (instruction !== undefined && TASK_WORD.test(instruction)) {
    text = text.slice(instruction.length);
  }
  text = text.trim();
  // The server skips code blocks in Markdown, so a pasted text inside one is unwrapped.
  const fenced = /^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n?\1$/.exec(text);
  return fenced ? fenced[2] : text;
}

type Source = { text: string; selection?: Omit<SelectionEdit, 'corrected'> };

function requestSource(prompt: string, editor: TextEditor | undefined): Source | undefined {
  const text = promptText(prompt);
  if (text.length > 0) {
    return { text };
  }
  if (editor === undefined || editor.selection.isEmpty) {
    return undefined;
  }
  const { document, selection } = editor;
  const selected = document.getText(selection);
  if (selected.trim().length === 0) {
    return undefined;
  }
  // Sent as selected (not trimmed): the button replaces exactly this range.
  const range = {
    start: { line: selection.start.line, character: selection.start.character },
    end: { line: selection.end.line, character: selection.end.character },
  };
  return { text: selected, selection: { uri: document.uri.toString(), range, original: selected } };
}

async function answer(
  request: ChatRequest,
  stream: ChatResponseStream,
  token: CancellationToken,
  client: RequestSender | undefined,
  api: VscodeApi,
): Promise<void> {
  const source = requestSource(request.prompt, api.window.activeTextEditor);
  if (source === undefined) {
    stream.markdown(MESSAGES.usage);
    return;
  }
  if (client === undefined) {
    stream.markdown(MESSAGES.notRunning);
    return;
  }
  stream.progress?.('正在校对… Proofreading…');
  let result: unknown;
  try {
    result = await client.sendRequest(
      EXECUTE_COMMAND,
      { command: SERVER_COMMANDS.proofread, arguments: [{ text: source.text, kind: 'markdown' }] },
      token,
    );
  } catch (error) {
    if (!token.isCancellationRequested) {
      stream.markdown(describeError(error));
    }
    return;
  }
  if (token.isCancellationRequested) {
    return;
  }
  const serverError = fieldsOf(result)?.error;
  if (typeof serverError === 'string') {
    stream.markdown(describeError(new Error(serverError)));
    return;
  }
  const proofread = parseProofread(result, source.text);
  if (proofread === undefined) {
    stream.markdown(MESSAGES.malformed);
    return;
  }
  stream.markdown(request.command === 'fix' ? codeBlock(proofread.corrected) : renderCheck(source.text, proofread));
  if (source.selection && proofread.findings.length > 0 && proofread.corrected !== source.text) {
    const edit: SelectionEdit = { ...source.selection, corrected: proofread.corrected };
    stream.button({ command: COMMANDS.applyProofreading, title: '替换选中的文字 Replace the selection', arguments: [edit] });
  }
}

/** A friendly reply for a failed request (the server answers with an error while loading). */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === -32002 || /loading|加载中|正在加载|not (yet )?ready/i.test(message)) {
    return MESSAGES.loading; // -32002: ServerNotInitialized
  }
  if (/not running|connection (got )?(closed|disposed)/i.test(message)) {
    return MESSAGES.notRunning;
  }
  return `校对失败 Proofreading failed: ${escapeMarkdown(message)}`;
}

function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The server's answer, checked; findings outside `text` are dropped, undefined if unusable. */
export function parseProofread(result: unknown, text: string): Proofread | undefined {
  const fields = fieldsOf(result);
  if (fields === undefined || typeof fields.corrected !== 'string' || !Array.isArray(fields.findings)) {
    return undefined;
  }
  const findings: Finding[] = [];
  for (const item of fields.findings) {
    const f = fieldsOf(item);
    if (!f || !Number.isInteger(f.start) || !Number.isInteger(f.end)) {
      continue;
    }
    const start = f.start as number;
    const end = f.end as number;
    if (start < 0 || end < start || end > text.length) {
      continue;
    }
    const suggestions = (Array.isArray(f.suggestions) ? f.suggestions : [])
      .map(fieldsOf)
      .filter((s): s is Record<string, unknown> => typeof s?.text === 'string')
      .map((s) => ({
        text: s.text as string,
        probability: isNumber(s.probability) ? s.probability : 0,
        score: isNumber(s.score) ? s.score : 0,
      }));
    findings.push({
      start,
      end,
      original: typeof f.original === 'string' ? f.original : text.slice(start, end),
      suggestions,
      score: isNumber(f.score) ? f.score : 0,
      explanation: typeof f.explanation === 'string' ? f.explanation : '',
      autoFix: f.autoFix === true,
    });
  }
  findings.sort((a, b) => a.start - b.start);
  const model = typeof fields.model === 'string' ? fields.model : undefined;
  return { corrected: fields.corrected, findings, ...(model ? { model } : {}) };
}

/** Backslash-escapes inline Markdown syntax, so that a text renders as written. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>~|$&]/g, '\\$&');
}

/** Escapes what would start a block at the start of a line: heading, list, setext underline. */
function escapeLineStart(line: string): string {
  return line.replace(/^(\d+)([.)])/, '$1\\$2').replace(/^([#+=-])/, '\\$1');
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) {
    longest = Math.max(longest, run.length);
  }
  return longest;
}

/** A fenced block ready to copy, whatever backticks the text holds. */
export function codeBlock(text: string): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return `${fence}text\n${text}${text.endsWith('\n') ? '' : '\n'}${fence}\n`;
}

function codeSpan(text: string): string {
  const ticks = '`'.repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

const WORDY = /^[\p{L}\p{N}]+$/u;

// The written character struck through and the fix in bold (他~~以~~**已**经): it reads like a
// proofreader's edit in the Chat view and keeps the sentence readable. CommonMark ignores
// emphasis delimiters next to punctuation or spaces in some positions (common in Chinese),
// so such a span falls back to a code span, which always renders.
function mark(original: string, fix: string | undefined): string {
  if (fix === undefined) {
    return WORDY.test(original) ? `**${original}**` : codeSpan(original);
  }
  return WORDY.test(original) && WORDY.test(fix) ? `~~${original}~~**${fix}**` : codeSpan(`${original}→${fix}`);
}

/** The text as Markdown with each finding marked; a finding whose span does not hold its
 * `original` (offsets in other units) is listed but not marked rather than mis-marked. */
export function markText(text: string, findings: Finding[]): string {
  let marked = '';
  let position = 0;
  for (const finding of findings) {
    if (finding.start < position || text.slice(finding.start, finding.end) !== finding.original) {
      continue;
    }
    marked += escapeMarkdown(text.slice(position, finding.start)) + mark(finding.original, finding.suggestions[0]?.text);
    position = finding.end;
  }
  marked += escapeMarkdown(text.slice(position));
  // Keep the lines: hard breaks, and no leading spaces that would make an indented code block.
  return marked
    .split(/\r?\n/)
    .map((line) => escapeLineStart(line.replace(/^[ \t]+/, '')))
    .join('  \n');
}

/** `1. 以 → 已（或 己、意）· 概率 0.97 · reason` */
export function findingLine(number: number, finding: Finding): string {
  const [best, ...others] = finding.suggestions.map((s) => escapeMarkdown(s.text));
  const alternatives = others.length > 0 ? `（或 ${others.join('、')}）` : '';
  const explanation = finding.explanation.replace(/\s+/g, ' ').trim();
  return (
    `${number}. ${escapeMarkdown(finding.original)} → ${best ?? '?'}${alternatives}` +
    ` · 概率 ${finding.score.toFixed(2)}` +
    (explanation ? ` · ${escapeMarkdown(explanation)}` : '')
  );
}

/** The `/check` reply (also the default): marked text, corrected text, one line per finding. */
export function renderCheck(text: string, proofread: Proofread): string {
  const { findings } = proofread;
  if (findings.length === 0) {
    return MESSAGES.noFindings;
  }
  const count = findings.length;
  return [
    `发现 ${count} 处疑似错别字（${count} possible typo${count === 1 ? '' : 's'}）：`,
    markText(text, findings),
    '改正后（corrected）：',
    codeBlock(proofread.corrected).trimEnd(),
    findings.map((finding, index) => findingLine(index + 1, finding)).join('\n'),
    ...(proofread.model ? [`模型 model: ${escapeMarkdown(proofread.model)}`] : []),
  ].join('\n\n');
}

function isSelectionEdit(value: unknown): value is SelectionEdit {
  const f = fieldsOf(value);
  const range = fieldsOf(f?.range);
  const point = (p: unknown): boolean => isNumber(fieldsOf(p)?.line) && isNumber(fieldsOf(p)?.character);
  return (
    f !== undefined &&
    typeof f.uri === 'string' &&
    typeof f.original === 'string' &&
    typeof f.corrected === 'string' &&
    range !== undefined &&
    point(range.start) &&
    point(range.end)
  );
}

/** The chat button: replaces the checked selection with the corrected text, only when that
 * range of that document still holds the text that was checked. */
export async function applyProofreading(api: VscodeApi, target: unknown): Promise<void> {
  if (!isSelectionEdit(target)) {
    return; // only the chat button calls this, with a SelectionEdit
  }
  const { start, end } = target.range;
  const range = new api.Range(start.line, start.character, end.line, end.character);
  const document = api.workspace.textDocuments.find((doc) => doc.uri.toString() === target.uri);
  // The text in the range, not the document version, decides: an edit elsewhere in the file
  // does not make the correction wrong; a changed or shifted selection does.
  if (document === undefined || document.getText(range) !== target.original) {
    void api.window.showWarningMessage(MESSAGES.changed);
    return;
  }
  const edit = new api.WorkspaceEdit();
  edit.replace(document.uri, range, target.corrected);
  if (!(await api.workspace.applyEdit(edit))) {
    void api.window.showWarningMessage(MESSAGES.notApplied);
  }
}
