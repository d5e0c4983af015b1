// The in-memory store (SPEC §3: "in process memory with bounded size"): past the
// cap the least recently used bucket goes, and the sweep drops buckets that have
// refilled (no entry is the same as a full bucket). The clock is injected.
import assert from 'node:assert/strict';
import type { GcraLimit } from '../../../src/ratelimit/gcra.js';
import { MemoryStore } from '../../../src/ratelimit/memory-store.js';
import { until } from '../../support/wait.js';

const twoPerHour: GcraLimit = { requests: 2, perMs: 3_600_000, burst: 0 };
const take = (store: MemoryStore, key: string, limit: GcraLimit = twoPerHour) => store.decide([{ key, limit }]);

describe('MemoryStore', () => {
  const stores: MemoryStore[] = [];
  const make = (now: () => number, maxEntries?: number, sweepEveryMs?: number): MemoryStore => {
    const store = new MemoryStore(now, maxEntries, sweepEveryMs);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  describe('at its size cap', () => {
    it('evicts the least recently used bucket, keeping the ones in use', () => {
      const store = make(() => 0, 3);
      for (const key of ['a', 'b', 'c', 'a', 'd']) assert.equal(take(store, key).allowed, true, key); // a is used again before d
      assert.equal(store.size, 3);
      assert.equal(take(store, 'a').allowed, false, 'a kept its two tokens spent');
      const b = take(store, 'b');
      assert.ok(b.allowed);
      assert.equal(b.reports[0]?.remaining, 1, 'b was evicted: a fresh bucket (one of two left after this request)');
      assert.equal(store.size, 3);
    });

    it('counts a refusal as a use, so a client hammering its spent bucket does not see it evicted and refilled', () => {
      const store = make(() => 0, 2);
      take(store, 'a');
      take(store, 'a');
      take(store, 'b');
      assert.equal(take(store, 'a').allowed, false); // a is now the most recently used
      take(store, 'c'); // evicts b
      assert.equal(take(store, 'a').allowed, false, 'a is still spent');
      assert.equal(store.size, 2);
    });
  });

  describe('the sweep', () => {
    it('drops a bucket once it has refilled, and keeps one that has not', async () => {
      let now = 0;
      const store = make(() => now, 100, 5);
      take(store, 'marker', { requests: 1, perMs: 999, burst: 0 }); // full again at 999
      take(store, 'short', { requests: 1, perMs: 1000, burst: 0 }); // full again at 1000
      take(store, 'long', { requests: 1, perMs: 5000, burst: 0 }); // full again at 5000
      assert.equal(store.size, 3);
      now = 999;
      // The marker going shows a sweep ran at 999 (no sleep): short, 1 ms from full, stayed.
      await until('a sweep at 999', () => (store.size === 2 ? true : undefined), 5_000, 5);
      assert.equal(take(store, 'short', { requests: 1, perMs: 1000, burst: 0 }).allowed, false, 'short is still spent');
      now = 1000;
      await until('the refilled bucket to be dropped', () => (store.size === 1 ? true : undefined), 5_000, 5);
      assert.equal(take(store, 'long', { requests: 1, perMs: 5000, burst: 0 }).allowed, false, 'the other bucket is still spent');
      now = 5000;
      await until('both dropped', () => (store.size === 0 ? true : undefined), 5_000, 5);
    });
  });

  it('decides every bucket of a request together: all take a token, or none does', () => {
    const store = make(() => 0);
    const one = { key: 'one', limit: { requests: 1, perMs: 1000, burst: 0 } };
    const three = { key: 'three', limit: { requests: 3, perMs: 1000, burst: 0 } };
    assert.equal(store.decide([one, three]).allowed, true);
    assert.equal(store.decide([one, three]).allowed, false);
    assert.deepEqual([1, 2, 3].map(() => store.decide([three]).allowed), [true, true, false]);
  });
});
