import assert from 'node:assert/strict';
import { normalisePath } from '../../../src/routing/normalise.js';

describe('normalisePath', () => {
  describe('accepts a clean path and splits it into segments', () => {
    const accepted: ReadonlyArray<readonly [raw: string, path: string, segments: readonly string[]]> = [
      ['/', '/', ['']],
      ['/orders', '/orders', ['orders']],
      ['/orders/42', '/orders/42', ['orders', '42']],
      ['/m/', '/m/', ['m', '']],
      ['/orders?x=1', '/orders', ['orders']],
      ['/a?b/../c', '/a', ['a']],
      ['/a.b/..c/c..', '/a.b/..c/c..', ['a.b', '..c', 'c..']],
      ['/:id/*', '/:id/*', [':id', '*']],
    ];
    for (const [raw, path, segments] of accepted) {
      it(`${raw} → ${path}`, () => {
        assert.deepEqual(normalisePath(raw), { ok: true, path, segments, keys: segments });
      });
    }
  });

  describe('decodes percent-encoded unreserved characters (RFC 3986 §6.2.2.2)', () => {
    const decoded: ReadonlyArray<readonly [string, string]> = [
      ['/%7Euser', '/~user'],
      ['/%7euser', '/~user'],
      ['/%41%5a%61%7A%30%39', '/AZaz09'],
      ['/a%2Db%2Ec%5Fd', '/a-b.c_d'],
      ['/x%2e', '/x.'],
    ];
    for (const [raw, path] of decoded) {
      it(`${raw} → ${path}`, () => {
        const result = normalisePath(raw);
        assert.equal(result.ok && result.path, path);
      });
    }
  });

  describe('keeps every other escape byte for byte as sent (SPEC §2), matching on upper-case hex', () => {
    const kept: ReadonlyArray<readonly [raw: string, path: string, segments: readonly string[], keys: readonly string[]]> = [
      ['/a%2Fb', '/a%2Fb', ['a%2Fb'], ['a%2Fb']],
      ['/a%2fb', '/a%2fb', ['a%2fb'], ['a%2Fb']],
      ['/e/x%3f', '/e/x%3f', ['e', 'x%3f'], ['e', 'x%3F']],
      ['/%e2%82%AC', '/%e2%82%AC', ['%e2%82%AC'], ['%E2%82%AC']],
      ['/%25', '/%25', ['%25'], ['%25']],
      ['/%252e%252e', '/%252e%252e', ['%252e%252e'], ['%252e%252e']],
      ['/caf%c3%a9/x', '/caf%c3%a9/x', ['caf%c3%a9', 'x'], ['caf%C3%A9', 'x']],
      ['/a%20b/%3F', '/a%20b/%3F', ['a%20b', '%3F'], ['a%20b', '%3F']],
      ['/%7e%2f', '/~%2f', ['~%2f'], ['~%2F']],
    ];
    for (const [raw, path, segments, keys] of kept) {
      it(`${raw} → ${path}, matched as ${keys.join('/')}`, () => {
        assert.deepEqual(normalisePath(raw), { ok: true, path, segments, keys });
      });
    }

    it('shares one array for segments and keys when no escape has lower-case hex (no extra allocation)', () => {
      const result = normalisePath('/a%2Fb/c');
      assert.ok(result.ok);
      assert.equal(result.keys, result.segments);
    });
  });

  describe('refuses what could smuggle a different path (→ 400)', () => {
    const refused: ReadonlyArray<readonly [raw: string, reason: RegExp]> = [
      ['', /start with/],
      ['orders', /start with/],
      ['*', /start with/],
      ['?/a', /start with/],
      ['/a/../b', /"\." or "\.\."/],
      ['/a/./b', /"\." or "\.\."/],
      ['/..', /"\." or "\.\."/],
      ['/a/.', /"\." or "\.\."/],
      ['/a/%2e%2e/b', /"\." or "\.\."/],
      ['/a/%2E./b', /"\." or "\.\."/],
      ['/a/%2e', /"\." or "\.\."/],
      ['//a', /empty segment/],
      ['/a//b', /empty segment/],
      ['/a//', /empty segment/],
      ['/a\\b', /backslash/],
      ['/a%5Cb', /backslash/],
      ['/a%5cb', /backslash/],
      ['/a%00b', /%00/],
      ['/a%', /percent-encoding/],
      ['/a%4', /percent-encoding/],
      ['/a%G1', /percent-encoding/],
      ['/a%4?x', /percent-encoding/],
      ['/a%%41', /percent-encoding/],
    ];
    for (const [raw, reason] of refused) {
      it(`${JSON.stringify(raw)}`, () => {
        const result = normalisePath(raw);
        assert.equal(result.ok, false);
        assert.match(result.ok ? '' : result.reason, reason);
      });
    }
  });
});
