// API key material (SPEC §1 `keys new`, `keys hash`; §3): a key is 32 random
// bytes in base64url (256 bits of entropy); only its sha256 is ever stored.
import { createHash, randomBytes } from 'node:crypto';

const KEY_BYTES = 32;

export function newApiKey(prefix = ''): string {
  return prefix + randomBytes(KEY_BYTES).toString('base64url');
}

/** `sha256:<hex>`, the form policies store. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}
