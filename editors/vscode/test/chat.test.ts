// The `@electra` chat participant against a stand-in `vscode` (test/helpers.ts) and a fake
// language client: registration, what it sends to the server, what it answers, and the
// "replace the selection" button.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ExecuteCommandRequest, ResponseError } from 'vscode-languageserver-protocol';
import {
  RequestSender,
  VscodeApi,
  applyProofreading,
  codeBlock,
  escapeMarkdown,
  promptText,
  registerChatParticipant,
} from '../src/chat';
import { CHAT_PARTICIPANT, COMMANDS } from '../src/constants';
import { ChatStandIn, FakeDocument, FakeRange, FakeStream, chatStandIn, readPackageJson } from './helpers';

const TEXT = '他以经把依赖按装好了。';
const CORRECTED = '他已经把依赖安装好了。';
const REASON = '「以经」不是常用词；「已经」是；同音 (detector 0.06, generator ×2.82e+03, lexicon +7.0 nats)';

/** The server's answer for `text`, with the typos of TEXT wherever they are in it. */
function answerFor(text: string): unknown {
  const at = (char: string): number => text.indexOf(char);
  return {
    corrected: text.replace('以经', '已经').replace('按装', '安装'),
    findings: [
      {
        start: at('以'),
        end: at('以') + 1,
        original: '以',
        suggestions: [
          { text: '已', probability: 0.91, score: 0.973 },
          { text: '己', probability: 0.02, score: 0.1 },
        ],
        score: 0.973,
        explanation: REASON,
        autoFix: true,
      },
      {
        start: at('按'),
        end: at('按') + 1,
        original: '按',
        suggestions: [{ text: '安', probability: 0.8, score: 0.884 }],
        score: 0.884,
        explanation: '「按装」不是常用词；「安装」是',
        autoFix: false,
      },
    ],
    model: 'electra-small-zh+combiner',
  };
}

type Sent = { method: string; params: unknown; token: unknown };

function fakeClient(reply: (params: unknown) => unknown): RequestSender & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    sendRequest: async (method, params, token) => {
      sent.push({ method, params, token });
      return reply(params);
    },
  };
}

const proofreadClient = (): ReturnType<typeof fakeClient> =>
  fakeClient((params) => answerFor((params as { arguments: { text: string }[] }).arguments[0].text));

/** Registers the participant on a stand-in and returns a function that asks it. */
function participant(standIn: ChatStandIn, client: RequestSender | undefined) {
  const subscriptions: { dispose(): unknown }[] = [];
  assert.ok(registerChatParticipant({ subscriptions }, () => client, standIn.api as unknown as VscodeApi));
  assert.equal(subscriptions.length, 1);
  const handler = standIn.participants.get(CHAT_PARTICIPANT);
  assert.ok(handler, 'participant not created');
  return async (prompt: string, command?: string): Promise<FakeStream> => {
    const stream = new FakeStream();
    await handler({ prompt, command }, { history: [] }, stream, { isCancellationRequested: false });
    return stream;
  };
}

/** An editor on `text` with `selected` selected (on the first line that holds it). */
function editorOn(standIn: ChatStandIn, document: FakeDocument, selected: string): FakeRange {
  const lines = document.text.split('\n');
  const line = lines.findIndex((l) => l.includes(selected));
  const character = lines[line].indexOf(selected);
  const selection = new FakeRange(line, character, line, character + selected.length);
  standIn.api.window.activeTextEditor = { document, selection };
  return selection;
}

test('no chat API (VS Code < 1.90): nothing registered, nothing thrown', () => {
  const standIn = chatStandIn({ chat: false });
  const subscriptions: { dispose(): unknown }[] = [];
  assert.equal(registerChatParticipant({ subscriptions }, () => undefined, standIn.api as unknown as VscodeApi), false);
  assert.deepEqual(subscriptions, []);
  // The API present but behind a proposal (1.88–1.89): creating the participant throws.
  const proposal = chatStandIn();
  proposal.api.chat = {
    createChatParticipant: () => {
      throw new Error('Extension CANNOT use API proposal: chatParticipant');
    },
  };
  assert.equal(registerChatParticipant({ subscriptions }, () => undefined, proposal.api as unknown as VscodeApi), false);
  assert.deepEqual(subscriptions, []);
});

test('package.json declares @electra with /check and /fix; the apply command is hidden', () => {
  const pkg = readPackageJson() as unknown as {
    contributes: {
      chatParticipants: { id: string; name: string; fullName: string; description: string; isSticky: boolean; commands: { name: string; description: string }[] }[];
      menus: { commandPalette: { command: string; when?: string }[] };
    };
  };
  const [entry, ...others] = pkg.contributes.chatParticipants;
  assert.deepEqual(others, []);
  assert.equal(entry.id, CHAT_PARTICIPANT);
  assert.equal(entry.name, 'electra');
  assert.match(entry.name, /^[\w-]+$/); // VS Code rejects other names
  assert.match(entry.fullName, /Electra/);
  assert.match(entry.description, /[\u4e00-\u9fff]/);
  assert.match(entry.description, /[A-Za-z]{4}/);
  assert.equal(entry.isSticky, false);
  assert.deepEqual(entry.commands.map((c) => c.name), ['check', 'fix']);
  assert.ok(entry.commands.every((c) => c.description.length > 0));
  const hidden = pkg.contributes.menus.commandPalette.find((m) => m.command === COMMANDS.applyProofreading);
  assert.equal(hidden?.when, 'false');
});

