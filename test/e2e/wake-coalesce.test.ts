// SPEC §5 "Wake": concurrent requests to a sleeping function coalesce onto one
// wake, are held with their bodies intact, and are released FIFO once it is
// ready, each saying how long it waited (Server-Timing). The function becomes
// ready only when the test lifts a barrier file, after all 200 are held.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { send } from '../support/http-client.js';
import { logLines, untilStatus, useWakeGateway } from '../support/wake.js';

const REQUESTS = 200;

/** 1–20 KB of content unique to request `i`. */
function bodyFor(i: number): Buffer {
  const size = 1024 + ((i * 7919) % (19 * 1024));
  const seed = createHash('sha256').update(`request ${i}`).digest('hex');
  return Buffer.from(seed.repeat(Math.ceil(size / seed.length)).slice(0, size));
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('waking a sleeping function', () => {
  // maxInstances > 1, so "one instance" shows the requests coalesced onto one wake,
  // not that the backend refused to start more.
  const env = useWakeGateway((file) => ({
    sleepy: { env: { READY_WHEN_FILE: file('ready') }, coldStartTimeout: '25s', maxInstances: 4 },
  }));

  it('starts one instance for 200 concurrent requests and answers each with its own body', async () => {
    const { gateway, url, lift } = env();
    const bodies = Array.from({ length: REQUESTS }, (_, i) => bodyFor(i));
    const replies = Promise.all(
      bodies.map((body, i) => send(url('sleepy', `/echo/${i}`), { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })),
    );
    await untilStatus(gateway, 'sleepy', `${REQUESTS} held requests`, (f) => f.pending === REQUESTS);
    lift('ready');

    const answered = await replies;
    assert.deepEqual(
      answered.map((r) => r.status),
      Array(REQUESTS).fill(200),
    );
    const echoed = answered.map((r) => r.json<{ url: string; bodyBytes: number; bodySha256: string; pid: number }>());
    const mismatched = echoed.flatMap((e, i) => (e.url === `/echo/${i}` && e.bodyBytes === bodies[i]?.length && e.bodySha256 === sha256(bodies[i] as Buffer) ? [] : [i]));
    assert.deepEqual(mismatched, [], 'every request got its own body back');
    assert.equal(new Set(echoed.map((e) => e.pid)).size, 1, 'one instance served them all');
    assert.equal(logLines(gateway, 'waking function', 'sleepy').length, 1);
    const withoutTiming = answered.flatMap((r, i) => (/^wake;dur=\d+$/.test(String(r.headers['server-timing'])) ? [] : [i]));
    assert.deepEqual(withoutTiming, [], 'every held request says how long it waited');
  });

  it('answers the next request without a wake and without Server-Timing', async () => {
    const { url, lift, gateway } = env();
    lift('ready');
    const first = await send(url('sleepy', '/echo'));
    const second = await send(url('sleepy', '/echo'));
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.match(String(first.headers['server-timing']), /^wake;dur=\d+$/);
    assert.equal(second.headers['server-timing'], undefined);
    assert.equal(second.headers['x-function-pid'], first.headers['x-function-pid']);
    assert.equal(logLines(gateway, 'waking function', 'sleepy').length, 1);
  });
});
