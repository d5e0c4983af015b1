// A JWKS key set (SPEC §3): fetched with a timeout, cached, refreshed in the
// background; an unknown kid refetches at most once per 30 s; while the
// endpoint is down the last good keys keep working.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Logger } from '../../observability/logger.js';
import { fetchJson } from './fetch-json.js';

export type KeyLookup =
  | { readonly kind: 'key'; readonly key: KeyObject; readonly alg: string | null }
  | { readonly kind: 'unknown-kid' }
  | { readonly kind: 'kid-required' }
  | { readonly kind: 'unavailable' };

export interface JwksTiming {
  readonly fetchTimeoutMs: number;
  readonly refreshEveryMs: number;
  /** At most one unknown-kid refetch per this (SPEC §3: 30 s); also spaces the fetches
   * requests trigger while the set has never loaded. */
  readonly unknownKidCooldownMs: number;
}

export const DEFAULT_JWKS_TIMING: JwksTiming = { fetchTimeoutMs: 5000, refreshEveryMs: 10 * 60_000, unknownKidCooldownMs: 30_000 };

interface StoredKey {
  readonly key: KeyObject;
  readonly alg: string | null;
}

export class JwksKeySet {
  #keys = new Map<string, StoredKey>();
  #unnamed: StoredKey | null = null;
  #loaded = false;
  #fetching: Promise<void> | null = null;
  /** When a request last made us fetch, per cause (performance.now() ms). */
  readonly #lastFetchFor = { unloaded: Number.NEGATIVE_INFINITY, unknownKid: Number.NEGATIVE_INFINITY };
  #timer: NodeJS.Timeout | undefined;
  /** Fetches attempted so far (observable in tests and logs). */
  fetches = 0;

  constructor(
    readonly uri: URL,
    private readonly logger: Logger,
    private readonly timing: JwksTiming = DEFAULT_JWKS_TIMING,
  ) {}

  start(): void {
    if (this.#timer) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.timing.refreshEveryMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async keyFor(kid: string | null): Promise<KeyLookup> {
    if (!this.#loaded) await this.#fetchForRequest('unloaded');
    if (!this.#loaded) return { kind: 'unavailable' };
    const found = this.#lookup(kid);
    if (found.kind !== 'unknown-kid') return found;
    await this.#fetchForRequest('unknownKid');
    return this.#lookup(kid);
  }

  /** Fetch now (coalesced with a fetch already running). Failures keep the last good keys. */
  refresh(): Promise<void> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = null;
    });
    return this.#fetching;
  }

  /**
   * A fetch a request asks for: it joins one in flight (a request that arrived while
   * the unknown-kid refetch ran was refused at once, though that fetch brought its
   * key), else starts one at most once per cooldown for each cause. Before, a key set
   * that had never loaded fetched again for every request: an endpoint that was down
   * at start-up received the gateway's whole JWT traffic.
   */
  async #fetchForRequest(cause: 'unloaded' | 'unknownKid'): Promise<void> {
    if (this.#fetching) return this.#fetching;
    const now = performance.now();
    if (now - this.#lastFetchFor[cause] < this.timing.unknownKidCooldownMs) return;
    this.#lastFetchFor[cause] = now;
    return this.refresh();
  }

  #lookup(kid: string | null): KeyLookup {
    if (kid === null) {
      // With several keys a token must say which (SPEC §3 issue text).
      const only = this.#keys.size + (this.#unnamed ? 1 : 0) === 1 ? (this.#unnamed ?? [...this.#keys.values()][0]) : undefined;
      return only ? { kind: 'key', ...only } : { kind: 'kid-required' };
    }
    const stored = this.#keys.get(kid);
    return stored ? { kind: 'key', ...stored } : { kind: 'unknown-kid' };
  }

  async #fetch(): Promise<void> {
    this.fetches++;
    try {
      const document = await fetchJson(this.uri, this.timing.fetchTimeoutMs);
      const { keys, unnamed, skipped } = parseKeySet(document);
      // A set with no usable key is a broken answer, not a rotation to nothing.
      if (keys.size === 0 && unnamed === null) throw new Error(`no usable signing key in the set (${skipped} skipped)`);
      this.#keys = keys;
      this.#unnamed = unnamed;
      this.#loaded = true;
      this.logger.debug({ jwksUri: this.uri.href, keys: keys.size + (unnamed ? 1 : 0), skipped }, 'JWKS fetched');
    } catch (error) {
      this.logger.warn({ jwksUri: this.uri.href, err: error instanceof Error ? error.message : String(error) }, 'JWKS fetch failed; keeping the last good keys');
    }
  }
}

/** Public signing keys only: private (`d`) and symmetric (`oct`) keys are never accepted from a JWKS. */
function parseKeySet(document: unknown): { keys: Map<string, StoredKey>; unnamed: StoredKey | null; skipped: number } {
  const list = (document as { keys?: unknown })?.keys;
  if (!Array.isArray(list)) throw new Error('not a JWK set: no "keys" array');
  const keys = new Map<string, StoredKey>();
  let unnamed: StoredKey | null = null;
  let skipped = 0;
  for (const jwk of list as Array<Record<string, unknown>>) {
    if (typeof jwk !== 'object' || jwk === null || jwk.kty === 'oct' || 'd' in jwk || (jwk.use !== undefined && jwk.use !== 'sig')) {
      skipped++;
      continue;
    }
    try {
      const stored = { key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), alg: typeof jwk.alg === 'string' ? jwk.alg : null };
      if (typeof jwk.kid === 'string') keys.set(jwk.kid, stored);
      else unnamed = stored;
    } catch {
      skipped++;
    }
  }
  return { keys, unnamed, skipped };
}
