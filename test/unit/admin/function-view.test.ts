// The one word the dashboard shows per function.
import assert from 'node:assert/strict';
import { functionState } from '../../../src/admin/function-view.js';
import type { FunctionStatus } from '../../../src/functions/types.js';

function status(fields: Partial<FunctionStatus>): FunctionStatus {
  return { name: 'fn', endpoints: [], inFlight: 0, pending: 0, pendingBytes: 0, lastWake: null, problems: [], ...fields };
}

const endpoint = (refused: boolean) => ({ id: 'fn-1', origin: 'http://127.0.0.1:1', inFlight: 0, refused });

describe('admin: function state', () => {
  it('is sleeping with no endpoint and no wake under way (never woken, or the last wake ended)', () => {
    assert.equal(functionState(status({})), 'sleeping');
    assert.equal(functionState(status({ lastWake: { startedAt: '2026-01-01T00:00:00Z', durationMs: 10, outcome: 'timeout', traceId: null, requestId: null } })), 'sleeping');
  });

  it('is waking while a wake is in progress', () => {
    assert.equal(functionState(status({ pending: 3, lastWake: { startedAt: '2026-01-01T00:00:00Z', durationMs: null, outcome: 'in-progress', traceId: null, requestId: null } })), 'waking');
  });

  it('is ready with an endpoint that takes requests, not with refused ones only', () => {
    assert.equal(functionState(status({ endpoints: [endpoint(false)] })), 'ready');
    assert.equal(functionState(status({ endpoints: [endpoint(true)] })), 'sleeping');
  });
});
