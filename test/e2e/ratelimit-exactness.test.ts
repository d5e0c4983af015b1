// SPEC §3 "exact": with windows long enough that no token comes back during the
// test, the admitted count is exactly requests + burst, whatever the concurrency,
// in process memory and in Redis, and across replicas sharing one Redis. A
// request takes one token from every limit of every policy it meets, or none.
import assert from 'node:assert/strict';
import { send, type Reply } from '../support/http-client.js';
import { sampleValue } from '../support/metrics.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { burst, limit, rateLimitOf, startLimitedGateway, startLimitedGateways, statusCounts, times, type LimitedGatewayOptions } from '../support/ratelimit-gateway.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

function options(upstream: UpstreamServer, args: string[]): LimitedGatewayOptions {
  const to = (path: string, rateLimit: string | string[]) => ({ name: path.slice(1), match: { path }, upstream: upstream.origin, rateLimit });
  return {
    routes: [to('/fifty', 'fifty'), to('/sixty', 'sixty'), to('/tight-wide', ['tight', 'wide']), to('/wide', 'wide'), to('/pair', 'pair'), to('/hundred', 'hundred')],
    policies: {
      rateLimits: {
        fifty: { key: 'ip', limits: [limit(50, '1h')] },
        sixty: { key: 'ip', limits: [limit(50, '1h', 10)] },
        tight: { key: 'ip', limits: [limit(5, '1h')] },
        wide: { key: 'ip', limits: [limit(8, '1h')] },
        // An hourly limit and one that refills every second, in one policy.
        pair: { key: 'ip', limits: [limit(4, '1h'), limit(2, '2s')] },
        hundred: { key: 'ip', limits: [limit(100, '1h')] },
      },
    },
    args,
  };
}

const hits = (upstream: UpstreamServer, path: string): number => upstream.requests.filter((r) => r.url === path).length;

const violated = (reply: Reply): unknown => reply.json<Record<string, unknown>>()['violated-policies'];

/** Decisions the gateway made without its store (0: Redis decided every one). */
async function storeErrors(gateway: ProxyGateway): Promise<number> {
  const text = (await send(gateway.process.adminUrl('/metrics'))).text();
  return ['local', 'allow', 'deny'].reduce((sum, mode) => sum + (sampleValue(text, 'gatehouse_ratelimit_store_errors_total', { mode }) ?? 0), 0);
}

describe('rate limiting: exactness (SPEC §3)', function () {
  this.timeout(120_000);
  let redis: RedisServer;
  // One upstream per describe below, so its hit counts are that gateway's alone.
  let upstream: UpstreamServer;
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis?.dispose();
  });

  for (const store of ['memory', 'redis'] as const) {
    describe(`in ${store === 'memory' ? 'process memory' : 'Redis'}`, () => {
      let gateway: ProxyGateway;
      before(async () => {
        upstream = await startUpstream();
        gateway = await startLimitedGateway(options(upstream, store === 'redis' ? [`--redis=${redis.url}`] : []));
      });
      after(async () => {
        if (store === 'redis' && gateway) assert.equal(await storeErrors(gateway), 0, 'Redis decided every request');
        await gateway?.stop();
        await upstream?.close();
      });

      it('admits exactly 50 of 1,000 concurrent requests against 50 per hour', async () => {
        const replies = await burst(times(gateway.url('/fifty'), 1000));
        assert.deepEqual(statusCounts(replies), { 200: 50, 429: 950 });
        assert.equal(hits(upstream, '/fifty'), 50, 'the upstream saw only the admitted requests');
        // Each admitted request saw its own count: r = 49, 48, … 0, each exactly once.
        const left = replies.filter((r) => r.status === 200).map((r) => rateLimitOf(r).r);
        assert.deepEqual(left.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
        assert.ok(replies.every((r) => r.status === 200 || rateLimitOf(r).r === 0));
      });

      it('admits exactly 60 of 1,000 concurrent requests against 50 per hour with burst: 10', async () => {
        const replies = await burst(times(gateway.url('/sixty'), 1000));
        assert.deepEqual(statusCounts(replies), { 200: 60, 429: 940 });
        assert.equal(hits(upstream, '/sixty'), 60);
      });

      it('takes no token from a policy that admitted when another policy on the route refused', async () => {
        const first = await burst(times(gateway.url('/tight-wide'), 20));
        assert.deepEqual(statusCounts(first), { 200: 5, 429: 15 });
        for (const reply of first.filter((r) => r.status === 429)) assert.deepEqual(violated(reply), ['tight']);
        // wide gave 5 tokens (one per admitted request), not 20: 3 of its 8 are left.
        const second = await burst(times(gateway.url('/wide'), 20));
        assert.deepEqual(statusCounts(second), { 200: 3, 429: 17 });
      });

      it('takes a token from both limits of a policy, or from neither', async () => {
        const replies: Reply[] = [...(await burst(times(gateway.url('/pair'), 10)))];
        // The 2-per-2s limit refills; the hourly one (4) does not. Poll until the hourly
        // one refuses (Retry-After in minutes, not seconds): bounded, never timed.
        const deadline = Date.now() + 30_000;
        while (!replies.some((r) => r.status === 429 && Number(r.headers['retry-after']) > 60)) {
          assert.ok(Date.now() < deadline, `the hourly limit never refused: ${JSON.stringify(statusCounts(replies))}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
          replies.push(await send(gateway.url('/pair')));
        }
        // Every refusal by the 2s limit left the hourly one alone, every admission took from it.
        assert.equal(replies.filter((r) => r.status === 200).length, 4, JSON.stringify(statusCounts(replies)));
        const bySeconds = replies.filter((r) => r.status === 429 && Number(r.headers['retry-after']) <= 2);
        assert.ok(bySeconds.length > 0, 'the 2-per-2s limit refused some of the first ten');
        for (const reply of bySeconds) assert.equal(reply.headers['ratelimit-policy'], '"pair";q=2;w=2');
        const last = replies.at(-1) as Reply;
        assert.equal(last.headers['ratelimit-policy'], '"pair";q=4;w=3600', 'the hourly limit, now empty, is the one reported');
        assert.equal(rateLimitOf(last).r, 0);
        assert.equal(hits(upstream, '/pair'), 4);
      });
    });
  }

  describe('three gateways sharing one Redis', () => {
    let gateways: ProxyGateway[] = [];
    before(async () => {
      upstream = await startUpstream();
      gateways = await startLimitedGateways(3, options(upstream, [`--redis=${redis.url}`]));
    });
    after(async () => {
      for (const gateway of gateways) assert.equal(await storeErrors(gateway), 0, 'Redis decided every request');
      await Promise.all(gateways.map((gateway) => gateway.stop()));
      await upstream?.close();
    });

    it('admits exactly 100 of 600 requests spread over them against 100 per hour', async () => {
      const urls = Array.from({ length: 600 }, (_, i) => (gateways[i % 3] as ProxyGateway).url('/hundred'));
      const replies = await burst(urls, { connections: 150 });
      assert.deepEqual(statusCounts(replies), { 200: 100, 429: 500 });
      assert.equal(hits(upstream, '/hundred'), 100);
    });
  });
});
