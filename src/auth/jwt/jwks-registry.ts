// JWKS key sets live across config reloads (keyed by policy and URI), so a
// reload neither refetches nor forgets the last good keys; sets no policy
// names any more are stopped.
import type { Logger } from '../../observability/logger.js';
import { DEFAULT_JWKS_TIMING, JwksKeySet, type JwksTiming } from './jwks.js';

export class JwksRegistry {
  readonly #sets = new Map<string, JwksKeySet>();

  constructor(
    private readonly logger: Logger,
    private readonly timing: JwksTiming = DEFAULT_JWKS_TIMING,
  ) {}

  keySet(policy: string, uri: URL): JwksKeySet {
    const id = `${policy} ${uri.href}`;
    let set = this.#sets.get(id);
    if (!set) {
      if (uri.protocol === 'http:' && !isLoopback(uri.hostname)) {
        this.logger.warn({ policy, jwksUri: uri.href }, 'JWKS over plain http: keys can be replaced in transit');
      }
      // Not started here: `validate` compiles policies without fetching anything.
      set = new JwksKeySet(uri, this.logger, this.timing);
      this.#sets.set(id, set);
    }
    return set;
  }

  /** The live config uses exactly `inUse`: start those, stop and forget the rest. */
  retainOnly(inUse: ReadonlySet<JwksKeySet>): void {
    for (const [id, set] of this.#sets) {
      if (inUse.has(set)) {
        set.start();
        continue;
      }
      set.stop();
      this.#sets.delete(id);
    }
  }

  stopAll(): void {
    this.retainOnly(new Set());
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]' || host === '::1';
}
