// The compiled CORS answers (SPEC §3): what a page on an allowed origin may read.
import assert from 'node:assert/strict';
import type { CorsPolicySpec } from '../../../src/config/types.js';
import { compileCors } from '../../../src/http/cors.js';

const APP = 'https://app.example.test';

function policy(fields: Partial<CorsPolicySpec>): CorsPolicySpec {
  return { name: 'web', position: { file: 'p.yaml', line: 1, col: 1 }, origins: [APP], methods: ['GET'], headers: [], exposeHeaders: [], credentials: false, maxAgeSeconds: null, ...fields };
}

describe('cors: compiled answers', () => {
  it('expose the default set and Timing-Allow-Origin for the origin on an ordinary response', () => {
    const headers = compileCors(policy({})).responseHeaders(APP);
    assert.equal(headers['access-control-expose-headers'], 'X-Request-Id, RateLimit, RateLimit-Policy, Retry-After, Server-Timing');
    assert.equal(headers['timing-allow-origin'], APP);
  });

  it("add a policy's exposeHeaders after the defaults, each name once whatever its case", () => {
    const headers = compileCors(policy({ exposeHeaders: ['X-Trace', 'x-request-id', 'ETag'] })).responseHeaders(APP);
    assert.equal(headers['access-control-expose-headers'], 'X-Request-Id, RateLimit, RateLimit-Policy, Retry-After, Server-Timing, X-Trace, ETag');
  });

  it('answer `*` policies with Timing-Allow-Origin: * (no Vary)', () => {
    const headers = compileCors(policy({ origins: ['*'] })).responseHeaders('https://any.example.test');
    assert.equal(headers['timing-allow-origin'], '*');
    assert.equal(headers.vary, undefined);
  });

  it('leave expose and timing headers off the preflight, and give an origin not allowed nothing', () => {
    const cors = compileCors(policy({}));
    assert.equal(cors.preflightHeaders(APP)['access-control-expose-headers'], undefined);
    assert.equal(cors.preflightHeaders(APP)['timing-allow-origin'], undefined);
    assert.deepEqual(cors.responseHeaders('https://evil.example.test'), {});
  });

  it('hand every request of one origin the same frozen object (prepared at load, not built per request)', () => {
    const cors = compileCors(policy({ exposeHeaders: ['X-Trace'] }));
    assert.equal(cors.responseHeaders(APP), cors.responseHeaders(APP));
    assert.ok(Object.isFrozen(cors.responseHeaders(APP)));
  });
});
