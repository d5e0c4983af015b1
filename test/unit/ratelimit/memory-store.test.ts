// The in-memory store (SPEC §3: "in process memory with bounded size"): past the
// cap the least recently used bucket goes, and the sweep drops buckets that have
// refilled (no entry is the same as a full bucket). The clock is injected.
import assert from 'node:assert/strict';
import type { GcraLimit } from '../../../src/ratelimit/gcra.js';
import { MemoryStore } from '../../../src/ratelimit/memory-store.js';
import { until } from '../../support/wait.js';

const twoPerHour: GcraLimit = { requests: 2, perMs: 3_600_000, burst: 0 };
const take = (store: MemoryStore, key: string, limit: GcraLimit = twoPerHour) => store.decide([{ space: 'test:', subject: key, limit }]);

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

  describe('with 1,000,000 buckets (SPEC §3: at least 1,000,000 keys, exactly)', function () {
    // Two million decisions: a few seconds here; the bound is the production default.
    this.timeout(60_000);
    const MILLION = 1_000_000;
    const hourly: GcraLimit = { requests: 1, perMs: 3_600_000, burst: 0 };
    const secondly: GcraLimit = { requests: 1, perMs: 1_000, burst: 0 };
    const one = (store: MemoryStore, subject: string, limit: GcraLimit) => store.decide([{ space: 'gh:rl:p:0:1/3600000+0:', subject, limit }]).allowed;

    it('keeps every spent bucket: each of 1,000,000 keys that took its last token is refused', () => {
      const store = make(() => 0);
      for (let i = 0; i < MILLION; i++) assert.equal(one(store, `ip:${i}`, hourly), true);
      assert.equal(store.size, MILLION);
      let refused = 0;
      for (let i = 0; i < MILLION; i++) if (!one(store, `ip:${i}`, hourly)) refused++;
      assert.equal(refused, MILLION);
      assert.equal(store.size, MILLION);
    });

    it('at the bound, a new key takes the place of a refilled bucket first, then of the oldest idle one', () => {
      let now = 0;
      const store = make(() => now);
      for (let i = 0; i < 5; i++) one(store, `short:${i}`, secondly); // the oldest five, full again at 1 s
      for (let i = 0; i < MILLION - 5; i++) one(store, `ip:${i}`, hourly);
      assert.equal(store.size, MILLION);
      now = 2_000;
      for (let i = 0; i < 5; i++) assert.equal(one(store, `new:${i}`, hourly), true);
      assert.equal(store.size, MILLION);
      // The five refilled buckets made the room: every spent one is still there, the oldest included.
      for (const i of [0, 1, 2, 500_000, MILLION - 6]) assert.equal(one(store, `ip:${i}`, hourly), false, `ip:${i}`);
      // No refilled bucket left among the oldest: the next key displaces the least recently used.
      assert.equal(one(store, 'new:5', hourly), true);
      assert.equal(store.size, MILLION);
      assert.equal(one(store, 'ip:4', hourly), false, 'the next oldest stayed');
      assert.equal(one(store, 'ip:3', hourly), true, 'ip:3 was the oldest idle bucket: evicted, it came back full');
    });
  });

  it('decides every bucket of a request together: all take a token, or none does', () => {
    const store = make(() => 0);
    const one = { space: 'test:', subject: 'one', limit: { requests: 1, perMs: 1000, burst: 0 } };
    const three = { space: 'test:', subject: 'three', limit: { requests: 3, perMs: 1000, burst: 0 } };
    assert.equal(store.decide([one, three]).allowed, true);
    assert.equal(store.decide([one, three]).allowed, false);
    assert.deepEqual([1, 2, 3].map(() => store.decide([three]).allowed), [true, true, false]);
  });
});
