import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { describeCheckResult, describeFixResult, isWorkspaceEdit } from '../src/results';

test('describeCheckResult understands counts, lists and objects', () => {
  assert.equal(describeCheckResult(0), 'no possible mistakes found');
  assert.equal(describeCheckResult(1), '1 possible mistake');
  assert.equal(describeCheckResult([{}, {}]), '2 possible mistakes');
  assert.equal(describeCheckResult({ count: 3 }), '3 possible mistakes');
  assert.equal(describeCheckResult({ findings: [1] }), '1 possible mistake');
  assert.equal(describeCheckResult({ uri: 'file:///a.md', version: 3, findings: 2 }), '2 possible mistakes');
  assert.match(describeCheckResult({ uri: 'file:///a.md', findings: null }) ?? '', /not checked/);
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

test('describeFixResult reports applied, empty, refused and failed fixes', () => {
  assert.deepEqual(describeFixResult({ applied: true, edits: 2, version: 4 }), {
    text: 'applied 2 corrections',
    isError: false,
  });
  assert.deepEqual(describeFixResult({ applied: false, edits: 0 }), { text: 'nothing to fix', isError: false });
  assert.deepEqual(describeFixResult({ applied: false, edits: 0, unsure: 0 }), { text: 'nothing to fix', isError: false });
  assert.deepEqual(describeFixResult({ applied: false, edits: 0, unsure: 2 }), {
    text: 'no correction is sure enough to apply unasked; 2 possible mistakes left for a quick fix',
    isError: false,
  });
  assert.equal(describeFixResult({ applied: false, edits: 1 })?.isError, true);
  assert.deepEqual(describeFixResult({ applied: false, edits: 1, error: 'timeout' }), {
    text: 'fixing failed: timeout',
    isError: true,
  });
  assert.equal(describeFixResult(null), undefined);
  assert.equal(describeFixResult({ applied: true }), undefined);
});
