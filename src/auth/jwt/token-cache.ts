// Verified tokens, remembered until their exp (SPEC §3: "A verified token may be
// cached until its exp"), so a mobile app's repeated calls cost one hash and a
// lookup instead of a signature check. Keyed by the token's sha256, never the
// token itself; bounded in size.
import { createHash } from 'node:crypto';
import NodeCache from 'node-cache';

const MAX_ENTRIES = 10_000;

export class TokenCache<T> {
  // useClones: false — node-cache deep-clones every value by default.
  readonly #cache = new NodeCache({ stdTTL: 0, checkperiod: 60, useClones: false, maxKeys: MAX_ENTRIES, deleteOnExpire: true });

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get(key: string): T | undefined {
    return this.#cache.get<T>(key);
  }

  /** Remember until `expS` (seconds since the epoch); tokens without exp are not cached. */
  set(key: string, value: T, expS: number | null, nowS: number): void {
    if (expS === null) return;
    const ttl = Math.floor(expS - nowS);
    if (ttl <= 0) return;
    try {
      this.#cache.set(key, value, ttl);
    } catch {
      // Full (ECACHEFULL): the token is simply verified again next time.
    }
  }

  close(): void {
    this.#cache.close();
  }
}
