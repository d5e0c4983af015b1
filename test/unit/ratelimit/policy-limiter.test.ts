// PolicyRateLimiter (SPEC §3, §4): the policies a request meets, the per-key plan,
// the strictest onStoreError when the store fails, the metric per policy. The
// store is a MemoryStore on a frozen clock, or one that always fails.
import assert from 'node:assert/strict';
import type { RateLimitPolicySpec, RateLimitSpec } from '../../../src/config/types.js';
import { silentLogger } from '../../../src/observability/logger.js';
import type { RateLimitSubject } from '../../../src/ratelimit/limiter.js';
import { MemoryStore } from '../../../src/ratelimit/memory-store.js';
import { PolicyRateLimiter } from '../../../src/ratelimit/policy-limiter.js';
import type { RateLimitStore } from '../../../src/ratelimit/store.js';
import { fakeRequest } from '../../support/fake-request.js';
import { route } from '../routing/route-fixtures.js';

const HOUR = 3_600_000;
const hourly = (requests: number): RateLimitSpec => ({ requests, perMs: HOUR, burst: 0 });

function policy(name: string, limits: RateLimitSpec[], onStoreError: RateLimitPolicySpec['onStoreError'] = 'local'): RateLimitPolicySpec {
  return { name, position: { file: 'policies/p.yaml', line: 1, col: 1 }, key: { kind: 'ip' }, limits, onStoreError };
}

const failing: RateLimitStore = {
  kind: 'redis',
  decide: () => Promise.reject(new Error('Stream isn’t writeable')),
  close: async () => {},
};

const subject = (plan: string | null = null): RateLimitSubject => ({ consumer: null, clientIp: '203.0.113.7', claims: null, plan });

describe('PolicyRateLimiter', () => {
  const stores: MemoryStore[] = [];
  const memory = (): MemoryStore => {
    const store = new MemoryStore(() => 0);
    stores.push(store);
    return store;
  };
  after(async () => {
    for (const store of stores) await store.close();
  });

  function limiter(policies: RateLimitPolicySpec[], store?: RateLimitStore) {
    const decided: string[] = [];
    const failed: string[] = [];
    const fallback = memory();
    const observer = { decided: (p: string, d: string) => decided.push(`${p}/${d}`), storeFailed: (mode: string) => failed.push(mode) };
    const instance = new PolicyRateLimiter(new Map(policies.map((p) => [p.name, p])), store ?? fallback, fallback, observer, silentLogger());
    return { instance, decided, failed };
  }

  const on = (...rateLimit: string[]) => ({ ...route('r', '/r'), rateLimit });

  it('counts a refusal as limited only for the policies that refused', async () => {
    const { instance, decided } = limiter([policy('tight', [hourly(1)]), policy('wide', [hourly(10)])]);
    const r = on('tight', 'wide');
    assert.equal((await instance.check(r, subject(), fakeRequest([]))).kind, 'allowed');
    const refused = await instance.check(r, subject(), fakeRequest([]));
    assert.ok(refused.kind === 'limited');
    assert.deepEqual(refused.violatedPolicies, ['tight']);
    assert.deepEqual(decided, ['tight/allowed', 'wide/allowed', 'tight/limited']);
  });

  it('applies an API key’s plan instead of the route’s policies', async () => {
    const { instance } = limiter([policy('bronze', [hourly(1)]), policy('gold', [hourly(3)])]);
    const r = on('bronze');
    const kinds = [];
    for (let i = 0; i < 4; i++) kinds.push((await instance.check(r, subject('gold'), fakeRequest([]))).kind);
    assert.deepEqual(kinds, ['allowed', 'allowed', 'allowed', 'limited']);
    const headers = (await instance.check(r, subject('gold'), fakeRequest([]))).headers;
    assert.equal(headers['ratelimit-policy'], '"gold";q=3;w=3600');
  });

  it('admits with no headers on a route without rateLimit', async () => {
    const { instance } = limiter([policy('p', [hourly(1)])]);
    assert.deepEqual(await instance.check(on(), subject(), fakeRequest([])), { kind: 'allowed', headers: {} });
  });

  describe('when the store fails', () => {
    it('answers from the in-memory fallback with onStoreError: local', async () => {
      const { instance, failed } = limiter([policy('p', [hourly(2)], 'local')], failing);
      const kinds = [];
      for (let i = 0; i < 3; i++) kinds.push((await instance.check(on('p'), subject(), fakeRequest([]))).kind);
      assert.deepEqual(kinds, ['allowed', 'allowed', 'limited']);
      assert.deepEqual(failed, ['local', 'local', 'local']);
    });

    it('admits with onStoreError: allow, answers 503 with Retry-After with deny', async () => {
      const { instance } = limiter([policy('open', [hourly(1)], 'allow'), policy('closed', [hourly(1)], 'deny')], failing);
      for (let i = 0; i < 3; i++) assert.equal((await instance.check(on('open'), subject(), fakeRequest([]))).kind, 'allowed');
      const denied = await instance.check(on('closed'), subject(), fakeRequest([]));
      assert.ok(denied.kind === 'limited');
      assert.equal(denied.status, 503);
      assert.ok(denied.retryAfterSeconds >= 1);
    });

    it('lets the strictest mode among the policies met decide: deny, then local, then allow', async () => {
      const { instance, failed } = limiter([policy('a', [hourly(1)], 'allow'), policy('l', [hourly(1)], 'local'), policy('d', [hourly(1)], 'deny')], failing);
      await instance.check(on('a', 'l'), subject(), fakeRequest([]));
      await instance.check(on('a', 'd', 'l'), subject(), fakeRequest([]));
      await instance.check(on('a'), subject(), fakeRequest([]));
      assert.deepEqual(failed, ['local', 'deny', 'allow']);
    });
  });
});
