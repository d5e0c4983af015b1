// Which key may verify which algorithm. Checked before every verify, whatever
// the token's header says: an HS token is never verified with a public key, an
// RS token never with a secret, ES with the right curve only (RFC 7518 §3).
import type { KeyObject } from 'node:crypto';

const CURVE_OF: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

export function keyFitsAlgorithm(key: KeyObject, alg: string): boolean {
  if (alg.startsWith('HS')) return key.type === 'secret';
  if (key.type !== 'public') return false;
  const type = key.asymmetricKeyType;
  if (alg.startsWith('RS')) return type === 'rsa';
  if (alg.startsWith('PS')) return type === 'rsa' || type === 'rsa-pss';
  if (alg.startsWith('ES')) return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === CURVE_OF[alg];
  if (alg === 'EdDSA') return type === 'ed25519' || type === 'ed448';
  return false;
}
