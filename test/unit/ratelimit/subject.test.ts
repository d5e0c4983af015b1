// Whose bucket a request fills (SPEC §3 `key`), and the fallbacks to the client
// IP: `consumer` on a public route, an absent header or claim.
import assert from 'node:assert/strict';
import type { RateLimitKey } from '../../../src/config/types.js';
import { subjectOf, type SubjectFacts } from '../../../src/ratelimit/subject.js';
import { fakeRequest } from '../../support/fake-request.js';
import { route } from '../routing/route-fixtures.js';

function facts(overrides: Partial<SubjectFacts> = {}, headers: Array<[string, string]> = []): SubjectFacts {
  return { route: route('orders', '/orders'), clientIp: '203.0.113.7', consumer: null, claims: null, req: fakeRequest(headers), ...overrides };
}

const tenant: RateLimitKey = { kind: 'header', name: 'x-tenant' }; // config lower-cases header names

describe('rate-limit subject', () => {
  it('key: ip is the client IP', () => {
    assert.equal(subjectOf({ kind: 'ip' }, facts()), 'ip:203.0.113.7');
  });

  describe('key: consumer', () => {
    it('is the consumer when authenticated', () => {
      assert.equal(subjectOf({ kind: 'consumer' }, facts({ consumer: 'acme' })), 'consumer:acme');
      assert.equal(subjectOf({ kind: 'consumer' }, facts({ consumer: 'mobile:user-42' })), 'consumer:mobile:user-42');
    });

    it('falls back to the client IP on a public route', () => {
      assert.equal(subjectOf({ kind: 'consumer' }, facts()), 'ip:203.0.113.7');
    });
  });

  it('key: route is the route name, whoever the client', () => {
    assert.equal(subjectOf({ kind: 'route' }, facts({ consumer: 'acme' })), 'route:orders');
    assert.equal(subjectOf({ kind: 'route' }, facts({ clientIp: '198.51.100.1' })), 'route:orders');
  });

  describe('key: header:NAME', () => {
    it('is the header value, whatever the case of the name on the wire', () => {
      assert.equal(subjectOf(tenant, facts({}, [['X-TENANT', 'globex']])), 'header:globex');
    });

    it('falls back to the client IP when the header is absent or empty', () => {
      assert.equal(subjectOf(tenant, facts()), 'ip:203.0.113.7');
      assert.equal(subjectOf(tenant, facts({}, [['X-Tenant', '']])), 'ip:203.0.113.7');
    });

    it('never shares a bucket with the IP fallback, even when the value is that IP', () => {
      assert.notEqual(subjectOf(tenant, facts({}, [['X-Tenant', '203.0.113.7']])), subjectOf(tenant, facts()));
    });

    it('hashes a long value, so a client cannot make a key of any size', () => {
      const long = 'x'.repeat(10_000);
      const subject = subjectOf(tenant, facts({}, [['X-Tenant', long]]));
      assert.ok(subject.length < 100, subject);
      assert.equal(subject, subjectOf(tenant, facts({}, [['X-Tenant', long]])), 'stable');
      assert.notEqual(subject, subjectOf(tenant, facts({}, [['X-Tenant', `${long}y`]])));
    });
  });

  describe('key: claim:NAME', () => {
    const org: RateLimitKey = { kind: 'claim', name: 'org' };

    it('is the claim value (a non-string claim as JSON)', () => {
      assert.equal(subjectOf(org, facts({ claims: { org: 'initech' } })), 'claim:initech');
      assert.equal(subjectOf(org, facts({ claims: { org: { id: 7 } } })), 'claim:{"id":7}');
    });

    it('falls back to the client IP when the claim is absent, null, or there is no token', () => {
      assert.equal(subjectOf(org, facts({ claims: { sub: 'user-42' } })), 'ip:203.0.113.7');
      assert.equal(subjectOf(org, facts({ claims: { org: null } })), 'ip:203.0.113.7');
      assert.equal(subjectOf(org, facts()), 'ip:203.0.113.7');
    });
  });
});