test('a leading instruction up to the first colon is stripped; the text itself is not', () => {
  assert.equal(promptText('帮我检查：他以经把依赖按装好了。'), TEXT);
  assert.equal(promptText('检查: 他以经把依赖按装好了。'), TEXT);
  assert.equal(promptText('校对：\n他以经把依赖按装好了。\n'), TEXT);
  assert.equal(promptText('请帮我看看有没有错别字：他以经'), '他以经');
  assert.equal(promptText('proofread: 他以经'), '他以经');
  assert.equal(promptText('他说：我以经到了。'), '他说：我以经到了。');
  assert.equal(promptText(TEXT), TEXT);
  assert.equal(promptText('帮我检查：'), '');
  assert.equal(promptText('  '), '');
  assert.equal(promptText('检查：\n```\n他以经\n到了\n```'), '他以经\n到了');
});

test('sends workspace/executeCommand electraLsp.proofread with one {text, kind} argument', async () => {
  const standIn = chatStandIn();
  const client = proofreadClient();
  const ask = participant(standIn, client);
  await ask(`帮我检查：${TEXT}`);
  assert.equal(client.sent.length, 1);
  const [{ method, params, token }] = client.sent;
  assert.equal(method, ExecuteCommandRequest.method);
  assert.deepEqual(params, { command: 'electraLsp.proofread', arguments: [{ text: TEXT, kind: 'markdown' }] });
  assert.deepEqual(token, { isCancellationRequested: false }); // the chat's token, for cancelling
});

test('the reply: marked text, corrected text in a code block, one line per finding', async () => {
  const standIn = chatStandIn();
  const ask = participant(standIn, proofreadClient());
  const stream = await ask(`帮我检查：${TEXT}`);
  const reply = stream.text;
  assert.match(reply, /发现 2 处疑似错别字/);
  assert.ok(reply.includes('他~~以~~**已**经把依赖~~按~~**安**装好了。'), reply);
  assert.ok(reply.includes(`\`\`\`text\n${CORRECTED}\n\`\`\``), reply);
  assert.ok(reply.includes(`1. 以 → 已（或 己） · 概率 0.97 · ${escapeMarkdown(REASON)}`), reply);
  assert.ok(reply.includes('2. 按 → 安 · 概率 0.88 · 「按装」不是常用词；「安装」是'), reply);
  assert.ok(reply.indexOf('~~以~~') < reply.indexOf('```') && reply.indexOf('```') < reply.indexOf('1. 以'));
  assert.deepEqual(stream.buttons, [], 'a prompt has no selection to replace');
  assert.equal((await ask(TEXT, 'check')).text, reply);
});

test('offsets are UTF-16 code units: marks land right after an emoji or a supplementary character', async () => {
  const ask = participant(chatStandIn(), proofreadClient());
  const text = `😀𠀀${TEXT}`;
  const reply = (await ask(text)).text;
  assert.ok(reply.includes('😀𠀀他~~以~~**已**经把依赖~~按~~**安**装好了。'), reply);
});

test('Markdown in the text is shown as written; marks next to punctuation fall back to code', async () => {
  const text = '*注意*：他以经到了，「按」装';
  const ask = participant(chatStandIn(), proofreadClient());
  const reply = (await ask(`检查：${text}`)).text;
  assert.ok(reply.includes('\\*注意\\*：他~~以~~**已**经到了，「~~按~~**安**」装'), reply);
  const punctuation = participant(
    chatStandIn(),
    fakeClient(() => ({
      corrected: '他来了。',
      findings: [{ start: 3, end: 4, original: '，', suggestions: [{ text: '。', probability: 1, score: 0.9 }], score: 0.9, explanation: '', autoFix: false }],
    })),
  );
  assert.ok((await punctuation('他来了，')).text.includes('他来了`，→。`'));
});

test('/fix answers with only the corrected text in a code block', async () => {
  const ask = participant(chatStandIn(), proofreadClient());
  const stream = await ask(`帮我检查：${TEXT}`, 'fix');
  assert.equal(stream.text, `\`\`\`text\n${CORRECTED}\n\`\`\`\n`);
  assert.equal(codeBlock('a ``` b'), '````text\na ``` b\n````\n');
});

test('no findings: says so', async () => {
  const ask = participant(chatStandIn(), fakeClient(() => ({ corrected: '你好。', findings: [], model: 'm' })));
  assert.match((await ask('你好。')).text, /未发现错别字/);
  assert.equal((await ask('你好。', 'fix')).text, '```text\n你好。\n```\n');
});

