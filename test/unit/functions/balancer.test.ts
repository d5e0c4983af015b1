// Power-of-two-choices as named traces (STYLE, Tests: undici's balanced-pool
// tests). A scripted random source names the two samples of each pick, so every
// expectation reads as "sampled these two, took that one".
import assert from 'node:assert/strict';
import { hasCapacity, pickSlot, type BalancedSlot } from '../../../src/functions/balancer.js';

interface NamedSlot extends BalancedSlot {
  readonly name: string;
  inFlight: number;
  refused: boolean;
}

/** `'a'`, `'a:3'` (3 in flight) or `'a/refused'`. */
function slots(...specs: string[]): NamedSlot[] {
  return specs.map((spec) => {
    const [head, flag] = spec.split('/');
    const [name, load] = (head as string).split(':');
    return { name: name as string, inFlight: Number(load ?? 0), refused: flag === 'refused' };
  });
}

/** A random source that makes pickSlot sample exactly these index pairs, in order. */
function samples(n: number, ...pairs: Array<[number, number]>): () => number {
  const values: number[] = [];
  for (const [i, j] of pairs) {
    values.push((i + 0.5) / n, ((j > i ? j - 1 : j) + 0.5) / (n - 1));
  }
  return () => {
    const value = values.shift();
    if (value === undefined) throw new Error('the scripted random source ran out');
    return value;
  };
}

const nameOf = (slot: NamedSlot | null): string => (slot === null ? 'none' : slot.name);

/** Pick repeatedly, each pick taking one request (inFlight++), and name the picks. */
function trace(pool: NamedSlot[], concurrency: number, random: () => number, picks: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < picks; k++) {
    const slot = pickSlot(pool, concurrency, random);
    if (slot) slot.inFlight++;
    out.push(nameOf(slot));
  }
  return out;
}

const noRandom = (): number => {
  throw new Error('random must not be consulted');
};

describe('balancer', () => {
  describe('pickSlot', () => {
    it('takes the less loaded of the two samples', () => {
      assert.equal(nameOf(pickSlot(slots('a:3', 'b:1', 'c:0'), 0, samples(3, [0, 1]))), 'b');
      assert.equal(nameOf(pickSlot(slots('a:0', 'b:1', 'c:0'), 0, samples(3, [1, 0]))), 'a');
    });

    it('keeps the first sample on a tie', () => {
      assert.equal(nameOf(pickSlot(slots('a:2', 'b:2'), 0, samples(2, [1, 0]))), 'b');
      assert.equal(nameOf(pickSlot(slots('a:2', 'b:2'), 0, samples(2, [0, 1]))), 'a');
    });

    it('never samples the same slot twice', () => {
      // Both draws 0: the second index is shifted past the first (samples a and b, not a twice).
      assert.equal(nameOf(pickSlot(slots('a:5', 'b:4', 'c:0'), 0, () => 0)), 'b');
    });

    it('spreads requests by load as they arrive', () => {
      const random = samples(3, [0, 1], [0, 1], [2, 0], [1, 2], [1, 0]);
      assert.deepEqual(trace(slots('a', 'b', 'c'), 0, random, 5), ['a', 'b', 'c', 'b', 'a']);
    });

    it('skips a refused sample for the other one', () => {
      assert.equal(nameOf(pickSlot(slots('a:0/refused', 'b:7', 'c:0'), 0, samples(3, [0, 1]))), 'b');
      assert.equal(nameOf(pickSlot(slots('a:7', 'b:0/refused'), 0, samples(2, [1, 0]))), 'a');
    });

    it('respects the concurrency cap per slot', () => {
      const random = samples(2, [0, 1], [0, 1], [0, 1], [0, 1], [0, 1]);
      assert.deepEqual(trace(slots('a', 'b'), 2, random, 5), ['a', 'b', 'a', 'b', 'none']);
    });

    it('treats concurrency 0 as unlimited', () => {
      assert.equal(nameOf(pickSlot(slots('a:1000', 'b:1001'), 0, samples(2, [1, 0]))), 'a');
    });

    it('falls back to a scan for the least loaded when both samples are full', () => {
      const pool = slots('a:2', 'b:2', 'c:1', 'd:0');
      assert.equal(nameOf(pickSlot(pool, 2, samples(4, [0, 1]))), 'd');
    });

    it('falls back to a scan when both samples refused', () => {
      const pool = slots('a/refused', 'b/refused', 'c:4');
      assert.equal(nameOf(pickSlot(pool, 0, samples(3, [0, 1]))), 'c');
    });

    it('answers none when no slot can take a request', () => {
      assert.equal(nameOf(pickSlot(slots('a:1', 'b/refused', 'c:1'), 1, samples(3, [0, 2]))), 'none');
    });

    it('answers none for no slots, without consulting the random source', () => {
      assert.equal(nameOf(pickSlot(slots(), 0, noRandom)), 'none');
    });

    it('takes a single slot without sampling, unless it is full or refused', () => {
      assert.deepEqual(
        [slots('a:1'), slots('a:2'), slots('a/refused')].map((pool) => nameOf(pickSlot(pool, 2, noRandom))),
        ['a', 'none', 'none'],
      );
    });
  });

  describe('hasCapacity', () => {
    it('is false for a refused slot, or one at the cap; true below it or with no cap', () => {
      const cases = [
        { slot: { inFlight: 0, refused: true }, concurrency: 0 },
        { slot: { inFlight: 2, refused: false }, concurrency: 2 },
        { slot: { inFlight: 1, refused: false }, concurrency: 2 },
        { slot: { inFlight: 99, refused: false }, concurrency: 0 },
      ];
      assert.deepEqual(
        cases.map(({ slot, concurrency }) => hasCapacity(slot, concurrency)),
        [false, false, true, true],
      );
    });
  });
});
