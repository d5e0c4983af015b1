// Test tokens: real keys, real signatures (jsonwebtoken), plus raw builders for
// the malformed and forged cases no honest library would produce.
import { generateKeyPairSync, createHmac, sign as cryptoSign, type KeyObject, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface TestKeyPair {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicPem: string;
  jwk(alg: string): JsonWebKey;
}

export function rsaKeyPair(kid: string): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return pair(kid, privateKey, publicKey);
}

export function ecKeyPair(kid: string, namedCurve = 'prime256v1'): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  return pair(kid, privateKey, publicKey);
}

export function edKeyPair(kid: string): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return pair(kid, privateKey, publicKey);
}

function pair(kid: string, privateKey: KeyObject, publicKey: KeyObject): TestKeyPair {
  return {
    kid,
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    jwk: (alg) => ({ ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }),
  };
}

export const nowS = (): number => Math.floor(Date.now() / 1000);

/** A signed token via jsonwebtoken (the honest path). The payload's own `iat` is kept
 * (none is added when it has none); `keyid` only when given (jsonwebtoken refuses undefined). */
export function signJwt(payload: Record<string, unknown>, key: KeyObject | string, alg: jwt.Algorithm, kid?: string): string {
  return jwt.sign({ ...payload }, key, { algorithm: alg, noTimestamp: payload.iat === undefined, ...(kid === undefined ? {} : { keyid: kid }) });
}

/** A token assembled by hand: any header, any payload, a chosen signature. */
export function rawToken(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}

/** HS256 over header.payload with any secret: the HS/RS confusion attack uses the public PEM. */
export function hs256With(secret: string | Buffer, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const unsigned = rawToken(header, payload).slice(0, -1);
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** EdDSA signing (jsonwebtoken 9 cannot): header.payload signed with node:crypto. */
export function signEdDsa(payload: Record<string, unknown>, key: KeyObject, kid?: string): string {
  const unsigned = rawToken({ alg: 'EdDSA', typ: 'JWT', ...(kid ? { kid } : {}) }, payload).slice(0, -1);
  return `${unsigned}.${cryptoSign(null, Buffer.from(unsigned), key).toString('base64url')}`;
}
