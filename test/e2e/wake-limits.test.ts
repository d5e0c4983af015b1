// SPEC §5 bounds on held requests (STYLE §7: by count and by bytes): beyond
// maxPending, or beyond maxPendingBytes of held bodies, a request gets 503 +
// Retry-After at once rather than waiting. The function is ready only when the
// test lifts a barrier file, so "at once" means "before the function is ready".
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { send, type Reply } from '../support/http-client.js';
import { assertUnavailable, functionStatus, logLines, untilStatus, useWakeGateway } from '../support/wake.js';

/** Resolves with the first `n` replies to settle, in the order they settled. */
function firstSettled(replies: Array<Promise<Reply>>, n: number): Promise<Reply[]> {
  const settled: Reply[] = [];
  return new Promise((resolve, reject) => {
    for (const reply of replies) {
      reply.then((r) => {
        settled.push(r);
        if (settled.length === n) resolve([...settled]);
      }, reject);
    }
  });
}

describe('bounds on held requests', () => {
  const env = useWakeGateway((file) => ({
    few: { env: { READY_WHEN_FILE: file('ready') }, maxPending: 5, coldStartTimeout: '25s' },
    small: { env: { READY_WHEN_FILE: file('ready') }, maxPendingBytes: '1KiB', coldStartTimeout: '25s' },
  }));

  describe('with maxPending: 5', () => {
    it('answers 5 of 10 concurrent requests with 503 at once and serves the other 5 once ready', async () => {
      const { gateway, url, lift } = env();
      const replies = Array.from({ length: 10 }, (_, i) => send(url('few', `/echo/${i}`)));
      const refused = await firstSettled(replies, 5);
      for (const reply of refused) assertUnavailable(reply, /too many requests waiting/);
      assert.deepEqual(refused.map((r) => r.headers['retry-after']), Array(5).fill('1'));
      assert.equal((await functionStatus(gateway, 'few')).pending, 5, 'the other five are still held');

      lift('ready');
      const all = await Promise.all(replies);
      assert.deepEqual(all.map((r) => r.status).sort(), [...Array(5).fill(200), ...Array(5).fill(503)]);
      const served = all.filter((r) => r.status === 200);
      assert.equal(new Set(served.map((r) => r.headers['x-function-pid'])).size, 1);
      assert.equal(logLines(gateway, 'waking function', 'few').length, 1);
    });
  });

  describe('with maxPendingBytes: 1KiB', () => {
    it('answers a held request declaring a 4 KB body with 503 at once, without waking the function', async () => {
      const { gateway, url } = env();
      const reply = await send(url('small', '/echo'), { method: 'POST', body: Buffer.alloc(4096, 'a') });
      assertUnavailable(reply, /too many body bytes waiting/);
      assert.equal(reply.headers['retry-after'], '1');
      const status = await functionStatus(gateway, 'small');
      assert.deepEqual([status.lastWake, status.pending, status.pendingBytes], [null, 0, 0]);
    });

    it('answers 503 when a chunked body grows past it while held', async () => {
      const { gateway, url } = env();
      const reply = await send(url('small', '/echo'), { method: 'POST', body: Buffer.alloc(2048, 'b'), headers: { 'transfer-encoding': 'chunked' } });
      assertUnavailable(reply, /too many body bytes waiting/);
      const status = await functionStatus(gateway, 'small');
      assert.deepEqual([status.pending, status.pendingBytes], [0, 0], 'its bytes are no longer counted');
    });

    it('holds a body that fits and delivers it intact once ready', async () => {
      const { gateway, url, lift } = env();
      const body = Buffer.from('x'.repeat(512));
      const reply = send(url('small', '/echo'), { method: 'POST', body });
      await untilStatus(gateway, 'small', 'the request to be held with its body', (f) => f.pending === 1 && f.pendingBytes === 512);
      lift('ready');
      const answered = await reply;
      assert.equal(answered.status, 200);
      assert.equal(answered.json<{ bodySha256: string }>().bodySha256, createHash('sha256').update(body).digest('hex'));
      assert.equal((await functionStatus(gateway, 'small')).pendingBytes, 0);
    });
  });
});
