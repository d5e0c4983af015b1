// RateLimit-Policy and RateLimit (SPEC §4) for the limit with the fewest tokens
// left; ties to the first policy, then the first limit; Retry-After ≥ 1.
import assert from 'node:assert/strict';
import { policyHeaderValue, rateLimitHeaders, retryAfterSeconds, type ReportedLimit } from '../../../src/ratelimit/headers.js';

const entry = (policy: string, requests: number, perMs: number, burst: number, remaining: number, resetMs: number): ReportedLimit => ({
  policy,
  limit: { requests, perMs, burst },
  report: { remaining, resetMs },
  policyHeader: policyHeaderValue(policy, { requests, perMs, burst }),
});

describe('rate-limit headers', () => {
  it('describe the limit with the fewest tokens left', () => {
    const headers = rateLimitHeaders([entry('roomy', 100, 1000, 0, 99, 10), entry('scarce', 10, 60_000, 0, 3, 42_001)]);
    assert.deepEqual(headers, { 'ratelimit-policy': '"scarce";q=10;w=60', ratelimit: '"scarce";r=3;t=43' });
  });

  it('add gatehouse-burst when the limit has a burst', () => {
    assert.equal(rateLimitHeaders([entry('b', 100, 1000, 50, 149, 10)])['ratelimit-policy'], '"b";q=100;w=1;gatehouse-burst=50');
  });

  it('break ties by order: the first policy of the route, then the first limit of the policy', () => {
    assert.equal(rateLimitHeaders([entry('first', 5, 1000, 0, 2, 1), entry('second', 5, 1000, 0, 2, 1)]).ratelimit, '"first";r=2;t=1');
    const oneP = rateLimitHeaders([entry('p', 5, 3_600_000, 0, 2, 1), entry('p', 5, 60_000, 0, 2, 1)]);
    assert.equal(oneP['ratelimit-policy'], '"p";q=5;w=3600');
  });

  it('are absent when no limit applies', () => {
    assert.deepEqual(rateLimitHeaders([]), {});
  });

  it('round t and Retry-After up to whole seconds, Retry-After at least 1', () => {
    assert.equal(rateLimitHeaders([entry('p', 1, 1000, 0, 0, 1)]).ratelimit, '"p";r=0;t=1');
    assert.equal(rateLimitHeaders([entry('p', 1, 1000, 0, 1, 0)]).ratelimit, '"p";r=1;t=0');
    assert.deepEqual([0, 1, 999, 1000, 1001].map(retryAfterSeconds), [1, 1, 1, 1, 2]);
  });
});
