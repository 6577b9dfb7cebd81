import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Snapshot, StatusTracker, isStatusParams, presentStatus, summarizeStatus } from '../src/status';

function tracked(): { tracker: StatusTracker; states: string[] } {
  const states: string[] = [];
  const tracker = new StatusTracker((snapshot: Snapshot) => states.push(snapshot.state));
  return { tracker, states };
}

test('electraLsp/status notifications set the state; malformed ones are ignored', () => {
  const { tracker, states } = tracked();
  assert.equal(tracker.snapshot.state, 'starting');
  assert.ok(tracker.onStatusNotification({ state: 'loading', message: 'Loading models' }));
  assert.ok(tracker.onStatusNotification({ state: 'ready', message: 'electra-mini-zh' }));
  assert.deepEqual(tracker.snapshot, { state: 'ready', message: 'electra-mini-zh' });
  assert.ok(tracker.onStatusNotification({ state: 'error', message: 'no model at /x' }));
  assert.ok(!tracker.onStatusNotification({ state: 'busy', message: 'x' }));
  assert.ok(!tracker.onStatusNotification({ state: 'ready' }));
  assert.ok(!tracker.onStatusNotification(null));
  assert.deepEqual(states, ['loading', 'ready', 'error']);
  assert.equal(tracker.snapshot.message, 'no model at /x');
  assert.ok(isStatusParams({ state: 'ready', message: '' }));
});

test('"Loading models" progress drives loading → ready; other progress is ignored', () => {
  const { tracker, states } = tracked();
  tracker.onProgress('other', { kind: 'begin', title: 'Checking documents' });
  tracker.onProgress('other', { kind: 'end' });
  assert.deepEqual(states, []);
  tracker.onProgress('t1', { kind: 'begin', title: 'Loading models', percentage: 0 });
  assert.equal(tracker.snapshot.state, 'loading');
  tracker.onProgress('t1', { kind: 'report', message: 'generator', percentage: 50 });
  assert.deepEqual(tracker.snapshot, { state: 'loading', message: 'generator', percentage: 50 });
  assert.equal(presentStatus(tracker.snapshot).text, '$(loading~spin) 错别字 50%');
  tracker.onProgress('t1', { kind: 'end', message: 'Models loaded' });
  assert.deepEqual(tracker.snapshot, { state: 'ready', message: 'Models loaded' });
  // The title electra-lsp actually uses.
  tracker.onProgress('t2', { kind: 'begin', title: 'electra-lsp: loading the default models' });
  assert.equal(tracker.snapshot.state, 'loading');
});

test('an error reported while loading is not overwritten by the progress end', () => {
  const { tracker } = tracked();
  tracker.onProgress(7, { kind: 'begin', title: 'Loading models' });
  tracker.onStatusNotification({ state: 'error', message: 'cannot load' });
  tracker.onProgress(7, { kind: 'end' });
  assert.deepEqual(tracker.snapshot, { state: 'error', message: 'cannot load' });
});

test('status bar text and tooltip per state', () => {
  assert.equal(presentStatus({ state: 'ready', message: 'ok' }).text, '$(check) 错别字');
  assert.equal(presentStatus({ state: 'error', message: 'boom' }).text, '$(error) 错别字');
  assert.match(presentStatus({ state: 'error', message: 'boom' }).tooltip, /Electra LSP error: boom/);
  assert.equal(presentStatus({ state: 'loading', message: '' }).text, '$(loading~spin) 错别字');
  assert.equal(presentStatus({ state: 'stopped', message: '' }).text, '$(circle-slash) 错别字');
});

test('summarizeStatus: the message and the main counters of the server status', () => {
  assert.equal(
    summarizeStatus({
      state: 'ready',
      message: 'electra-mini-zh (torch, cpu) loaded in 1.2 s',
      model: 'electra-mini-zh',
      documents: 2,
      sentencesChecked: 10,
      cacheHitRate: 0.5,
      lastLatencyMs: null,
      positionEncoding: 'utf-16',
    }),
    'electra-mini-zh (torch, cpu) loaded in 1.2 s (documents: 2, sentencesChecked: 10, cacheHitRate: 0.5, lastLatencyMs: —)',
  );
  assert.equal(summarizeStatus({ state: 'ready', model: 'x', cache: { hits: 1 } }), 'state: ready, model: x');
  assert.equal(summarizeStatus({ nested: {} }), 'see the output channel');
  assert.equal(summarizeStatus({ message: 'only this' }), 'only this');
  assert.equal(summarizeStatus(null), 'null');
});
