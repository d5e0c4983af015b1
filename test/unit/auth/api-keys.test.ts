// API-key policies (SPEC §3): the presented key is looked up by its sha256; in a
// header or the query; empty, oversized and repeated keys are malformed.
import assert from 'node:assert/strict';
import { hashApiKey } from '../../../src/auth/api-key-material.js';
import { ApiKeyVerifier, withoutQueryParam } from '../../../src/auth/api-keys.js';
import type { ApiKeyEntry } from '../../../src/config/types.js';
import { fakeRequest } from '../../support/fake-request.js';
import { apiKeySpec } from '../../support/jwt-policy.js';

const ACME_KEY = 'acme-key-Zb3kF0q9xJm2Lr8pTt4wYc1vN6sHd5gE';
const GLOBEX_KEY = 'globex-key-Q1w2E3r4T5y6U7i8O9p0AaSsDdFfGgHh';
const entry = (id: string, key: string, rateLimit: string | null = null): ApiKeyEntry => ({ id, sha256: hashApiKey(key).slice('sha256:'.length), rateLimit });
const KEYS = [entry('acme', ACME_KEY), entry('globex', GLOBEX_KEY, 'gold')];

type Pairs = ReadonlyArray<readonly [string, string]>;

describe('API-key verifier', () => {
  describe('in a header', () => {
    const verifier = new ApiKeyVerifier(apiKeySpec({ in: 'header', paramName: 'x-api-key', keys: KEYS }));
    const outcome = (pairs: Pairs): string => {
      const verdict = verifier.verify(fakeRequest(pairs));
      return verdict.ok ? `key ${verdict.value.id}` : verdict.reason;
    };
    const rows: Array<[string, Pairs, string]> = [
      ["acme's key", [['X-API-Key', ACME_KEY]], 'key acme'],
      ["globex's key", [['X-API-Key', GLOBEX_KEY]], 'key globex'],
      ['the header name in another case', [['x-api-KEY', ACME_KEY]], 'key acme'],
      ['no header', [], 'missing'],
      ['the key in another header', [['X-Api-Token', ACME_KEY]], 'missing'],
      ['an unknown key', [['X-API-Key', 'not-a-key']], 'unknown-api-key'],
      ['a known key with a trailing character', [['X-API-Key', `${ACME_KEY}x`]], 'unknown-api-key'],
      ["a key's sha256 instead of the key", [['X-API-Key', KEYS[0]?.sha256 ?? '']], 'unknown-api-key'],
      ['an empty key', [['X-API-Key', '']], 'malformed'],
      ['a key over 1 KiB', [['X-API-Key', 'k'.repeat(1025)]], 'malformed'],
      ['the same key twice', [['X-API-Key', ACME_KEY], ['X-API-Key', ACME_KEY]], 'malformed'],
      ['two different keys', [['X-API-Key', ACME_KEY], ['x-api-key', GLOBEX_KEY]], 'malformed'],
    ];
    for (const [what, pairs, expected] of rows) {
      it(`${expected.startsWith('key') ? 'admits' : `answers ${expected} for`} ${what}`, () => assert.equal(outcome(pairs), expected));
    }

    it("returns the key's own rate-limit plan", () => {
      const verdict = verifier.verify(fakeRequest([['X-API-Key', GLOBEX_KEY]]));
      assert.deepEqual(verdict, { ok: true, value: { id: 'globex', sha256: KEYS[1]?.sha256, rateLimit: 'gold' } });
    });

    it('ignores the key in the query string', () => {
      assert.deepEqual(verifier.verify(fakeRequest([], `/x?x-api-key=${ACME_KEY}`)), { ok: false, reason: 'missing' });
    });
  });

  describe('in the query', () => {
    const verifier = new ApiKeyVerifier(apiKeySpec({ in: 'query', paramName: 'api_key', keys: KEYS }));
    const outcome = (url: string, pairs: Pairs = []): string => {
      const verdict = verifier.verify(fakeRequest(pairs, url));
      return verdict.ok ? `key ${verdict.value.id}` : verdict.reason;
    };
    const rows: Array<[string, string, string]> = [
      ["acme's key", `/orders?api_key=${ACME_KEY}`, 'key acme'],
      ['the key among other parameters', `/orders?a=1&api_key=${GLOBEX_KEY}&b=2`, 'key globex'],
      ['a percent-encoded key', `/orders?api_key=${encodeURIComponent(ACME_KEY).replace('a', '%61')}`, 'key acme'],
      ['no query', '/orders', 'missing'],
      ['a query without the parameter', '/orders?a=1', 'missing'],
      ['the parameter name in another case', `/orders?API_KEY=${ACME_KEY}`, 'missing'],
      ['an unknown key', '/orders?api_key=nope', 'unknown-api-key'],
      ['an empty key', '/orders?api_key=', 'malformed'],
      ['a bare parameter', '/orders?api_key', 'malformed'],
      ['the parameter twice', `/orders?api_key=${ACME_KEY}&api_key=${ACME_KEY}`, 'malformed'],
      ['a key over 1 KiB', `/orders?api_key=${'k'.repeat(1025)}`, 'malformed'],
    ];
    for (const [what, url, expected] of rows) {
      it(`${expected.startsWith('key') ? 'admits' : `answers ${expected} for`} ${what}`, () => assert.equal(outcome(url), expected));
    }

    it('ignores the key in a header', () => assert.equal(outcome('/orders', [['api_key', ACME_KEY]]), 'missing'));
  });

  describe('withoutQueryParam', () => {
    const rows: Array<[string, string, string]> = [
      ['', 'api_key', ''],
      ['?api_key=k', 'api_key', ''],
      ['?a=1&api_key=k', 'api_key', '?a=1'],
      ['?api_key=k&a=1', 'api_key', '?a=1'],
      ['?api_key=k&a=1&api_key=j', 'api_key', '?a=1'],
      ['?a=1&b=2', 'api_key', '?a=1&b=2'],
      ['?a=x%20y&b=%2F', 'api_key', '?a=x%20y&b=%2F'],
      ['?API_KEY=k', 'api_key', '?API_KEY=k'],
    ];
    for (const [query, name, expected] of rows) {
      it(`turns ${JSON.stringify(query)} into ${JSON.stringify(expected)}`, () => assert.equal(withoutQueryParam(query, name), expected));
    }

    // Regression: removing the key re-serialised the rest through URLSearchParams,
    // so the upstream saw other bytes than the client sent (a%20b → a+b, flag → flag=).
    it('keeps the other parameters byte for byte when it removes the key', () => {
      assert.equal(withoutQueryParam('?q=a%20b&api_key=k', 'api_key'), '?q=a%20b');
      assert.equal(withoutQueryParam('?flag&api_key=k', 'api_key'), '?flag');
      assert.equal(withoutQueryParam('?api_key=k&path=%2Fa%2Fb', 'api_key'), '?path=%2Fa%2Fb');
    });
  });
});
