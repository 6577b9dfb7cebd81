#!/usr/bin/env node
// Check the packaged extension in a real VS Code (code-server, see setup.sh) driven through
// headless Chromium, against the real server. Not part of `make test` (it needs setup.sh and
// Chromium); run it by hand after `make vscode`:
//   node editors/vscode/scripts/real-vscode/check.js [DIR]   (DIR as given to setup.sh)
// Scenarios, each in a fresh VS Code profile:
//   1. server on a scripted model (planted 有→友, 在→再): squiggle in prose, none in the code
//      block, Problems entry, quick fix applied, palette Check Document / Fix All / Show
//      Status, status bar item, a Settings UI change (severity) reaching the server;
//   2. electraLsp.server.path pointing nowhere: error status and install instructions.
/* eslint-disable no-console */
'use strict';
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DIR = process.argv[2] || path.join(os.homedir(), '.cache', 'electra-lsp-real-vscode');
const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const EXTENSION = path.join(REPO, 'editors', 'vscode');
const VERSION = JSON.parse(fs.readFileSync(path.join(EXTENSION, 'package.json'), 'utf8')).version;
const VSIX = path.join(EXTENSION, `electra-lsp-${VERSION}.vsix`);
const SERVER = path.join(REPO, '.venv', 'bin', 'electra-lsp');
const ENTRY = path.join(DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PORT = Number(process.env.PORT || 8765);
const puppeteer = require(path.join(DIR, 'node_modules', 'puppeteer-core'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [file, hint] of [[ENTRY, 'run setup.sh'], [VSIX, 'run make vscode'], [SERVER, 'run make run'], [CHROMIUM, 'install chromium']]) {
  if (!fs.existsSync(file)) {
    console.error(`missing ${file}: ${hint}`);
    process.exit(2);
  }
}

/** A fresh profile and workspace, the vsix installed, code-server started. */
async function startVSCode(settings, env) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'electra-real-vscode-'));
  const data = path.join(root, 'data');
  const work = path.join(root, 'work');
  fs.mkdirSync(path.join(data, 'User'), { recursive: true });
  fs.mkdirSync(work);
  fs.writeFileSync(path.join(work, 'doc.md'), '# 笔记\n\n😀𠀀我和朋有去公园。\n\n```python\n朋有 = 1\n```\n');
  fs.writeFileSync(path.join(work, 'fixall.md'), '他是我的朋有。在见！\n');
  fs.writeFileSync(path.join(data, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    ...settings,
  }, null, 2));
  const common = ['--user-data-dir', data, '--extensions-dir', path.join(root, 'ext'), '--config', path.join(root, 'config.yaml')];
  cp.execFileSync('node', [ENTRY, ...common, '--install-extension', VSIX], { stdio: 'pipe' });
  const server = cp.spawn('node', [ENTRY, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${PORT}`,
    '--disable-telemetry', '--disable-update-check', work], { env: { ...process.env, ...env }, stdio: 'ignore' });
  await sleep(4000);
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu'], defaultViewport: { width: 1400, height: 900 } });
  const page = await browser.newPage();
  page.setDefaultTimeout(60000);
  await page.goto(`http://127.0.0.1:${PORT}/?folder=${encodeURIComponent(work)}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
  await sleep(3000);
  const stop = async () => {
    await browser.close();
    server.kill();
    fs.rmSync(root, { recursive: true, force: true });
  };
  return { page, stop, root };
}

const ui = (page) => ({
  open: (name) => page.locator(`.explorer-folders-view ::-p-text(${name})`).click(),
  squiggles: () => page.$$eval('.monaco-editor [class*="squiggly-"]', (items) =>
    items.map((item) => [...item.classList].find((c) => c.startsWith('squiggly-')))),
  status: () => page.$$eval('.statusbar-item', (items) => items
    .filter((item) => (item.innerText || '').includes('错别字'))
    .map((item) => `${item.innerText.trim()} | ${item.getAttribute('aria-label')}`.replace(/\s+/g, ' '))[0] || ''),
  statusMessages: () => page.$$eval('.statusbar-item', (items) =>
    items.map((item) => (item.innerText || '').trim()).filter((text) => text.startsWith('Electra LSP'))),
  notifications: () => page.$$eval('.notification-list-item', (items) =>
    items.map((item) => item.innerText.replace(/\s+/g, ' ').trim())),
  text: () => page.$eval('.monaco-editor .view-lines', (lines) => lines.innerText.replace(/\u00a0/g, ' ')),
  async until(what, probe, ms = 60000) {
    const end = Date.now() + ms;
    let value;
    while (Date.now() < end) {
      value = await probe();
      if (value) return value;
      await sleep(250);
    }
    throw new Error(`timed out: ${what}`);
  },
  async keys(...combo) {
    for (const key of combo) await page.keyboard.down(key);
    for (const key of combo.reverse()) await page.keyboard.up(key);
  },
  async palette(command) {
    await page.keyboard.press('F1');
    await sleep(800);
    await page.keyboard.type(command);
    await sleep(1200);
    await page.keyboard.press('Enter');
  },
});

async function scriptedModel() {
  const model = path.join(os.tmpdir(), `electra-planted-${process.pid}.json`);
  fs.writeFileSync(model, JSON.stringify({ name: 'planted', score: 0.97, errors: { 有: { 友: 0.9 }, 在: { 再: 0.8 } } }));
  const { page, stop } = await startVSCode({ 'electraLsp.server.path': SERVER }, { ELECTRA_LSP_SCRIPTED_MODEL: model });
  const u = ui(page);
  try {
    await u.open('doc.md');
    await u.until('one squiggle', async () => (await u.squiggles()).length === 1);
    await sleep(1000);
    assert.deepEqual(await u.squiggles(), ['squiggly-info'], 'one finding, none in the code block');
    assert.match(await u.status(), /check 错别字, Electra LSP ready: planted/);
    console.log('ok  diagnostic in prose only; status bar:', await u.status());

    await u.keys('Control', 'Shift', 'KeyM');
    await sleep(1500);
    const problems = await page.$$eval('.markers-panel .monaco-list-row', (rows) => rows.map((r) => r.innerText.replace(/\s+/g, ' ').trim()));
    assert.ok(problems.some((row) => row.includes('疑似错字「朋有去」→「朋友去」') && row.includes('[Ln 3, Col 8]')), problems.join('\n'));
    console.log('ok  Problems panel:', problems[1]);

    await page.click('.monaco-editor .view-lines');
    await u.keys('Control', 'Home');
    await page.keyboard.press('F8');
    await sleep(1000);
    await page.keyboard.press('Escape');
    await u.keys('Control', 'Period');
    await sleep(2000);
    const actions = await page.$$eval('.action-widget .monaco-list-row', (rows) => rows.map((r) => r.innerText.trim()));
    // The first row is the "Quick Fix" header; the preferred fix comes first and is selected.
    assert.ok(actions.filter((a) => a !== 'Quick Fix')[0].includes('改为「友」'), actions.join('\n'));
    await page.keyboard.press('Enter');
    await u.until('squiggle cleared', async () => (await u.squiggles()).length === 0, 20000);
    assert.ok((await u.text()).includes('我和朋友去公园'));
    assert.ok((await u.text()).includes('朋有 = 1'), 'the code block is untouched');
    console.log('ok  quick fix:', actions.join(' / '));

    await u.palette('Electra LSP: Show Status');
    const note = await u.until('status message', async () => (await u.notifications()).find((n) => n.includes('Electra LSP ready')));
    console.log('ok  Show Status:', note.slice(0, 160));
    await page.keyboard.press('Escape');

    await u.open('fixall.md');
    await u.until('two squiggles', async () => (await u.squiggles()).length === 2);
    await page.click('.monaco-editor .view-lines');
    await u.palette('Electra LSP: Check Document');
    assert.ok((await u.until('check count', async () => (await u.statusMessages()).find((m) => m.includes('possible')))).includes('2 possible mistakes'));
    await u.palette('Electra LSP: Fix All');
    assert.ok((await u.until('fix all', async () => (await u.statusMessages()).find((m) => m.includes('applied')))).includes('applied 2 corrections'));
    await u.until('squiggles cleared', async () => (await u.squiggles()).length === 0, 20000);
    assert.ok((await u.text()).includes('他是我的朋友。再见！'));
    console.log('ok  palette Check Document and Fix All');

    await page.keyboard.type('在');  // a new finding to watch while the severity changes
    await u.until('new squiggle', async () => (await u.squiggles()).includes('squiggly-info'));
    await u.keys('Control', 'Comma');
    await sleep(2500);
    await page.keyboard.type('electraLsp.severity');
    await sleep(2500);
    await page.select('.setting-item-enum select', 'warning');
    await sleep(1000);
    await page.locator('.tabs-container ::-p-text(fixall.md)').click();
    await u.until('warning squiggle', async () => (await u.squiggles()).includes('squiggly-warning'), 20000);
    console.log('ok  Settings UI: electraLsp.severity = warning reached the server');
  } finally {
    await stop();
    fs.rmSync(model, { force: true });
  }
}

async function missingServer() {
  const { page, stop } = await startVSCode({ 'electraLsp.server.path': '/nonexistent/electra-lsp' }, {});
  const u = ui(page);
  try {
    await u.open('doc.md');
    const note = await u.until('not-found message', async () => (await u.notifications()).find((n) => n.includes('was not found')));
    assert.match(note, /pip install electra-lsp/);
    assert.match(note, /Open Settings/);
    assert.match(await u.status(), /error 错别字, Electra LSP error: the language server/);
    console.log('ok  missing server:', note.slice(0, 160));
  } finally {
    await stop();
  }
}

(async () => {
  await scriptedModel();
  await missingServer();
  console.log('real VS Code check passed');
})().catch((error) => {
  console.error('FAILED:', error);
  process.exit(1);
});
