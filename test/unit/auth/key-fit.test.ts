// Which key may verify which algorithm (RFC 7518 §3), whatever the token says:
// the RS/HS confusion and curve substitution are refused here.
import assert from 'node:assert/strict';
import { createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { keyFitsAlgorithm } from '../../../src/auth/jwt/key-fit.js';

const ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'none', 'ES256K'] as const;

/** Key kind → the algorithms it may verify; every other algorithm of ALGS must not fit. */
const FITS: ReadonlyArray<[string, () => KeyObject, readonly string[]]> = [
  ['an HMAC secret', () => createSecretKey(Buffer.alloc(32, 7)), ['HS256', 'HS384', 'HS512']],
  ['an RSA public key', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']],
  ['an RSA-PSS public key', () => generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).publicKey, ['PS256', 'PS384', 'PS512']],
  ['an EC P-256 public key', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey, ['ES256']],
  ['an EC P-384 public key', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey, ['ES384']],
  ['an EC P-521 public key', () => generateKeyPairSync('ec', { namedCurve: 'secp521r1' }).publicKey, ['ES512']],
  ['an EC secp256k1 public key', () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey, []],
  ['an Ed25519 public key', () => generateKeyPairSync('ed25519').publicKey, ['EdDSA']],
  ['an Ed448 public key', () => generateKeyPairSync('ed448').publicKey, ['EdDSA']],
  ['an X25519 public key', () => generateKeyPairSync('x25519').publicKey, []],
  ['an RSA private key', () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, []],
  ['an EC P-256 private key', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, []],
  ['an Ed25519 private key', () => generateKeyPairSync('ed25519').privateKey, []],
];

describe('key fit', () => {
  for (const [what, make, fits] of FITS) {
    describe(`with ${what}`, () => {
      let key: KeyObject;
      before(() => {
        key = make();
      });
      it(fits.length === 0 ? 'verifies no algorithm' : `verifies ${fits.join(', ')} and nothing else`, () => {
        const fitting = ALGS.filter((alg) => keyFitsAlgorithm(key, alg));
        assert.deepEqual(fitting, [...fits]);
      });
    });
  }
});
