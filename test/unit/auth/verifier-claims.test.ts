// The claim rules hold the same way on both verification paths: jsonwebtoken
// (RS/PS/ES/HS) and our own for EdDSA, which jsonwebtoken 9 cannot verify.
// One table, run through HS256 and EdDSA, must give the same verdicts.
import assert from 'node:assert/strict';
import { createSecretKey } from 'node:crypto';
import { JwtVerifier } from '../../../src/auth/jwt/verifier.js';
import type { JwtPolicySpec } from '../../../src/config/types.js';
import { CountingKeySource, jwtSpec } from '../../support/jwt-policy.js';
import { edKeyPair, hs256With, signEdDsa, type TestKeyPair } from '../../support/tokens.js';

const NOW = 1_700_000_000;
const ISS = 'https://id.example.com/';
const base = { sub: 'u', iat: NOW, exp: NOW + 60 };
type Row = [string, Record<string, unknown>, Partial<JwtPolicySpec>, string];

const ROWS: readonly Row[] = [
  ['a valid token', base, {}, 'ok'],
  ['exp equal to now', { ...base, exp: NOW }, {}, 'expired'],
  ['exp 29 s ago, tolerance 30 s', { ...base, exp: NOW - 29 }, { clockToleranceMs: 30_000 }, 'ok'],
  ['exp 30 s ago, tolerance 30 s', { ...base, exp: NOW - 30 }, { clockToleranceMs: 30_000 }, 'expired'],
  ['no exp', { sub: 'u' }, {}, 'expired'],
  ['no exp, requireExp off', { sub: 'u' }, { requireExp: false }, 'ok'],
  ['nbf 1 s ahead', { ...base, nbf: NOW + 1 }, {}, 'not-yet-valid'],
  ['nbf 30 s ahead, tolerance 30 s', { ...base, nbf: NOW + 30 }, { clockToleranceMs: 30_000 }, 'ok'],
  ['iat 1 s ahead', { ...base, iat: NOW + 1 }, {}, 'not-yet-valid'],
  ['iat 30 s ahead, tolerance 30 s', { ...base, iat: NOW + 30 }, { clockToleranceMs: 30_000 }, 'ok'],
  ['the issuer', { ...base, iss: ISS }, { issuer: ISS }, 'ok'],
  ['another issuer', { ...base, iss: 'https://evil/' }, { issuer: ISS }, 'claims'],
  ['no iss', base, { issuer: ISS }, 'claims'],
  ['aud string', { ...base, aud: 'orders' }, { audience: ['orders'] }, 'ok'],
  ['aud list containing the audience', { ...base, aud: ['x', 'orders'] }, { audience: ['orders'] }, 'ok'],
  ['aud of the second audience', { ...base, aud: 'billing' }, { audience: ['orders', 'billing'] }, 'ok'],
  ['another aud', { ...base, aud: 'x' }, { audience: ['orders'] }, 'claims'],
  ['no aud', base, { audience: ['orders'] }, 'claims'],
  ['no sub', { iat: NOW, exp: NOW + 60 }, {}, 'claims'],
  ['a string exp', { ...base, exp: String(NOW + 60) }, {}, 'expired'],
  ['a string nbf', { ...base, nbf: String(NOW - 60) }, {}, 'not-yet-valid'],
  ['a string iat', { ...base, iat: String(NOW) }, {}, 'not-yet-valid'],
  ['a numeric aud', { ...base, aud: 7 }, { audience: ['orders'] }, 'claims'],
];

describe('JWT claim rules on both verification paths', () => {
  let ed: TestKeyPair;
  const secretBytes = Buffer.alloc(32, 1);
  const secret = createSecretKey(secretBytes);
  before(() => {
    ed = edKeyPair('ed');
  });

  const paths = {
    // Signed by hand, so the payload goes out exactly as written (jsonwebtoken's sign refuses a string exp).
    HS256: () => ({ key: secret, sign: (p: Record<string, unknown>) => hs256With(secretBytes, { alg: 'HS256', typ: 'JWT' }, p) }),
    EdDSA: () => ({ key: ed.publicKey, sign: (p: Record<string, unknown>) => signEdDsa(p, ed.privateKey) }),
  };

  for (const [what, payload, spec, expected] of ROWS) {
    it(`${expected === 'ok' ? 'admits' : `refuses (${expected})`} ${what} on both paths`, async () => {
      const verdicts: Record<string, string> = {};
      for (const [alg, make] of Object.entries(paths)) {
        const { key, sign } = make();
        const verifier = new JwtVerifier(jwtSpec({ algorithms: [alg], ...spec }), new CountingKeySource(key), () => NOW);
        const verdict = await verifier.verify(sign(payload));
        verdicts[alg] = verdict.ok ? 'ok' : verdict.reason;
        verifier.close();
      }
      assert.deepEqual(verdicts, { HS256: expected, EdDSA: expected });
    });
  }
});
