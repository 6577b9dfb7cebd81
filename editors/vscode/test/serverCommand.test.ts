import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { findExecutable, notFoundMessage, serverCommand } from '../src/serverCommand';

test('default command is electra-lsp --stdio; extra args go before --stdio', () => {
  assert.deepEqual(serverCommand(undefined, undefined), { command: 'electra-lsp', args: ['--stdio'] });
  assert.deepEqual(serverCommand('  ', []), { command: 'electra-lsp', args: ['--stdio'] });
  assert.deepEqual(serverCommand('/usr/bin/python3', ['-m', 'electra_lsp', 7]), {
    command: '/usr/bin/python3',
    args: ['-m', 'electra_lsp', '--stdio'],
  });
  assert.equal(serverCommand('~/bin/electra-lsp', []).command, path.join(os.homedir(), 'bin/electra-lsp'));
});

test('findExecutable looks up PATH and checks the execute bit', { skip: process.platform === 'win32' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'electra-lsp-test-'));
  try {
    const exe = path.join(dir, 'electra-lsp');
    fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
    const plain = path.join(dir, 'not-executable');
    fs.writeFileSync(plain, '', { mode: 0o644 });
    const env = { PATH: ['/nonexistent', dir].join(path.delimiter) };
    assert.equal(findExecutable('electra-lsp', env, 'linux'), exe);
    assert.equal(findExecutable('not-executable', env, 'linux'), undefined);
    assert.equal(findExecutable('missing-command', env, 'linux'), undefined);
    assert.equal(findExecutable(exe, { PATH: '' }, 'linux'), exe);
    assert.equal(findExecutable(path.join(dir, 'nope'), env, 'linux'), undefined);
    assert.equal(findExecutable(dir, env, 'linux'), undefined, 'a directory is not a command');
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('findExecutable on Windows tries PATHEXT', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'electra-lsp-test-'));
  try {
    fs.writeFileSync(path.join(dir, 'electra-lsp.EXE'), '');
    const env = { Path: dir, PATHEXT: '.COM;.EXE' };
    // Windows path semantics are emulated with path.win32 on any host; only run where the
    // temporary directory is also a valid Windows-style absolute path.
    if (process.platform === 'win32') {
      assert.equal(findExecutable('electra-lsp', env, 'win32'), path.join(dir, 'electra-lsp.EXE'));
    } else {
      assert.equal(findExecutable('electra-lsp', { Path: '' }, 'win32'), undefined);
    }
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('the not-found message says how to install and how to point at the server', () => {
  const message = notFoundMessage('electra-lsp');
  assert.match(message, /"electra-lsp" was not found on PATH/);
  assert.match(message, /pip install electra-lsp/);
  assert.match(message, /electraLsp\.server\.path/);
  assert.match(message, /Restart Server/);
  assert.doesNotMatch(notFoundMessage('/opt/x/electra-lsp'), /on PATH/);
});
