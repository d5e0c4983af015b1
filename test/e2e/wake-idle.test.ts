// SPEC §5 "Idle" on the local backend: an instance with nothing in flight for
// idleTimeout is stopped, and the next request wakes a fresh one; an instance
// with a request in flight is never stopped, however long that request takes.
import assert from 'node:assert/strict';
import { send } from '../support/http-client.js';
import { functionStatus, logLines, untilStatus, useWakeGateway } from '../support/wake.js';

describe('idle functions', () => {
  const env = useWakeGateway(() => ({
    napper: { idleTimeout: '300ms', coldStartTimeout: '25s' },
  }));

  it('stops an idle instance, then wakes a new one for the next request', async () => {
    const { gateway, url } = env();
    const first = await send(url('napper', '/echo'));
    assert.equal(first.status, 200);
    const firstPid = first.json<{ pid: number }>().pid;

    const stopping = await gateway.waitForLog((line) => line.msg === 'stopping idle function instance' && line.function === 'napper');
    await untilStatus(gateway, 'napper', 'the idle instance to leave the endpoints', (f) => f.endpoints.length === 0);
    const exited = await gateway.waitForLog((line) => line.msg === 'function instance exited' && line.instance === stopping.instance);
    assert.equal(exited.function, 'napper');

    const second = await send(url('napper', '/echo'));
    assert.equal(second.status, 200);
    assert.notEqual(second.json<{ pid: number }>().pid, firstPid, 'a fresh process');
    assert.match(String(second.headers['server-timing']), /^wake;dur=\d+$/);
    assert.equal(logLines(gateway, 'waking function', 'napper').length, 2);
  });

  it('does not stop an instance while a request slower than idleTimeout is in flight', async () => {
    const { gateway, url } = env();
    let answered = false;
    const slow = send(url('napper', '/delay/1500')).finally(() => (answered = true));
    const busy = await untilStatus(gateway, 'napper', 'the slow request to be in flight', (f) => f.endpoints.some((e) => e.inFlight === 1));
    const instance = busy.endpoints[0]?.id;

    // Watch the endpoint for the whole request: an idle stop would take it out of the
    // endpoints (before stopping it) within idleTimeout plus one sweep.
    const seen: string[] = [];
    while (!answered) {
      const view = await functionStatus(gateway, 'napper');
      if (!answered) seen.push(view.endpoints.map((e) => e.id).join(',') || 'none');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const reply = await slow;
    assert.equal(reply.status, 200);
    assert.equal(reply.text(), 'waited 1500');
    assert.ok(seen.length > 0);
    assert.deepEqual([...new Set(seen)], [instance], 'the instance stayed an endpoint throughout');

    // Once the request is done, the instance is idle and is stopped as usual.
    const stopping = await gateway.waitForLog((line) => line.msg === 'stopping idle function instance' && line.instance === instance);
    assert.equal(stopping.function, 'napper');
  });
});
