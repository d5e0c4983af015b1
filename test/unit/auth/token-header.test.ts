// The JOSE header read before any key is chosen (RFC 7515; SPEC §3).
import assert from 'node:assert/strict';
import { readTokenHeader } from '../../../src/auth/jwt/token-header.js';
import { rawToken } from '../../support/tokens.js';

const ALLOWED = new Set(['RS256', 'ES256']);
const b64 = (text: string): string => Buffer.from(text).toString('base64url');
const PAYLOAD = b64('{"sub":"u"}');
const verdictOf = (token: string): string => {
  const read = readTokenHeader(token, ALLOWED);
  return read.ok ? `ok kid=${String(read.value.kid)} alg=${read.value.alg}` : read.reason;
};

describe('token header', () => {
  describe('segments and encoding', () => {
    const rows: Array<[string, string, string]> = [
      ['two segments', `${b64('{"alg":"RS256"}')}.${PAYLOAD}`, 'malformed'],
      ['four segments', `${b64('{"alg":"RS256"}')}.${PAYLOAD}.c2ln.c2ln`, 'malformed'],
      ['an empty string', '', 'malformed'],
      ['an empty header', `.${PAYLOAD}.c2ln`, 'malformed'],
      ['an empty payload', `${b64('{"alg":"RS256"}')}..c2ln`, 'malformed'],
      ['an empty signature under an allowed alg', `${b64('{"alg":"RS256"}')}.${PAYLOAD}.`, 'malformed'],
      ['base64 "+" in a segment', `${b64('{"alg":"RS256"}')}.${PAYLOAD}.ab+c`, 'malformed'],
      ['base64 "/" in a segment', `${b64('{"alg":"RS256"}')}.${PAYLOAD}.ab/c`, 'malformed'],
      ['"=" padding', `${b64('{"alg":"RS256"}')}.${PAYLOAD}.c2ln=`, 'malformed'],
      ['a space in a segment', `${b64('{"alg":"RS256"}')}.${PAYLOAD}.c2 ln`, 'malformed'],
      ['a header that is not JSON', `${b64('{alg:RS256}')}.${PAYLOAD}.c2ln`, 'malformed'],
      ['a header that is a JSON array', `${b64('["RS256"]')}.${PAYLOAD}.c2ln`, 'malformed'],
      ['a header that is JSON null', `${b64('null')}.${PAYLOAD}.c2ln`, 'malformed'],
      ['a header that is a JSON string', `${b64('"RS256"')}.${PAYLOAD}.c2ln`, 'malformed'],
      ['a well-formed RS256 token', `${b64('{"alg":"RS256"}')}.${PAYLOAD}.c2ln`, 'ok kid=null alg=RS256'],
      ['url-safe characters "-" and "_"', `${b64('{"alg":"RS256"}')}.${PAYLOAD}.a-b_c`, 'ok kid=null alg=RS256'],
    ];
    for (const [what, token, expected] of rows) {
      it(`${expected.startsWith('ok') ? 'reads' : 'refuses'} ${what}${expected.startsWith('ok') ? '' : ` as ${expected}`}`, () => assert.equal(verdictOf(token), expected));
    }

    it('refuses a token over 8 KiB before decoding anything', () => {
      const long = `${b64('{"alg":"RS256"}')}.${'A'.repeat(8 * 1024)}.c2ln`;
      assert.equal(verdictOf(long), 'malformed');
    });

    it('reads a token of exactly 8 KiB', () => {
      const head = `${b64('{"alg":"RS256"}')}.`;
      const token = `${head}${'A'.repeat(8 * 1024 - head.length - 5)}.c2ln`;
      assert.equal(token.length, 8 * 1024);
      assert.equal(verdictOf(token), 'ok kid=null alg=RS256');
    });
  });

  describe('the algorithm allow-list', () => {
    const rows: Array<[string, Record<string, unknown>, string]> = [
      ['none', { alg: 'none' }, 'algorithm'],
      ['NONE', { alg: 'NONE' }, 'algorithm'],
      ['nOnE', { alg: 'nOnE' }, 'algorithm'],
      ['an algorithm the policy does not list (HS256)', { alg: 'HS256' }, 'algorithm'],
      ['a listed algorithm in the wrong case (rs256)', { alg: 'rs256' }, 'algorithm'],
      ['a header without alg', { typ: 'JWT' }, 'algorithm'],
      ['a numeric alg', { alg: 256 }, 'algorithm'],
      ['an alg that names an Object.prototype member', { alg: 'constructor' }, 'algorithm'],
      ['ES256 (listed)', { alg: 'ES256' }, 'ok kid=null alg=ES256'],
    ];
    for (const [what, header, expected] of rows) {
      it(`${expected.startsWith('ok') ? 'accepts' : 'refuses'} ${what}`, () => assert.equal(verdictOf(rawToken(header, { sub: 'u' }, 'c2ln')), expected));
    }

    for (const alg of ['none', 'NONE', 'nOnE']) {
      it(`counts an unsecured token (alg ${alg}, empty signature, RFC 7519 §6) as algorithm, not malformed`, () =>
        assert.equal(verdictOf(rawToken({ alg }, { sub: 'u' })), 'algorithm'));
    }
  });

  describe('crit, kid and headers that would bring a key', () => {
    const rows: Array<[string, Record<string, unknown>, string]> = [
      ['crit naming an extension', { alg: 'RS256', crit: ['b64'], b64: false }, 'algorithm'],
      ['an empty crit list', { alg: 'RS256', crit: [] }, 'algorithm'],
      ['crit: null', { alg: 'RS256', crit: null }, 'algorithm'],
      ['a numeric kid', { alg: 'RS256', kid: 7 }, 'malformed'],
      ['a null kid', { alg: 'RS256', kid: null }, 'malformed'],
      ['an object kid', { alg: 'RS256', kid: { id: 'a' } }, 'malformed'],
      ['a string kid', { alg: 'RS256', kid: 'key-1' }, 'ok kid=key-1 alg=RS256'],
      ['jku, x5u and jwk headers (read, never followed)', { alg: 'RS256', kid: 'k', jku: 'http://evil/jwks', x5u: 'http://evil/x5c', jwk: { kty: 'oct', k: 'AA' } }, 'ok kid=k alg=RS256'],
    ];
    for (const [what, header, expected] of rows) {
      it(`${expected.startsWith('ok') ? 'reads' : 'refuses'} ${what}${expected.startsWith('ok') ? '' : ` as ${expected}`}`, () =>
        assert.equal(verdictOf(rawToken(header, { sub: 'u' }, 'c2ln')), expected));
    }

    it('returns only alg and kid, so a jwk header cannot reach key selection', () => {
      const read = readTokenHeader(rawToken({ alg: 'RS256', jwk: { kty: 'RSA' } }, {}, 'c2ln'), ALLOWED);
      assert.deepEqual(read, { ok: true, value: { alg: 'RS256', kid: null } });
    });
  });
});
