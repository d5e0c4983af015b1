// RedisStore against a real redis-server (test/support/redis-server.ts): the same
// decision table as gcra.test.ts, run through the Lua script on Redis's clock, and
// what happens while the first connection is made, while Redis is down and after
// it comes back on the same port (its script cache empty then).
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { decide, type GcraDecision, type GcraLimit } from '../../../src/ratelimit/gcra.js';
import { RedisStore } from '../../../src/ratelimit/redis-store.js';
import { bucketKey, type BucketRequest } from '../../../src/ratelimit/store.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { startRedisServer, targetOf, type RedisServer } from '../../support/redis-server.js';
import { until } from '../../support/wait.js';

const HOUR = 3_600_000;
let nextKey = 0;
/** A bucket no other test has touched. */
const fresh = (limit: GcraLimit): BucketRequest => ({ space: `test:${process.pid}:`, subject: String(nextKey++), limit });

describe('RedisStore (a real redis-server)', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  let store: RedisStore;
  before(async () => {
    redis = await startRedisServer();
    store = new RedisStore(targetOf(redis.url), silentLogger());
  });
  after(async () => {
    await store?.close();
    await redis?.dispose();
  });

  it('decides its first request in Redis while the first connection is still being made (it used to fail at once)', async () => {
    const early = new RedisStore(targetOf(redis.url), silentLogger());
    try {
      const decision = await early.decide([fresh({ requests: 1, perMs: HOUR, burst: 0 })]); // no await before: not connected yet
      assert.equal(decision.allowed, true);
    } finally {
      await early.close();
    }
  });

  describe('the decision table of gcra.ts', () => {
    it('admits exactly requests + burst of 1,000 concurrent decisions, then refuses', async () => {
      for (const [limit, expected] of [
        [{ requests: 10, perMs: HOUR, burst: 0 }, 10],
        [{ requests: 10, perMs: HOUR, burst: 5 }, 15],
        [{ requests: 1, perMs: HOUR, burst: 0 }, 1],
        [{ requests: 50, perMs: HOUR, burst: 10 }, 60],
      ] as const) {
        const bucket = fresh(limit);
        const decisions = await Promise.all(Array.from({ length: 1000 }, () => store.decide([bucket])));
        assert.equal(decisions.filter((d) => d.allowed).length, expected, JSON.stringify(limit));
      }
    });

    it('reports what the pure GCRA reports: 14 … 0 tokens left for a burst of 15, then a refusal', async () => {
      const limit = { requests: 10, perMs: HOUR, burst: 5 };
      const bucket = fresh(limit);
      let tats: Array<number | undefined> = [undefined];
      const taken: GcraDecision[] = [];
      for (let i = 0; i < 16; i++) taken.push(await store.decide([bucket]));
      const expected: GcraDecision[] = [];
      for (let i = 0; i < 16; i++) {
        const pure = decide([limit], tats, 0); // the pure GCRA, every request at one instant
        if (pure.allowed) tats = [...pure.tats];
        expected.push(pure);
      }
      assert.deepEqual(
        taken.map((d) => [d.allowed, d.reports[0]?.remaining]),
        expected.map((d) => [d.allowed, d.reports[0]?.remaining]),
      );
      const refused = taken[15] as GcraDecision & { allowed: false };
      assert.deepEqual(refused.refusing, [0]);
      // One token after T = 360 s, less the few ms the 16 round trips took.
      assert.ok(refused.retryAfterMs > 350_000 && refused.retryAfterMs <= 360_000, String(refused.retryAfterMs));
      assert.ok(Math.abs((refused.reports[0]?.resetMs ?? 0) - 15 * 360_000) < 10_000, 'full again after 15 intervals');
    });

    it('takes a token from every bucket or from none', async () => {
      const one = fresh({ requests: 1, perMs: HOUR, burst: 0 });
      const five = fresh({ requests: 5, perMs: HOUR, burst: 0 });
      assert.equal((await store.decide([one, five])).allowed, true);
      const refused = await store.decide([one, five]);
      assert.ok(!refused.allowed);
      assert.deepEqual(refused.refusing, [0]);
      assert.equal(refused.reports[1]?.remaining, 4, 'the refusal took nothing from the second bucket');
      const alone = [];
      for (let i = 0; i < 5; i++) alone.push((await store.decide([five])).allowed);
      assert.deepEqual(alone, [true, true, true, true, false]);
    });

    it('refills on Redis’s clock', async () => {
      const bucket = fresh({ requests: 1, perMs: 200, burst: 0 });
      assert.equal((await store.decide([bucket])).allowed, true);
      const refused = await store.decide([bucket]);
      assert.ok(!refused.allowed && refused.retryAfterMs > 0 && refused.retryAfterMs <= 200);
      await until('a token back', async () => ((await store.decide([bucket])).allowed ? true : undefined), 10_000, 20);
    });
  });

  it('stores a bucket with a TTL of its debt, so a full bucket leaves no key', async () => {
    const client = new Redis(redis.url);
    try {
      const bucket = fresh({ requests: 2, perMs: HOUR, burst: 0 });
      await store.decide([bucket]);
      const ttl = await client.pttl(bucketKey(bucket));
      assert.ok(ttl > HOUR / 2 - 5_000 && ttl <= HOUR / 2, `PTTL ${ttl}`);
      const short = fresh({ requests: 1, perMs: 100, burst: 0 });
      await store.decide([short]);
      await until('the key to expire', async () => ((await client.exists(bucketKey(short))) === 0 ? true : undefined), 10_000, 20);
    } finally {
      client.disconnect();
    }
  });

  // Last: it stops the shared redis-server.
  it('fails while Redis is down (onStoreError decides) and decides again once it is back on the same port', async () => {
    const bucket = fresh({ requests: 1, perMs: HOUR, burst: 0 });
    assert.equal((await store.decide([bucket])).allowed, true);
    await redis.stop('SIGKILL');
    await assert.rejects(store.decide([bucket]));
    await redis.restart();
    // ioredis reconnects by itself; the restarted Redis is empty (no persistence) and
    // has no script cached, so this also covers EVALSHA falling back to EVAL.
    const back = await until('a decision by Redis', () => store.decide([bucket]).catch(() => undefined), 15_000, 50);
    assert.equal(back.allowed, true, 'the restarted Redis starts with a full bucket');
    assert.equal((await store.decide([bucket])).allowed, false);
  });
});
