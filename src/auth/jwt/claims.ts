// Registered-claim checks (RFC 7519 §4.1) that jsonwebtoken leaves to us, or
// that EdDSA tokens (which jsonwebtoken 9 cannot verify) need in full.
import { refuse, type Verdict } from '../failure.js';

export interface ClaimRules {
  readonly issuer: string | null;
  readonly audience: readonly string[] | null;
  readonly clockToleranceS: number;
  readonly requireExp: boolean;
}

export type Claims = Readonly<Record<string, unknown>>;

/** exp/nbf/iss/aud: what jsonwebtoken checks for the other algorithms. */
export function checkStandardClaims(claims: Claims, rules: ClaimRules, nowS: number): Verdict<Claims> {
  const { exp, nbf, iss, aud } = claims;
  if (exp !== undefined && (typeof exp !== 'number' || nowS >= exp + rules.clockToleranceS)) return refuse('expired');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowS + rules.clockToleranceS)) return refuse('not-yet-valid');
  if (rules.issuer !== null && iss !== rules.issuer) return refuse('claims');
  if (rules.audience !== null && !audienceMatches(aud, rules.audience)) return refuse('claims');
  return { ok: true, value: claims };
}

/** What every policy adds: exp required by default, iat not in the future (SPEC §3). */
export function checkGatehouseClaims(claims: Claims, rules: ClaimRules, nowS: number): Verdict<Claims> {
  if (rules.requireExp && typeof claims.exp !== 'number') return refuse('expired');
  const iat = claims.iat;
  if (iat !== undefined && (typeof iat !== 'number' || iat > nowS + rules.clockToleranceS)) return refuse('not-yet-valid');
  return { ok: true, value: claims };
}

function audienceMatches(aud: unknown, wanted: readonly string[]): boolean {
  if (typeof aud === 'string') return wanted.includes(aud);
  return Array.isArray(aud) && aud.some((a) => typeof a === 'string' && wanted.includes(a));
}