test('an empty prompt (or only an instruction) proofreads the editor selection', async () => {
  const document = new FakeDocument('file:///notes.md', `# 笔记\n\n前言。${TEXT}后记。\n`);
  const standIn = chatStandIn({ documents: [document] });
  const selection = editorOn(standIn, document, TEXT);
  const client = proofreadClient();
  const ask = participant(standIn, client);
  for (const prompt of ['', '帮我检查：']) {
    const stream = await ask(prompt);
    assert.deepEqual(client.sent.at(-1)?.params, {
      command: 'electraLsp.proofread',
      arguments: [{ text: TEXT, kind: 'markdown' }],
    });
    assert.ok(stream.text.includes('他~~以~~**已**经'));
    const [button] = stream.buttons;
    assert.equal(button.command, COMMANDS.applyProofreading);
    assert.deepEqual(button.arguments, [
      {
        uri: 'file:///notes.md',
        range: { start: selection.start, end: selection.end },
        original: TEXT,
        corrected: CORRECTED,
      },
    ]);
  }
  // The prompt wins over the selection.
  await ask('你好');
  assert.deepEqual(client.sent.at(-1)?.params, { command: 'electraLsp.proofread', arguments: [{ text: '你好', kind: 'markdown' }] });
  // Nothing selected and no text: usage, no request.
  standIn.api.window.activeTextEditor = { document, selection: new FakeRange(2, 1, 2, 1) };
  const sent = client.sent.length;
  assert.match((await ask('')).text, /@electra/);
  assert.equal(client.sent.length, sent);
});

test('the button replaces exactly the checked selection, and refuses once that text changed', async () => {
  const document = new FakeDocument('file:///notes.md', `# 笔记\n\n前言。${TEXT}后记。\n`);
  const standIn = chatStandIn({ documents: [document] });
  editorOn(standIn, document, TEXT);
  const ask = participant(standIn, proofreadClient());
  const [button] = (await ask('')).buttons;
  const api = standIn.api as unknown as VscodeApi;

  // Edited elsewhere (the version changed, the selection did not): still applied, exactly there.
  document.text = document.text.replace('后记', '后记后记');
  await applyProofreading(api, button.arguments?.[0]);
  assert.equal(document.text, `# 笔记\n\n前言。${CORRECTED}后记后记。\n`);
  assert.deepEqual(standIn.warnings, []);
  assert.equal(standIn.applied.length, 1);

  // Clicked again: the range no longer holds the checked text.
  await applyProofreading(api, button.arguments?.[0]);
  assert.equal(document.text, `# 笔记\n\n前言。${CORRECTED}后记后记。\n`);
  assert.equal(standIn.warnings.length, 1);
  assert.match(standIn.warnings[0], /changed/);

  // Text inserted before the selection shifts it: refused too.
  const other = new FakeDocument('file:///other.md', `前言。${TEXT}`);
  const second = chatStandIn({ documents: [other] });
  editorOn(second, other, TEXT);
  const [secondButton] = (await participant(second, proofreadClient())('')).buttons;
  other.text = `新的开头${other.text}`;
  await applyProofreading(second.api as unknown as VscodeApi, secondButton.arguments?.[0]);
  assert.equal(other.text, `新的开头前言。${TEXT}`);
  assert.equal(second.warnings.length, 1);
  assert.equal(second.applied.length, 0);

  // The document was closed meanwhile: refused.
  second.api.workspace.textDocuments.length = 0;
  await applyProofreading(second.api as unknown as VscodeApi, secondButton.arguments?.[0]);
  assert.equal(second.warnings.length, 2);
});

test('server errors give a friendly message', async () => {
  const standIn = chatStandIn();
  const loading = participant(standIn, fakeClient(() => {
    throw new ResponseError(-32803, 'the models are still loading');
  }));
  assert.match((await loading(TEXT)).text, /模型还在加载.*\n\nThe models are still loading/);
  const notInitialized = participant(chatStandIn(), fakeClient(() => {
    throw new ResponseError(-32002, 'Server not initialized');
  }));
  assert.match((await notInitialized(TEXT)).text, /模型还在加载/);
  const tooLong = participant(chatStandIn(), fakeClient(() => {
    throw new ResponseError(-32602, 'text too long: 300,000 characters');
  }));
  assert.equal((await tooLong(TEXT)).text, '校对失败 Proofreading failed: text too long: 300,000 characters');
  const inResult = participant(chatStandIn(), fakeClient(() => ({ error: 'cannot load the models: no such file' })));
  assert.equal((await inResult(TEXT)).text, '校对失败 Proofreading failed: cannot load the models: no such file');
  const garbage = participant(chatStandIn(), fakeClient(() => ({ findings: 3 })));
  assert.match((await garbage(TEXT)).text, /无法识别/);
  const noServer = participant(chatStandIn(), undefined);
  assert.match((await noServer(TEXT)).text, /没有运行/);
});
