// A function instance that dies mid-request (SPEC §5, local backend: "replaced
// when they crash"): the request gets an answer, never a hang; the dead instance
// leaves the endpoints; the next request wakes a fresh one.
import assert from 'node:assert/strict';
import { send } from '../support/http-client.js';
import { logLines, untilStatus, useWakeGateway } from '../support/wake.js';

describe('a function instance that crashes', () => {
  const env = useWakeGateway(() => ({
    fragile: { coldStartTimeout: '25s' },
  }));

  it('answers a POST it crashed on with 502 (not retried: the request was sent), and recovers on the next request', async () => {
    const { gateway, url } = env();
    const warm = await send(url('fragile', '/echo'));
    assert.equal(warm.status, 200);
    const firstPid = warm.json<{ pid: number }>().pid;

    const crashed = await send(url('fragile', '/crash'), { method: 'POST' });
    assert.equal(crashed.status, 502);
    assert.equal(crashed.headers['content-type'], 'application/problem+json');
    assert.match(crashed.json<{ detail: string }>().detail, /upstream failed/);
    const exited = await gateway.waitForLog((line) => line.msg === 'function instance exited' && line.function === 'fragile');
    assert.equal(exited.code, 1);
    await untilStatus(gateway, 'fragile', 'the dead instance to leave the endpoints', (f) => f.endpoints.length === 0 && f.inFlight === 0);

    const next = await send(url('fragile', '/echo'));
    assert.equal(next.status, 200);
    assert.notEqual(next.json<{ pid: number }>().pid, firstPid);
    assert.match(String(next.headers['server-timing']), /^wake;dur=\d+$/);
    assert.equal(logLines(gateway, 'waking function', 'fragile').length, 2);
  });

  it('retries an idempotent request once on a fresh instance, then answers 502 when that one crashes too', async () => {
    const { gateway, url } = env();
    const crashed = await send(url('fragile', '/crash'));
    assert.equal(crashed.status, 502);
    assert.equal(crashed.headers['content-type'], 'application/problem+json');
    // The first try woke an instance; the retry (route default retries: 1) woke a second.
    assert.equal(logLines(gateway, 'waking function', 'fragile').length, 2);
    await untilStatus(gateway, 'fragile', 'no endpoints and nothing in flight', (f) => f.endpoints.length === 0 && f.inFlight === 0 && f.pending === 0);

    const next = await send(url('fragile', '/echo'));
    assert.equal(next.status, 200);
  });
});
