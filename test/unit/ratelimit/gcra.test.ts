// The pure GCRA with a fake clock (SPEC §3): capacity, refill rate, burst,
// several limits taken together or not at all, and the exactness envelope.
import assert from 'node:assert/strict';
import { decide, report, type GcraLimit } from '../../../src/ratelimit/gcra.js';

/** A bucket store for one key, driven by hand. */
function bucket(limits: GcraLimit[]) {
  let tats: Array<number | undefined> = limits.map(() => undefined);
  return {
    take(now: number): boolean {
      const decision = decide(limits, tats, now);
      if (decision.allowed) tats = [...decision.tats];
      return decision.allowed;
    },
    decide: (now: number) => decide(limits, tats, now),
  };
}

const tenPerSecond: GcraLimit = { requests: 10, perMs: 1000, burst: 0 };

describe('gcra', () => {
  describe('a full bucket', () => {
    it('admits exactly requests + burst at one instant, then refuses', () => {
      for (const [limit, expected] of [
        [tenPerSecond, 10],
        [{ requests: 10, perMs: 1000, burst: 5 }, 15],
        [{ requests: 1, perMs: 3_600_000, burst: 0 }, 1],
        [{ requests: 50, perMs: 3_600_000, burst: 10 }, 60],
      ] as const) {
        const b = bucket([limit]);
        let admitted = 0;
        for (let i = 0; i < 1000; i++) if (b.take(0)) admitted++;
        assert.equal(admitted, expected, JSON.stringify(limit));
      }
    });

    it('reports requests + burst − 1 tokens left after the first request, and refills in one interval', () => {
      const decision = decide([{ requests: 10, perMs: 1000, burst: 5 }], [undefined], 5000);
      assert.ok(decision.allowed);
      assert.deepEqual(decision.reports[0], { remaining: 14, resetMs: 100 });
    });
  });

  describe('refill', () => {
    it('gives one token back every per/requests', () => {
      const b = bucket([tenPerSecond]);
      for (let i = 0; i < 10; i++) assert.ok(b.take(0));
      assert.equal(b.take(0), false);
      assert.equal(b.take(99), false, 'not before 100 ms');
      assert.equal(b.take(100), true, 'one token at 100 ms');
      assert.equal(b.take(100), false);
    });

    it('never refuses a client pacing itself at the rate, whatever the burst', () => {
      const b = bucket([tenPerSecond]);
      for (let i = 0; i < 10_000; i++) assert.ok(b.take(i * 100), `request ${i}`);
    });

    it('never refuses a client at 9 per second against 10 per second', () => {
      const b = bucket([tenPerSecond]);
      for (let i = 0; i < 1000; i++) assert.ok(b.take(Math.round((i * 1000) / 9)), `request ${i}`);
    });

    it('is full again (no state needed) once the debt has passed', () => {
      const limit = tenPerSecond;
      const decision = decide([limit], [undefined], 0);
      assert.ok(decision.allowed);
      assert.deepEqual(report(limit, decision.tats[0] as number, 100), { remaining: 10, resetMs: 0 });
    });
  });

  describe('the exactness envelope', () => {
    it('admits at most requests + burst + floor(requests × L / per) in any window of length L', () => {
      const limit = { requests: 7, perMs: 1000, burst: 3 };
      const b = bucket([limit]);
      const admitted: number[] = [];
      // Greedy client: tries every 13 ms for 20 s.
      for (let t = 0; t <= 20_000; t += 13) if (b.take(t)) admitted.push(t);
      for (let i = 0; i < admitted.length; i++) {
        for (let j = i; j < admitted.length; j++) {
          const length = (admitted[j] as number) - (admitted[i] as number);
          const bound = limit.requests + limit.burst + Math.floor((limit.requests * length) / limit.perMs);
          assert.ok(j - i + 1 <= bound, `${j - i + 1} admitted in ${length} ms (bound ${bound})`);
        }
      }
      assert.ok(admitted.length >= 10 + 7 * 20 - 1, `a greedy client gets its share: ${admitted.length}`);
    });
  });

  describe('several limits', () => {
    const limits: GcraLimit[] = [
      { requests: 5, perMs: 1000, burst: 0 },
      { requests: 8, perMs: 60_000, burst: 0 },
    ];

    it('takes a token from every limit, or from none', () => {
      const b = bucket(limits);
      for (let i = 0; i < 5; i++) assert.ok(b.take(0));
      assert.equal(b.take(0), false, 'the per-second limit refuses');
      // A second later the per-second limit has refilled; the refused request took nothing
      // from the per-minute one, which has exactly 3 left.
      for (let i = 0; i < 3; i++) assert.ok(b.take(1000), `request ${i} after a second`);
      const refused = b.decide(1000);
      assert.equal(refused.allowed, false);
      if (!refused.allowed) assert.deepEqual(refused.refusing, [1]);
    });

    it('says when every refusing limit has a token again', () => {
      const decision = decide(limits, [1000, 60_000], 0);
      assert.equal(decision.allowed, false);
      if (!decision.allowed) {
        assert.deepEqual(decision.refusing, [0, 1]);
        assert.equal(decision.retryAfterMs, 7500); // the minute limit: one token at 60 000 + 7 500 − 60 000
      }
    });
  });
});
