// `gatehouse token` (development only): sign a test token with a local private
// key or an HS secret from the environment, to call JWT routes without an
// identity provider.
import { createPrivateKey, createSecretKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';

export interface DevTokenRequest {
  /** A PEM private key file, or null to use `secretEnv`. */
  readonly keyFile: string | null;
  readonly secretEnv: string | null;
  readonly alg: string;
  readonly subject: string;
  readonly issuer: string | null;
  readonly audience: string | null;
  readonly scope: string | null;
  readonly ttlSeconds: number;
  readonly kid: string | null;
  readonly extraClaims: Readonly<Record<string, unknown>>;
}

export function signDevToken(request: DevTokenRequest): string {
  const key = signingKey(request);
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { ...request.extraClaims, sub: request.subject, iat: now, exp: now + request.ttlSeconds };
  if (request.issuer) payload.iss = request.issuer;
  if (request.audience) payload.aud = request.audience;
  if (request.scope) payload.scope = request.scope;
  if (request.alg === 'EdDSA') return signEdDsa(payload, key, request.kid);
  const options: jwt.SignOptions = { algorithm: request.alg as jwt.Algorithm, noTimestamp: true };
  if (request.kid) options.keyid = request.kid; // jsonwebtoken refuses an undefined keyid
  return jwt.sign(payload, key, options);
}

function signingKey(request: DevTokenRequest): KeyObject {
  if (request.keyFile) return createPrivateKey(readFileSync(request.keyFile));
  const secret = request.secretEnv ? process.env[request.secretEnv] : undefined;
  if (!secret) throw new Error('give --key FILE, or --secret-env VAR naming a set variable');
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** jsonwebtoken 9 cannot sign EdDSA; the compact form is simple enough to build. */
function signEdDsa(payload: Record<string, unknown>, key: KeyObject, kid: string | null): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'EdDSA', typ: 'JWT', ...(kid ? { kid } : {}) })}.${part(payload)}`;
  return `${unsigned}.${cryptoSign(null, Buffer.from(unsigned), key).toString('base64url')}`;
}
