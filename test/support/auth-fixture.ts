// Key material, policies and request helpers for the auth-*.test.ts files: one
// key pair per JWT policy plus attacker keys, API keys with their hashes, and
// raw requests whose refusals are checked as SPEC §4 describes them.
import assert from 'node:assert/strict';
import { constants, createHash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { rawRequest, type RawReply } from './raw-http.js';
import { ecKeyPair, edKeyPair, nowS, rsaKeyPair, type TestKeyPair } from './tokens.js';

export const ISSUER = 'https://id.gatehouse.test/';
export const AUDIENCE = ['orders-api', 'billing-api'];
export const HS_ENV = 'AUTH_TEST_HS_SECRET';
export const REALM = 'Bearer realm="gatehouse"';
export const INVALID_TOKEN = `${REALM}, error="invalid_token"`;

/** The `reason` member of a refusal's problem+json body (and the metric label). */
export type RefusalReason =
  | 'missing'
  | 'malformed'
  | 'algorithm'
  | 'unknown-key'
  | 'signature'
  | 'expired'
  | 'not-yet-valid'
  | 'claims'
  | 'unknown-api-key'
  | 'scope';

export interface AuthMint {
  readonly rs: TestKeyPair;
  readonly ps: TestKeyPair;
  readonly es: TestKeyPair;
  readonly ed: TestKeyPair;
  readonly jwksRsa: TestKeyPair;
  readonly jwksEc: TestKeyPair;
  /** Keys no policy trusts. */
  readonly attackerRsa: TestKeyPair;
  readonly attackerEc: TestKeyPair;
  readonly attackerEd: TestKeyPair;
  readonly es384: TestKeyPair;
  /** ≥ 32 bytes (the gateway refuses shorter HS secrets at load). */
  readonly hsSecret: string;
  readonly apiKeys: { readonly acme: string; readonly globex: string; readonly initech: string };
}

export function makeMint(): AuthMint {
  return {
    rs: rsaKeyPair('rs-static'),
    ps: rsaKeyPair('ps-static'),
    es: ecKeyPair('es-static'),
    ed: edKeyPair('ed-static'),
    jwksRsa: rsaKeyPair('jwks-rsa'),
    jwksEc: ecKeyPair('jwks-ec'),
    attackerRsa: rsaKeyPair('attacker-rsa'),
    attackerEc: ecKeyPair('attacker-ec'),
    attackerEd: edKeyPair('attacker-ed'),
    es384: ecKeyPair('es384', 'secp384r1'),
    hsSecret: 'hs256-secret-for-the-auth-tests-0123456789abcdef',
    apiKeys: { acme: 'gh_acme_4b1d9c0e7f2a48d6b3e5a1c9f0d2e7b8', globex: 'gh_globex_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b', initech: 'gh_initech_0f1e2d3c4b5a69788796a5b4c3d2e1f0' },
  };
}

export const keyHash = (key: string): string => `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;

/** Claims that pass every JWT policy: issuer, audience, sub, iat now, exp in 10 minutes. */
export function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowS();
  return { sub: 'user-42', iss: ISSUER, aud: 'orders-api', iat: now, exp: now + 600, ...extra };
}

/** Claims with some removed (`missing exp`, `missing iss`, ...). */
export function claimsWithout(...names: string[]): Record<string, unknown> {
  const all = claims();
  for (const name of names) delete all[name];
  return all;
}

const COMMON = { issuer: ISSUER, audience: AUDIENCE, clockTolerance: '5s' };

/** The RS256 policy on a PEM public key. */
export const rsPolicy = (mint: AuthMint, forwardClaims: Record<string, string> = {}): Record<string, unknown> => ({
  type: 'jwt',
  algorithms: ['RS256'],
  publicKey: mint.rs.publicPem,
  ...COMMON,
  forwardClaims,
});

/** The JWT policies of the corpus (issuer, audience and a 5 s tolerance on each). */
export function jwtPolicies(mint: AuthMint, jwksUrl: string): Record<string, unknown> {
  return {
    rs: rsPolicy(mint),
    ps: { type: 'jwt', algorithms: ['PS256'], publicKey: mint.ps.publicPem, ...COMMON },
    es: { type: 'jwt', algorithms: ['ES256'], publicKey: mint.es.publicPem, ...COMMON },
    hs: { type: 'jwt', algorithms: ['HS256'], secretEnv: HS_ENV, ...COMMON },
    jwks: { type: 'jwt', algorithms: ['RS256', 'ES256'], jwksUri: jwksUrl, ...COMMON },
    ed: { type: 'jwt', algorithms: ['EdDSA'], publicKey: mint.ed.publicPem, ...COMMON },
  };
}

export function apiKeyPolicies(mint: AuthMint, headerKeys: ReadonlyArray<'acme' | 'globex'> = ['acme', 'globex']): Record<string, unknown> {
  return {
    'keys-header': { type: 'apiKey', in: 'header', name: 'X-API-Key', keys: headerKeys.map((id) => ({ id, hash: keyHash(mint.apiKeys[id]) })) },
    'keys-query': { type: 'apiKey', in: 'query', name: 'api_key', keys: [{ id: 'initech', hash: keyHash(mint.apiKeys.initech) }] },
  };
}

type SignedAlg = 'RS256' | 'PS256' | 'ES256' | 'ES384';

/**
 * The honest path (jsonwebtoken), unlike tokens.ts `sign`: a kid only when one is given
 * (jsonwebtoken 9 refuses `keyid: undefined`), and the payload's own iat kept
 * (`noTimestamp` deletes it, which would make every iat case vacuous).
 */
export { signJwt } from './tokens.js';

/** Sign header.payload by hand, so the header can carry anything (crit, jwk, jku, a numeric kid). */
export function signWith(alg: SignedAlg, key: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  return signSegments(alg, key, segment({ alg, typ: 'JWT', ...header }), segment(payload));
}

/** Sign two ready segments (for a header or payload that is not JSON). */
export function signSegments(alg: SignedAlg, key: KeyObject, head: string, body: string): string {
  const unsigned = `${head}.${body}`;
  const hash = `sha${alg.slice(2)}`;
  const signer =
    alg === 'PS256'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } // RFC 7518 §3.5: salt = hash size
      : alg.startsWith('ES')
        ? { key, dsaEncoding: 'ieee-p1363' as const } // RFC 7518 §3.4: R || S, not DER
        : key;
  return `${unsigned}.${cryptoSign(hash, Buffer.from(unsigned), signer).toString('base64url')}`;
}

/** One base64url segment: JSON for objects, the text itself for a string. */
export const segment = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The token with its payload segment replaced (the signature kept). */
export function withPayload(token: string, payload: Record<string, unknown>): string {
  const [head, , signature] = token.split('.');
  return `${head}.${segment(payload)}.${signature}`;
}

/** The token with its header segment replaced (the signature kept). */
export function withHeader(token: string, header: Record<string, unknown>): string {
  const [, body, signature] = token.split('.');
  return `${segment(header)}.${body}.${signature}`;
}

/** GET over a raw socket, so header lines go out exactly as written (duplicates, tabs, OWS). */
export function rawGet(port: number, target: string, headerLines: readonly string[] = []): Promise<RawReply> {
  const head = ['Host: gw.test', ...headerLines].map((line) => `${line}\r\n`).join('');
  return rawRequest(port, `GET ${target} HTTP/1.1\r\n${head}Connection: close\r\n\r\n`);
}

export interface Refusal {
  readonly status: 401 | 403;
  readonly reason?: RefusalReason;
  /** The exact WWW-Authenticate value, a pattern for it, or null when there must be none. */
  readonly challenge: string | RegExp | null;
}

/** A refusal as SPEC §4 has it: problem+json with the request id, the reason, the challenge. */
export function assertRefused(reply: RawReply, expected: Refusal): void {
  assert.equal(reply.status, expected.status, `expected ${expected.status}, got ${reply.status}: ${reply.body}`);
  assert.equal(reply.headers['content-type'], 'application/problem+json');
  const problem = JSON.parse(reply.body) as Record<string, unknown>;
  assert.equal(problem.status, expected.status);
  assert.equal(problem.requestId, reply.headers['x-request-id']);
  if (expected.reason !== undefined) assert.equal(problem.reason, expected.reason, `reason: ${reply.body}`);
  const challenge = reply.headers['www-authenticate'];
  if (expected.challenge === null) assert.equal(challenge, undefined, 'no Bearer challenge for an API-key route');
  else if (typeof expected.challenge === 'string') assert.equal(challenge, expected.challenge);
  else assert.match(String(challenge), expected.challenge);
}
