// Verified tokens, remembered until their exp (SPEC §3: "A verified token may be
// cached until its exp"), so a mobile app's repeated calls cost one hash and a
// lookup instead of a signature check. Keyed by the token's sha256, never the
// token itself; bounded in size.
import { hash } from 'node:crypto';
import NodeCache from 'node-cache';

const MAX_ENTRIES = 10_000;
const SWEEP_EVERY_MS = 60_000;

interface Entry<T> {
  readonly value: T;
  readonly expS: number;
}

export class TokenCache<T> {
  // useClones: false — node-cache deep-clones every value by default.
  // checkperiod: 0 — node-cache's sweep timer keeps the cache reachable forever,
  // and a config reload builds new verifiers without closing the old ones: every
  // reload leaked each JWT policy's cache (token-cache.test.ts: ~6 MB kept by 50).
  // Expired entries are swept from `set` instead, at most once a minute.
  readonly #cache = new NodeCache({ stdTTL: 0, checkperiod: 0, useClones: false, maxKeys: MAX_ENTRIES, deleteOnExpire: true });
  #nextSweepMs = Date.now() + SWEEP_EVERY_MS;

  static keyOf(token: string): string {
    return hash('sha256', token, 'base64url'); // one-shot: no Hash object per request
  }

  /**
   * The entry, while `nowS` (the verifier's clock) is before its exp. node-cache's
   * own TTL is whole seconds from Date.now(), so it alone served a token up to a
   * second past its exp; it only evicts here.
   */
  get(key: string, nowS: number): T | undefined {
    const entry = this.#cache.get<Entry<T>>(key);
    return entry !== undefined && nowS < entry.expS ? entry.value : undefined;
  }

  /** Remember until `expS` (seconds since the epoch); tokens without exp are not cached. */
  set(key: string, value: T, expS: number | null, nowS: number): void {
    if (expS === null || nowS >= expS) return;
    this.#sweepIfDue();
    try {
      this.#cache.set<Entry<T>>(key, { value, expS }, Math.ceil(expS - nowS));
    } catch {
      // Full (ECACHEFULL): the token is simply verified again next time.
    }
  }

  close(): void {
    this.#cache.close();
  }

  #sweepIfDue(): void {
    const now = Date.now();
    if (now < this.#nextSweepMs) return;
    this.#nextSweepMs = now + SWEEP_EVERY_MS;
    this.#cache.mget(this.#cache.keys()); // a read drops expired entries (deleteOnExpire)
  }
}
