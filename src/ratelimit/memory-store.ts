// Rate-limit state in process memory (the default, SPEC §3). One process decides
// synchronously, so a decision over several buckets is atomic without locks.
//
// Bounded, and exact up to the bound (SPEC §3: at least 1,000,000 keys):
// - A bucket that has refilled is the same as no entry, so dropping it changes no
//   decision. The sweep drops those, SWEEP_STEP slots at a time every
//   SWEEP_EVERY_MS: never one long pass over a million buckets on the event loop.
// - Below `maxEntries` buckets (default 1,000,000) nothing else is ever dropped:
//   every bucket that has not refilled is kept, so every decision is exact.
// - At the bound, a new bucket takes the place of a refilled one among the
//   OLDEST_LOOKED_AT least recently used (still exact), else of the least recently
//   used one: the oldest idle bucket goes, as SPEC §3 says. That client's next
//   request meets a full bucket, up to requests + burst beyond its envelope: the
//   one inexactness, and only with more than `maxEntries` unfinished buckets at once.
// Keys are two-level: a small number per limit space (a policy's limit,
// `gh:rl:POLICY:I:…:`) and the subject, so the long prefix is neither stored nor
// built per bucket (bucket-slab.ts finds a bucket by both).
import { BucketSlab, NONE } from './bucket-slab.js';
import { decide, type GcraDecision } from './gcra.js';
import { memoryKey, type MemoryKey } from './memory-key.js';
import type { BucketRequest, RateLimitStore } from './store.js';

const DEFAULT_MAX_ENTRIES = 1_000_000;
const SWEEP_EVERY_MS = 50;
/**
 * A full pass over 1,000,000 slots every 10 s. Measured on this VM with 1,000,000
 * buckets: a step dropping all 5,000 took ~0.7 ms (median), one dropping none 0.03 ms.
 */
const SWEEP_STEP = 5_000;
const OLDEST_LOOKED_AT = 8;
const MISSING = NONE;

export class MemoryStore implements RateLimitStore {
  readonly kind = 'memory';
  readonly #now: () => number;
  readonly #slab: BucketSlab;
  /** Limit space → its number. Spaces stay (a few per policy limit ever loaded). */
  readonly #spaceIds = new Map<string, number>();
  readonly #sweep: NodeJS.Timeout;
  #cursor = 0;

  constructor(now: () => number = Date.now, maxEntries = DEFAULT_MAX_ENTRIES, sweepEveryMs = SWEEP_EVERY_MS) {
    this.#now = now;
    this.#slab = new BucketSlab(Math.max(1, maxEntries));
    this.#sweep = setInterval(() => this.#sweepStep(this.#now()), sweepEveryMs);
    this.#sweep.unref();
  }

  /** Buckets held (not yet refilled, or refilled and not yet swept). */
  get size(): number {
    return this.#slab.count;
  }

  decide(buckets: readonly BucketRequest[]): GcraDecision {
    const now = this.#now();
    const spaces: number[] = [];
    const keys: MemoryKey[] = [];
    const slots: number[] = [];
    const tats: Array<number | undefined> = [];
    for (const bucket of buckets) {
      const space = this.#spaceId(bucket.space);
      const key = memoryKey(bucket.subject);
      const slot = this.#slab.find(space, key);
      // A refusal is a use too: touched on admissions only, the bucket of a client
      // hammering it while spent aged out first once the bound was reached, and came back full.
      if (slot !== MISSING) this.#slab.touch(slot);
      spaces.push(space);
      keys.push(key);
      slots.push(slot);
      tats.push(slot === MISSING ? undefined : this.#slab.tat(slot));
    }
    const decision = decide(
      buckets.map((bucket) => bucket.limit),
      tats,
      now,
    );
    if (!decision.allowed) return decision; // only a stored TAT can refuse: nothing to add
    for (let i = 0; i < buckets.length; i++) {
      const tat = decision.tats[i]!;
      const slot = slots[i]!;
      if (slot !== MISSING) this.#slab.setTat(slot, tat);
      else this.#add(spaces[i]!, keys[i]!, tat, now, slots);
    }
    return decision;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
  }

  #spaceId(space: string): number {
    let id = this.#spaceIds.get(space);
    if (id === undefined) {
      id = this.#spaceIds.size;
      this.#spaceIds.set(space, id);
    }
    return id;
  }

  #add(space: number, key: MemoryKey, tat: number, now: number, request: readonly number[]): void {
    const same = this.#slab.find(space, key); // one request naming one bucket twice
    if (same !== MISSING) return this.#slab.setTat(same, tat);
    if (this.#slab.full && !this.#evictOne(now, request)) return; // a bound below one request's buckets: not kept
    this.#slab.add(space, key, tat);
  }

  /** Makes room at the bound: a refilled bucket among the oldest if there is one, else the oldest idle one. */
  #evictOne(now: number, request: readonly number[]): boolean {
    let oldestIdle = MISSING;
    let slot = this.#slab.oldest();
    for (let looked = 0; slot !== MISSING && looked < OLDEST_LOOKED_AT; looked++, slot = this.#slab.newerThan(slot)) {
      if (request.includes(slot)) continue; // this request's own buckets are in use
      if (this.#slab.tat(slot) <= now) {
        this.#remove(slot);
        return true;
      }
      if (oldestIdle === MISSING) oldestIdle = slot;
    }
    if (oldestIdle === MISSING) return false;
    this.#remove(oldestIdle);
    return true;
  }

  #remove(slot: number): void {
    this.#slab.remove(slot);
  }

  /** One bounded step of the sweep: drops the refilled buckets among the next SWEEP_STEP slots. */
  #sweepStep(now: number): void {
    const used = this.#slab.used;
    if (used === 0) return;
    for (let k = 0; k < Math.min(SWEEP_STEP, used); k++) {
      if (this.#cursor >= used) this.#cursor = 0;
      const slot = this.#cursor++;
      if (this.#slab.isLive(slot) && this.#slab.tat(slot) <= now) this.#remove(slot);
    }
  }
}
