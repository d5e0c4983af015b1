// Registered-claim checks (RFC 7519 §4.1; SPEC §3): exp/nbf/iat with the
// policy's tolerance, iss, aud as a string or a list, requireExp.
import assert from 'node:assert/strict';
import { checkGatehouseClaims, checkStandardClaims, type ClaimRules, type Claims } from '../../../src/auth/jwt/claims.js';

const NOW = 1_700_000_000;
const RULES: ClaimRules = { issuer: null, audience: null, clockToleranceS: 0, requireExp: true };
type Row = [string, Claims, Partial<ClaimRules>, string];

const outcome = (check: typeof checkStandardClaims, claims: Claims, rules: Partial<ClaimRules>): string => {
  const verdict = check(claims, { ...RULES, ...rules }, NOW);
  return verdict.ok ? 'ok' : verdict.reason;
};

function table(check: typeof checkStandardClaims, rows: readonly Row[]): void {
  for (const [what, claims, rules, expected] of rows) {
    it(`${expected === 'ok' ? 'accepts' : `refuses (${expected})`} ${what}`, () => assert.equal(outcome(check, claims, rules), expected));
  }
}

const T30 = { clockToleranceS: 30 };

describe('claims', () => {
  describe('exp', () => {
    table(checkStandardClaims, [
      ['exp one second ahead', { exp: NOW + 1 }, {}, 'ok'],
      ['exp equal to now (RFC 7519 §4.1.4: on or after exp is expired)', { exp: NOW }, {}, 'expired'],
      ['exp one second ago', { exp: NOW - 1 }, {}, 'expired'],
      ['exp 29 s ago with 30 s tolerance', { exp: NOW - 29 }, T30, 'ok'],
      ['exp exactly 30 s ago with 30 s tolerance', { exp: NOW - 30 }, T30, 'expired'],
      ['a string exp', { exp: String(NOW + 60) }, {}, 'expired'],
      ['no exp (left to requireExp)', {}, {}, 'ok'],
    ]);
  });

  describe('nbf', () => {
    table(checkStandardClaims, [
      ['nbf equal to now', { nbf: NOW }, {}, 'ok'],
      ['nbf one second ahead', { nbf: NOW + 1 }, {}, 'not-yet-valid'],
      ['nbf exactly 30 s ahead with 30 s tolerance', { nbf: NOW + 30 }, T30, 'ok'],
      ['nbf 31 s ahead with 30 s tolerance', { nbf: NOW + 31 }, T30, 'not-yet-valid'],
      ['a string nbf', { nbf: String(NOW - 60) }, {}, 'not-yet-valid'],
    ]);
  });

  describe('iat and requireExp (what every policy adds)', () => {
    table(checkGatehouseClaims, [
      ['iat equal to now', { exp: NOW + 60, iat: NOW }, {}, 'ok'],
      ['iat one second in the future', { exp: NOW + 60, iat: NOW + 1 }, {}, 'not-yet-valid'],
      ['iat 30 s in the future with 30 s tolerance', { exp: NOW + 60, iat: NOW + 30 }, T30, 'ok'],
      ['iat 31 s in the future with 30 s tolerance', { exp: NOW + 60, iat: NOW + 31 }, T30, 'not-yet-valid'],
      ['a string iat', { exp: NOW + 60, iat: String(NOW) }, {}, 'not-yet-valid'],
      ['no exp when requireExp is on', { iat: NOW }, {}, 'expired'],
      ['a string exp when requireExp is on', { exp: String(NOW + 60) }, {}, 'expired'],
      ['no exp when requireExp is off', { iat: NOW }, { requireExp: false }, 'ok'],
    ]);
  });

  describe('iss', () => {
    const ISS = { issuer: 'https://id.example.com/' };
    table(checkStandardClaims, [
      ['the configured issuer', { iss: 'https://id.example.com/' }, ISS, 'ok'],
      ['another issuer', { iss: 'https://evil.example.com/' }, ISS, 'claims'],
      ['the issuer without its trailing slash', { iss: 'https://id.example.com' }, ISS, 'claims'],
      ['no iss when an issuer is set', {}, ISS, 'claims'],
      ['an issuer given as a list', { iss: ['https://id.example.com/'] }, ISS, 'claims'],
      ['any iss when no issuer is set', { iss: 'whoever' }, {}, 'ok'],
    ]);
  });

  describe('aud', () => {
    const ONE = { audience: ['orders-api'] };
    const TWO = { audience: ['orders-api', 'billing-api'] };
    table(checkStandardClaims, [
      ['aud equal to the audience', { aud: 'orders-api' }, ONE, 'ok'],
      ['another aud', { aud: 'other-api' }, ONE, 'claims'],
      ['an aud list containing the audience', { aud: ['other-api', 'orders-api'] }, ONE, 'ok'],
      ['an aud list without the audience', { aud: ['other-api'] }, ONE, 'claims'],
      ['an empty aud list', { aud: [] }, ONE, 'claims'],
      ['no aud when an audience is set', {}, ONE, 'claims'],
      ['a numeric aud list', { aud: [1, 2] }, ONE, 'claims'],
      ['an aud matching the second of two audiences', { aud: 'billing-api' }, TWO, 'ok'],
      ['an aud list meeting one of two audiences', { aud: ['x', 'billing-api'] }, TWO, 'ok'],
      ['an aud that only prefixes the audience', { aud: 'orders' }, ONE, 'claims'],
      ['any aud when no audience is set', { aud: 'whatever' }, {}, 'ok'],
    ]);
  });
});
