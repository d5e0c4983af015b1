// SPEC §4 rate-limit headers against what was admitted: RateLimit counts down by
// exactly one per admitted request, RateLimit-Policy names the limit with the fewest
// tokens left (ties: first policy in the route's list, then first limit), a 429
// carries Retry-After and problem+json with violated-policies, and /metrics counts
// each policy's decisions.
import assert from 'node:assert/strict';
import { send, type Reply } from '../support/http-client.js';
import { assertProblem } from '../support/problem-assert.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { decisions, limit, rateLimitOf, startLimitedGateway } from '../support/ratelimit-gateway.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

describe('rate limiting: headers (SPEC §4)', function () {
  this.timeout(60_000);
  let upstream: UpstreamServer;
  let gateway: ProxyGateway;
  before(async () => {
    upstream = await startUpstream();
    const to = (path: string, ...rateLimit: string[]) => ({ name: path.slice(1), match: { path }, upstream: upstream.origin, rateLimit });
    gateway = await startLimitedGateway({
      routes: [
        to('/countdown', 'countdown'),
        to('/bursty', 'bursty'),
        to('/tightest', 'roomy', 'scarce'),
        to('/ties', 'first', 'second'),
        to('/ties-reversed', 'second', 'first'),
        to('/tie-limits', 'two-limits'),
        to('/quick', 'quick'),
        { name: 'open', match: { path: '/open' }, upstream: upstream.origin },
      ],
      policies: {
        rateLimits: {
          countdown: { key: 'ip', limits: [limit(5, '1h')] },
          bursty: { key: 'ip', limits: [limit(2, '1m', 3)] },
          roomy: { key: 'ip', limits: [limit(10, '1h')] },
          scarce: { key: 'ip', limits: [limit(3, '1h')] },
          first: { key: 'ip', limits: [limit(3, '1h')] },
          second: { key: 'ip', limits: [limit(3, '1h')] },
          'two-limits': { key: 'ip', limits: [limit(3, '1h'), limit(3, '1m')] },
          quick: { key: 'ip', limits: [limit(1, '1s')] },
        },
      },
    });
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const get = (path: string): Promise<Reply> => send(gateway.url(path));

  it('counts RateLimit r down by exactly one per admitted request, t up by one interval', async () => {
    for (let k = 1; k <= 5; k++) {
      const reply = await get('/countdown');
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['ratelimit-policy'], '"countdown";q=5;w=3600');
      const { policy, r, t } = rateLimitOf(reply);
      assert.equal(policy, 'countdown');
      assert.equal(r, 5 - k);
      // Full again after k intervals of 720 s, less the time since the first request.
      assert.ok(t <= 720 * k && t >= 720 * k - 5, `t=${t} after ${k}`);
    }
  });

  it('refuses the next with 429, Retry-After in whole seconds and violated-policies', async () => {
    const reply = await get('/countdown');
    const problem = assertProblem({ ...reply, body: reply.body }, 429, 'rate-limited');
    assert.deepEqual(problem['violated-policies'], ['countdown']);
    const retryAfter = String(reply.headers['retry-after']);
    assert.match(retryAfter, /^\d+$/);
    assert.ok(Number(retryAfter) >= 715 && Number(retryAfter) <= 720, `one interval (720 s) until a token: ${retryAfter}`);
    assert.equal(rateLimitOf(reply).r, 0);
    assert.equal(reply.headers['ratelimit-policy'], '"countdown";q=5;w=3600');
    assert.equal(upstream.requests.filter((r) => r.url === '/countdown').length, 5);
  });

  it('gives a Retry-After of at least 1 second when a token is due sooner', async () => {
    assert.equal((await get('/quick')).status, 200);
    const refused = await get('/quick');
    assertProblem(refused, 429, 'rate-limited');
    assert.equal(refused.headers['retry-after'], '1');
  });

  it('adds ;gatehouse-burst=B when the limit has a burst', async () => {
    const reply = await get('/bursty');
    assert.equal(reply.headers['ratelimit-policy'], '"bursty";q=2;w=60;gatehouse-burst=3');
    assert.equal(rateLimitOf(reply).r, 4);
  });

  it('reports the limit with the fewest tokens left', async () => {
    const reply = await get('/tightest');
    assert.equal(reply.headers['ratelimit-policy'], '"scarce";q=3;w=3600');
    assert.equal(rateLimitOf(reply).r, 2);
  });

  it('breaks ties by the first policy in the route’s list, then the first limit in the policy', async () => {
    assert.equal(rateLimitOf(await get('/ties')).policy, 'first');
    assert.equal(rateLimitOf(await get('/ties-reversed')).policy, 'second', 'the same buckets, listed the other way round');
    assert.equal((await get('/tie-limits')).headers['ratelimit-policy'], '"two-limits";q=3;w=3600');
  });

  it('sends no rate-limit headers on a route without rateLimit', async () => {
    const reply = await get('/open');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.ratelimit, undefined);
    assert.equal(reply.headers['ratelimit-policy'], undefined);
  });

  it('counts allowed and limited decisions per policy, limited only for the policy that refused', async () => {
    // scarce has 2 tokens left after the test above; roomy has 9.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/tightest')).status);
    assert.deepEqual(statuses, [200, 200, 429]);
    assert.equal(await decisions(gateway, 'countdown', 'allowed'), 5);
    assert.equal(await decisions(gateway, 'countdown', 'limited'), 1);
    assert.equal(await decisions(gateway, 'scarce', 'allowed'), 3);
    assert.equal(await decisions(gateway, 'scarce', 'limited'), 1);
    assert.equal(await decisions(gateway, 'roomy', 'allowed'), 3);
    assert.equal(await decisions(gateway, 'roomy', 'limited'), 0, 'roomy did not refuse');
  });
});
