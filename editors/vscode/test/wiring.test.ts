// Activation wiring that needs no editor: package.json against the source.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { COMMANDS, LANGUAGES, SERVER_COMMANDS, documentSelector } from '../src/constants';
import { EXTENSION_ROOT, readPackageJson, readSource } from './helpers';

const pkg = readPackageJson();

test('contributed commands are exactly the commands the extension registers', () => {
  const contributed = pkg.contributes.commands.map((entry) => entry.command).sort();
  assert.deepEqual(contributed, Object.values(COMMANDS).sort());
  for (const entry of pkg.contributes.commands) {
    assert.equal(entry.category, 'Electra LSP', entry.command);
    assert.ok(entry.title.length > 0);
  }
  const titles = pkg.contributes.commands.map((entry) => entry.title).sort();
  assert.deepEqual(titles, [
    'Check Document',
    'Fix All',
    'Replace Selection with Chat Correction',
    'Restart Server',
    'Show Status',
  ]);
});

test('extension.ts registers every command through the COMMANDS table, and nothing else', () => {
  const source = readSource('extension.ts');
  const registrations = source.match(/registerCommand\(/g) ?? [];
  assert.equal(registrations.length, 1, 'commands must be registered in the one loop');
  assert.match(source, /for \(const \[key, id\] of Object\.entries\(COMMANDS\)[^)]*\)\s*\{\s*\n\s*context\.subscriptions\.push\(vscode\.commands\.registerCommand\(id, handlers\[key\]\)\)/);
  const handlerBlock = source.match(/const handlers[^{]*\{([^}]*)\}/);
  assert.ok(handlerBlock, 'handlers table not found');
  const keys = [...handlerBlock[1].matchAll(/^\s*(\w+):/gm)].map((match) => match[1]).sort();
  assert.deepEqual(keys, Object.keys(COMMANDS).sort());
});

test('palette commands never reuse the server command ids (languageclient registers those)', () => {
  const ours = new Set<string>(Object.values(COMMANDS));
  for (const id of Object.values(SERVER_COMMANDS)) {
    assert.ok(!ours.has(id), id);
    assert.match(id, /^electraLsp\./);
  }
});

test('palette menu entries refer to contributed commands', () => {
  const known = new Set<string>(Object.values(COMMANDS));
  for (const entry of pkg.contributes.menus?.commandPalette ?? []) {
    assert.ok(known.has(entry.command), entry.command);
  }
});

test('activates on the document languages it serves', () => {
  for (const language of LANGUAGES) {
    assert.ok(pkg.activationEvents.includes(`onLanguage:${language}`), language);
  }
  const selector = documentSelector();
  assert.deepEqual(
    selector.map((filter) => `${filter.scheme}:${filter.language}`).sort(),
    ['file:markdown', 'file:plaintext', 'untitled:markdown', 'untitled:plaintext'],
  );
});

test('main points at the esbuild bundle, built from src/extension.ts with vscode external', () => {
  assert.equal(pkg.main, './out/extension.js');
  const main = path.join(EXTENSION_ROOT, pkg.main);
  assert.ok(fs.existsSync(main), `${pkg.main} missing: run npm run bundle`);
  const bundle = pkg.scripts.bundle;
  assert.match(bundle, /^esbuild src\/extension\.ts --bundle /);
  for (const option of ['--outfile=out/extension.js', '--external:vscode', '--platform=node', '--format=cjs', '--target=node18']) {
    assert.ok(bundle.split(' ').includes(option), option);
  }
  assert.match(pkg.scripts['vscode:prepublish'], /npm run bundle/);
  assert.match(pkg.devDependencies.esbuild, /^\d+\.\d+\.\d+$/);
});

test('.vscodeignore ships the bundle alone: no node_modules, sources, tests or tsc output', () => {
  const lines = fs
    .readFileSync(path.join(EXTENSION_ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const pattern of ['node_modules/**', 'src/**', 'test/**', 'out/**', '!out/extension.js', '**/*.map', '**/*.ts']) {
    assert.ok(lines.includes(pattern), pattern);
  }
});

test('versions: VS Code ^1.82 engine, matching @types/vscode, languageclient 9', () => {
  assert.equal(pkg.engines.vscode, '^1.82.0');
  assert.match(pkg.devDependencies['@types/vscode'], /^1\.82\.\d+$/);
  assert.match(pkg.dependencies['vscode-languageclient'], /^\^?9\./);
  assert.match(pkg.devDependencies['@vscode/vsce'], /^\^?3\./);
});
