// `Authorization: Bearer` only (SPEC §3; RFC 6750 §2.1, scheme case-insensitive).
import assert from 'node:assert/strict';
import { bearerToken, MAX_TOKEN_BYTES } from '../../../src/auth/bearer.js';
import { fakeRequest } from '../../support/fake-request.js';

const outcome = (pairs: ReadonlyArray<readonly [string, string]>): string => {
  const verdict = bearerToken(fakeRequest(pairs));
  return verdict.ok ? `token ${verdict.value}` : verdict.reason;
};

describe('bearer token', () => {
  const rows: Array<[string, ReadonlyArray<readonly [string, string]>, string]> = [
    ['no Authorization header', [], 'missing'],
    ['Bearer abc', [['Authorization', 'Bearer abc']], 'token abc'],
    ['bearer abc (lower-case scheme)', [['Authorization', 'bearer abc']], 'token abc'],
    ['BEARER abc (upper-case scheme)', [['Authorization', 'BEARER abc']], 'token abc'],
    ['BeArEr abc (mixed-case scheme)', [['Authorization', 'BeArEr abc']], 'token abc'],
    ['extra spaces between scheme and token', [['Authorization', 'Bearer    abc']], 'token abc'],
    ['trailing spaces after the token', [['Authorization', 'Bearer abc   ']], 'token abc'],
    ['token68 padding', [['Authorization', 'Bearer a.b.c==']], 'token a.b.c=='],
    ['a lower-case header name', [['authorization', 'Bearer abc']], 'token abc'],
    ['an empty header value', [['Authorization', '']], 'missing'],
    ['another scheme (Basic)', [['Authorization', 'Basic dXNlcjpwYXNz']], 'missing'],
    ['a scheme that only starts with bearer', [['Authorization', 'Bearerabc']], 'missing'],
    ['Bearer without a token', [['Authorization', 'Bearer']], 'malformed'],
    ['Bearer and only spaces', [['Authorization', 'Bearer   ']], 'malformed'],
    ['a tab between scheme and token', [['Authorization', 'Bearer\tabc']], 'malformed'],
    ['two tokens', [['Authorization', 'Bearer abc def']], 'malformed'],
    ['padding before the token', [['Authorization', 'Bearer =abc']], 'malformed'],
    ['a comma in the token', [['Authorization', 'Bearer a,b']], 'malformed'],
    ['two Authorization headers', [['Authorization', 'Bearer abc'], ['Authorization', 'Bearer def']], 'malformed'],
    ['two Authorization headers with one token', [['Authorization', 'Bearer abc'], ['authorization', 'Bearer abc']], 'malformed'],
    ['two Authorization headers, the first not Bearer', [['AUTHORIZATION', 'Basic eA=='], ['Authorization', 'Bearer abc']], 'malformed'],
  ];
  for (const [what, pairs, expected] of rows) {
    it(`${expected.startsWith('token') ? 'reads' : `answers ${expected} for`} ${what}`, () => assert.equal(outcome(pairs), expected));
  }

  it('reads an 8 KiB token', () => {
    const token = 'a'.repeat(MAX_TOKEN_BYTES);
    assert.equal(outcome([['Authorization', `Bearer ${token}`]]), `token ${token}`);
  });

  it('refuses a header well over 8 KiB before matching it', () => {
    assert.equal(outcome([['Authorization', `Bearer ${'a'.repeat(MAX_TOKEN_BYTES + 17)}`]]), 'malformed');
  });

  it('never takes a token from the query string', () => {
    assert.equal(bearerToken(fakeRequest([], '/x?access_token=abc')).ok, false);
  });
});
