// The bucket slab's keys, by slot, outside the JS heap's objects. A string subject
// kept as a JS string costs its heap object (~40 bytes for `claim:user-123456`)
// plus a pointer in an array of keys (8 bytes), and a million of them are a
// million objects for the GC to trace. Here a one-byte (Latin-1) string is its
// bytes in one growing buffer plus an offset and a length (17 + 8 bytes for that
// subject); a number key (an IPv4 subject, memory-key.ts) is the offset itself.
// Rare wider strings (a character above U+00FF) stay JS strings in a side map.
// A key is compared character by character: exact, no digest that could collide.
import type { MemoryKey } from './memory-key.js';

/** `#lengths` markers for what is not bytes in the buffer. */
const EMPTY = -1;
const NUMBER = -2;
const WIDE = -3;
const FIRST_BYTES = 16 * 1024;
const LATIN1_MAX = 0xff;

export class KeyArena {
  #bytes = new Uint8Array(FIRST_BYTES);
  /** Bytes handed out; below it, live keys and garbage from removed ones. */
  #end = 0;
  #garbage = 0;
  /** Per slot: the key's first byte (a number key: the number). */
  #offsets: Int32Array;
  /** Per slot: the key's byte length, or EMPTY, NUMBER, WIDE. */
  #lengths: Int32Array;
  readonly #wide = new Map<number, string>();

  constructor(slots: number) {
    this.#offsets = new Int32Array(slots);
    this.#lengths = new Int32Array(slots).fill(EMPTY);
  }

  /** Room for `slots` slots, keeping what is set. */
  resize(slots: number): void {
    const offsets = new Int32Array(slots);
    offsets.set(this.#offsets);
    const lengths = new Int32Array(slots).fill(EMPTY);
    lengths.set(this.#lengths);
    this.#offsets = offsets;
    this.#lengths = lengths;
  }

  isSet(slot: number): boolean {
    return this.#lengths[slot] !== EMPTY;
  }

  set(slot: number, key: MemoryKey): void {
    if (typeof key === 'number') {
      this.#offsets[slot] = key;
      this.#lengths[slot] = NUMBER;
      return;
    }
    if (this.#end + key.length > this.#bytes.length) this.#makeRoom(key.length);
    const at = this.#end;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c > LATIN1_MAX) return this.#setWide(slot, key); // what was copied lies past #end: unused
      this.#bytes[at + i] = c;
    }
    this.#offsets[slot] = at;
    this.#lengths[slot] = key.length;
    this.#end = at + key.length;
  }

  #setWide(slot: number, key: string): void {
    this.#wide.set(slot, key);
    this.#lengths[slot] = WIDE;
  }

  clear(slot: number): void {
    const length = this.#lengths[slot]!;
    if (length === WIDE) this.#wide.delete(slot);
    else if (length > 0) this.#garbage += length;
    this.#lengths[slot] = EMPTY;
  }

  equals(slot: number, key: MemoryKey): boolean {
    const length = this.#lengths[slot]!;
    if (typeof key === 'number') return length === NUMBER && this.#offsets[slot] === key;
    if (length === WIDE) return this.#wide.get(slot) === key;
    if (length !== key.length) return false;
    const at = this.#offsets[slot]!;
    for (let i = 0; i < length; i++) if (this.#bytes[at + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  /** Out of bytes: drop the garbage when it is at least half, else grow by half (not double: a million keys would leave up to half unused). */
  #makeRoom(needed: number): void {
    const live = this.#end - this.#garbage;
    const size = this.#garbage * 2 >= this.#end ? Math.max(this.#bytes.length, live + needed) : Math.ceil((this.#bytes.length + needed) * 1.5);
    const bytes = new Uint8Array(size);
    let end = 0;
    for (let slot = 0; slot < this.#lengths.length; slot++) {
      const length = this.#lengths[slot]!;
      if (length <= 0) continue;
      const at = this.#offsets[slot]!;
      bytes.set(this.#bytes.subarray(at, at + length), end);
      this.#offsets[slot] = end;
      end += length;
    }
    this.#bytes = bytes;
    this.#end = end;
    this.#garbage = 0;
  }
}
