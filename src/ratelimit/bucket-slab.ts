// The memory store's buckets as parallel typed arrays indexed by slot: a TAT, the
// bucket's key (limit space and subject), a hash chain to find it by key, and a
// doubly linked recency list. Measured with 1,000,000 buckets in one gateway: a Map
// per space from subject to a TAT (a heap number), touched by delete-and-set, cost
// ~107 bytes a bucket and churned the Map's table on every request; a Map from
// subject to slot beside these arrays still ~58 (the Map's table, a JS array of
// keys, and a transient copy of the table at each growth). Here a bucket with an
// IPv4 subject (memory-key.ts) is ~40 bytes, a string subject its bytes more
// (key-arena.ts), and a request allocates nothing here.
// Pure bookkeeping: which bucket to drop is the store's decision.
import { KeyArena } from './key-arena.js';
import type { MemoryKey } from './memory-key.js';

export const NONE = -1;
const FIRST_CAPACITY = 1024;

export class BucketSlab {
  /** Live buckets. */
  #count = 0;
  /** Slots ever handed out; slots below it are live or on the free list. */
  #used = 0;
  #tats: Float64Array;
  #spaces: Int32Array;
  #hashes: Int32Array;
  /** The next slot in the same hash chain. */
  #chain: Int32Array;
  /** Hash → first slot of its chain; a power of two at least as long as the slots. */
  #heads: Int32Array;
  /** Newer and older neighbours in recency order; `#older` also chains the free list. */
  #newer: Int32Array;
  #older: Int32Array;
  #keys: KeyArena;
  #newest = NONE;
  #oldest = NONE;
  #free = NONE;

  constructor(readonly capacity: number) {
    const first = Math.min(FIRST_CAPACITY, capacity);
    this.#tats = new Float64Array(first);
    this.#spaces = new Int32Array(first);
    this.#hashes = new Int32Array(first);
    this.#chain = new Int32Array(first);
    this.#newer = new Int32Array(first);
    this.#older = new Int32Array(first);
    this.#keys = new KeyArena(first);
    this.#heads = new Int32Array(powerOfTwoAtLeast(first)).fill(NONE);
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count >= this.capacity;
  }

  /** Slots ever used (the sweep's range). */
  get used(): number {
    return this.#used;
  }

  /** The slot of the bucket `key` in `space`, or NONE. */
  find(space: number, key: MemoryKey): number {
    const hash = hashOf(space, key);
    for (let slot = this.#heads[hash & (this.#heads.length - 1)]!; slot !== NONE; slot = this.#chain[slot]!) {
      if (this.#hashes[slot] === hash && this.#spaces[slot] === space && this.#keys.equals(slot, key)) return slot;
    }
    return NONE;
  }

  /** A new bucket, the most recently used. The caller checks `full` and `find` first. */
  add(space: number, key: MemoryKey, tat: number): number {
    let slot = this.#free;
    if (slot !== NONE) this.#free = this.#older[slot]!;
    else slot = this.#nextSlot();
    const hash = hashOf(space, key);
    this.#tats[slot] = tat;
    this.#spaces[slot] = space;
    this.#keys.set(slot, key);
    this.#hashes[slot] = hash;
    const head = hash & (this.#heads.length - 1);
    this.#chain[slot] = this.#heads[head]!;
    this.#heads[head] = slot;
    this.#linkNewest(slot);
    this.#count++;
    return slot;
  }

  remove(slot: number): void {
    this.#unchain(slot);
    this.#unlink(slot);
    this.#keys.clear(slot);
    this.#older[slot] = this.#free;
    this.#free = slot;
    this.#count--;
  }

  /** Marks the bucket the most recently used. */
  touch(slot: number): void {
    if (slot === this.#newest) return;
    this.#unlink(slot);
    this.#linkNewest(slot);
  }

  isLive(slot: number): boolean {
    return this.#keys.isSet(slot);
  }

  tat(slot: number): number {
    return this.#tats[slot]!;
  }

  setTat(slot: number, tat: number): void {
    this.#tats[slot] = tat;
  }

  /** The least recently used live bucket, or NONE. */
  oldest(): number {
    return this.#oldest;
  }

  /** The next more recently used bucket after `slot`, or NONE. */
  newerThan(slot: number): number {
    return this.#newer[slot]!;
  }

  #nextSlot(): number {
    if (this.#used === this.#tats.length) this.#grow();
    return this.#used++;
  }

  /** Doubling up to the capacity: a store that never sees 1,000,000 keys never holds room for them. */
  #grow(): void {
    const size = Math.min(this.capacity, this.#tats.length * 2);
    this.#tats = copied(this.#tats, new Float64Array(size));
    this.#spaces = copied(this.#spaces, new Int32Array(size));
    this.#hashes = copied(this.#hashes, new Int32Array(size));
    this.#chain = copied(this.#chain, new Int32Array(size));
    this.#newer = copied(this.#newer, new Int32Array(size));
    this.#older = copied(this.#older, new Int32Array(size));
    this.#keys.resize(size);
    if (powerOfTwoAtLeast(size) > this.#heads.length) this.#rehash(powerOfTwoAtLeast(size));
  }

  /** Once per doubling (20 times up to 1,000,000 buckets), from the stored hashes. */
  #rehash(length: number): void {
    this.#heads = new Int32Array(length).fill(NONE);
    for (let slot = 0; slot < this.#used; slot++) {
      if (!this.#keys.isSet(slot)) continue;
      const head = this.#hashes[slot]! & (length - 1);
      this.#chain[slot] = this.#heads[head]!;
      this.#heads[head] = slot;
    }
  }

  #unchain(slot: number): void {
    const head = this.#hashes[slot]! & (this.#heads.length - 1);
    if (this.#heads[head] === slot) {
      this.#heads[head] = this.#chain[slot]!;
      return;
    }
    for (let at = this.#heads[head]!; at !== NONE; at = this.#chain[at]!) {
      if (this.#chain[at] === slot) {
        this.#chain[at] = this.#chain[slot]!;
        return;
      }
    }
  }

  #linkNewest(slot: number): void {
    this.#newer[slot] = NONE;
    this.#older[slot] = this.#newest;
    if (this.#newest !== NONE) this.#newer[this.#newest] = slot;
    this.#newest = slot;
    if (this.#oldest === NONE) this.#oldest = slot;
  }

  #unlink(slot: number): void {
    const newer = this.#newer[slot]!;
    const older = this.#older[slot]!;
    if (newer !== NONE) this.#older[newer] = older;
    else this.#newest = older;
    if (older !== NONE) this.#newer[older] = newer;
    else this.#oldest = newer;
  }
}

/** FNV-1a over the space and the key's characters (or its number), finished by a multiply-xorshift so low bits mix. */
function hashOf(space: number, key: MemoryKey): number {
  let h = Math.imul(space ^ 0x811c9dc5, 0x01000193);
  if (typeof key === 'number') h = Math.imul(h ^ key, 0x01000193);
  else for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function copied<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
