// The memory store's bucket keys (key-arena.ts): a key found is exactly the key
// set, whatever its kind, through removals and the compaction they lead to.
import assert from 'node:assert/strict';
import { KeyArena } from '../../../src/ratelimit/key-arena.js';

describe('KeyArena', () => {
  it('tells apart keys of every kind, and keys that differ only in length or one character', () => {
    const arena = new KeyArena(8);
    const keys = ['claim:user-1', 'claim:user-12', 'claim:user-2', '', 'sub:Zoë', 'sub:用户', 16909060, 0] as const;
    keys.forEach((key, slot) => arena.set(slot, key));
    keys.forEach((key, slot) => {
      assert.ok(arena.isSet(slot));
      keys.forEach((other, at) => assert.equal(arena.equals(slot, other), at === slot, `slot ${slot} (${String(key)}) against ${String(other)}`));
    });
    assert.equal(arena.equals(6, '16909060'), false, 'a number key is not its decimal string');
    assert.equal(arena.equals(0, 'claim:user-'), false);
  });

  it('forgets a cleared key and gives its slot to the next one', () => {
    const arena = new KeyArena(2);
    arena.set(0, 'claim:alice');
    arena.set(1, 'sub:用户');
    arena.clear(0);
    arena.clear(1);
    assert.equal(arena.isSet(0), false);
    assert.equal(arena.equals(0, 'claim:alice'), false);
    assert.equal(arena.equals(1, 'sub:用户'), false);
    arena.set(0, 'claim:bob');
    assert.ok(arena.equals(0, 'claim:bob'));
  });

  it('keeps every live key through growth and compaction of its buffer (100,000 removals)', () => {
    const slots = 5_000;
    const arena = new KeyArena(slots / 2);
    arena.resize(slots);
    const live = new Map<number, string>();
    for (let round = 0; round < 20; round++) {
      for (let slot = 0; slot < slots; slot++) {
        const previous = live.get(slot);
        if (previous !== undefined) arena.clear(slot);
        const key = `claim:user-${round}-${slot}-${'x'.repeat((slot * 7 + round) % 40)}`;
        arena.set(slot, key);
        live.set(slot, key);
        if (previous !== undefined) assert.equal(arena.equals(slot, previous), false, `slot ${slot} forgets ${previous}`);
      }
      for (let slot = round % 3; slot < slots; slot += 3) {
        arena.clear(slot);
        live.delete(slot);
      }
    }
    for (let slot = 0; slot < slots; slot++) {
      const key = live.get(slot);
      assert.equal(arena.isSet(slot), key !== undefined, `slot ${slot}`);
      if (key !== undefined) assert.ok(arena.equals(slot, key), `slot ${slot} keeps ${key}`);
    }
  });
});
