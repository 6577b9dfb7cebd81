import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { describeCheckResult, isWorkspaceEdit } from '../src/results';

test('describeCheckResult understands counts, lists and objects', () => {
  assert.equal(describeCheckResult(0), 'no possible mistakes found');
  assert.equal(describeCheckResult(1), '1 possible mistake');
  assert.equal(describeCheckResult([{}, {}]), '2 possible mistakes');
  assert.equal(describeCheckResult({ count: 3 }), '3 possible mistakes');
  assert.equal(describeCheckResult({ findings: [1] }), '1 possible mistake');
  assert.equal(describeCheckResult({ diagnostics: [] }), 'no possible mistakes found');
  assert.equal(describeCheckResult(null), undefined);
  assert.equal(describeCheckResult({ other: 1 }), undefined);
});

test('isWorkspaceEdit', () => {
  assert.ok(isWorkspaceEdit({ changes: {} }));
  assert.ok(isWorkspaceEdit({ documentChanges: [] }));
  assert.ok(!isWorkspaceEdit({ changes: null }));
  assert.ok(!isWorkspaceEdit(null));
  assert.ok(!isWorkspaceEdit([]));
  assert.ok(!isWorkspaceEdit(3));
});
