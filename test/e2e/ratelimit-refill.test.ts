// SPEC §3: "a client that stays inside that envelope is never refused". Against
// 10 per second, a client pacing itself at 9 per second for 5 s gets no 429, in
// process memory and in Redis. Sends are scheduled at t0 + i·(1000/9) ms; nothing
// about timing is asserted, only that none was refused.
import assert from 'node:assert/strict';
import http from 'node:http';
import { send, type Reply } from '../support/http-client.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { limit, startLimitedGateway, statusCounts } from '../support/ratelimit-gateway.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

const RATE = 9;
const SECONDS = 5;

/** One request every 1000/RATE ms from t0 (a late timer sends at once, never bunching more than the delay). */
async function paced(url: string): Promise<Reply[]> {
  const agent = new http.Agent({ keepAlive: true });
  const t0 = performance.now();
  try {
    const sends = Array.from({ length: RATE * SECONDS }, (_, i) =>
      new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + (i * 1000) / RATE - performance.now()))).then(() => send(url, { agent })),
    );
    return await Promise.all(sends);
  } finally {
    agent.destroy();
  }
}

describe('rate limiting: refill (SPEC §3)', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let upstream: UpstreamServer;
  before(async () => {
    redis = await startRedisServer();
    upstream = await startUpstream();
  });
  after(async () => {
    await upstream?.close();
    await redis?.dispose();
  });

  for (const store of ['memory', 'redis'] as const) {
    it(`never refuses a client pacing itself at 9 per second against 10 per second (${store})`, async () => {
      const gateway: ProxyGateway = await startLimitedGateway({
        routes: [{ name: 'paced', match: { path: '/paced' }, upstream: upstream.origin, rateLimit: 'ten-per-second' }],
        policies: { rateLimits: { 'ten-per-second': { key: 'ip', limits: [limit(10, '1s')] } } },
        args: store === 'redis' ? [`--redis=${redis.url}`] : [],
      });
      try {
        const replies = await paced(gateway.url('/paced'));
        assert.deepEqual(statusCounts(replies), { 200: RATE * SECONDS });
      } finally {
        await gateway.stop();
      }
    });
  }
});
