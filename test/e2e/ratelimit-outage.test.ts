// Redis killed mid-test (SPEC §3 onStoreError): `local` answers from the in-memory
// fallback (still limited), `allow` admits, `deny` answers 503 problem+json with
// Retry-After; the gateway stays healthy, and shared limiting resumes once Redis
// is back on the same port. The steps run in order against one gateway.
import assert from 'node:assert/strict';
import { send } from '../support/http-client.js';
import { sampleValue } from '../support/metrics.js';
import { assertProblem } from '../support/problem-assert.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { limit, startLimitedGateway } from '../support/ratelimit-gateway.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';
import { until } from '../support/wait.js';

describe('rate limiting: Redis goes away and comes back (SPEC §3 onStoreError)', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let upstream: UpstreamServer;
  let gateway: ProxyGateway;
  before(async () => {
    redis = await startRedisServer();
    upstream = await startUpstream();
    const to = (path: string) => ({ name: path.slice(1), match: { path }, upstream: upstream.origin, rateLimit: path.slice(1) });
    gateway = await startLimitedGateway({
      routes: [to('/local'), to('/allow'), to('/deny')],
      policies: {
        rateLimits: {
          local: { key: 'ip', limits: [limit(3, '1h')], onStoreError: 'local' },
          allow: { key: 'ip', limits: [limit(1, '1h')], onStoreError: 'allow' },
          deny: { key: 'ip', limits: [limit(1, '1h')], onStoreError: 'deny' },
        },
      },
      args: [`--redis=${redis.url}`],
    });
  });
  after(async () => {
    await gateway?.stop(); // asserts exit 0: no crash through the outage
    await upstream?.close();
    await redis?.dispose();
  });

  async function statuses(path: string, count: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push((await send(gateway.url(path))).status);
    return out;
  }
  const storeErrors = async (mode: string): Promise<number> =>
    sampleValue((await send(gateway.process.adminUrl('/metrics'))).text(), 'gatehouse_ratelimit_store_errors_total', { mode }) ?? 0;

  it('decides in Redis while it is up', async () => {
    assert.deepEqual(await statuses('/allow', 2), [200, 429]);
    assert.deepEqual(await statuses('/deny', 2), [200, 429]);
    assert.deepEqual(await statuses('/local', 1), [200]);
  });

  it('onStoreError: local — limits from the in-memory fallback while Redis is down', async () => {
    await redis.stop('SIGKILL');
    // The fallback has its own buckets: 3 fresh tokens (Redis had 2 left), then refusals.
    assert.deepEqual(await statuses('/local', 4), [200, 200, 200, 429]);
    assert.ok((await storeErrors('local')) >= 4);
  });

  it('onStoreError: allow — admits while Redis is down', async () => {
    assert.deepEqual(await statuses('/allow', 3), [200, 200, 200], 'Redis had refused this client; nothing refuses it now');
    assert.ok((await storeErrors('allow')) >= 3);
  });

  it('onStoreError: deny — answers 503 problem+json with Retry-After while Redis is down', async () => {
    const reply = await send(gateway.url('/deny'));
    assertProblem(reply, 503, 'rate-limit-unavailable');
    assert.match(String(reply.headers['retry-after']), /^[1-9]\d*$/);
    assert.ok((await storeErrors('deny')) >= 1);
  });

  it('stays healthy while Redis is down', async () => {
    assert.equal((await send(gateway.process.adminUrl('/healthz'))).status, 200);
    assert.equal(gateway.process.child.exitCode, null, 'still running');
  });

  it('resumes shared limiting in Redis once it is back on the same port', async () => {
    await redis.restart(); // empty: no persistence
    // Under `allow` only Redis ever refuses: a 429 means Redis decides again (ioredis reconnected).
    await until('a refusal decided by Redis', async () => ((await send(gateway.url('/allow'))).status === 429 ? true : undefined), 20_000, 100);
    // The fallback's bucket for /local is spent; Redis's is new: three admissions prove Redis decided them.
    assert.deepEqual(await statuses('/local', 4), [200, 200, 200, 429]);
    assert.deepEqual(await statuses('/deny', 2), [200, 429]);
    assert.equal((await send(gateway.process.adminUrl('/healthz'))).status, 200);
  });
});
