// Rate-limit state in process memory (the default, SPEC §3). Bounded: a bucket
// that has refilled is the same as no entry, so it is dropped; past the size cap
// the least recently used entry goes (a Map keeps insertion order; a touched key
// is re-inserted at the end). One process decides synchronously, so a decision
// over several buckets is atomic without locks.
import { decide, type GcraDecision } from './gcra.js';
import type { BucketRequest, RateLimitStore } from './store.js';

const DEFAULT_MAX_ENTRIES = 100_000;
const SWEEP_EVERY_MS = 10_000;

export class MemoryStore implements RateLimitStore {
  readonly kind = 'memory';
  /** key → TAT (ms, on `now`'s clock). */
  readonly #tats = new Map<string, number>();
  readonly #sweep: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
    sweepEveryMs = SWEEP_EVERY_MS,
  ) {
    this.#sweep = setInterval(() => this.#dropRefilled(), sweepEveryMs);
    this.#sweep.unref();
  }

  get size(): number {
    return this.#tats.size;
  }

  decide(buckets: readonly BucketRequest[]): GcraDecision {
    const now = this.now();
    const limits = buckets.map((bucket) => bucket.limit);
    const decision = decide(
      limits,
      buckets.map((bucket) => this.#tats.get(bucket.key)),
      now,
    );
    if (!decision.allowed) {
      // A refusal is a use too: touched on admissions only, the bucket of a client
      // hammering it while spent aged out first once the cap was reached, and came
      // back full. (A refusing bucket is in the map: only a stored TAT can refuse.)
      for (const i of decision.refusing) {
        const key = (buckets[i] as BucketRequest).key;
        this.#store(key, this.#tats.get(key) as number);
      }
      return decision;
    }
    for (let i = 0; i < buckets.length; i++) this.#store((buckets[i] as BucketRequest).key, decision.tats[i] as number);
    return decision;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
  }

  #store(key: string, tat: number): void {
    this.#tats.delete(key); // re-inserted last: the most recently used
    this.#tats.set(key, tat);
    if (this.#tats.size > this.maxEntries) {
      const oldest = this.#tats.keys().next().value as string;
      this.#tats.delete(oldest);
    }
  }

  #dropRefilled(): void {
    const now = this.now();
    for (const [key, tat] of this.#tats) if (tat <= now) this.#tats.delete(key);
  }
}
