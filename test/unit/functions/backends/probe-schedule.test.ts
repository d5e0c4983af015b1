// The readiness probe's cadence as a pure function of the time spent probing:
// fast at first, then a fixed fraction of the time spent, capped; and what it
// costs for a function that takes seconds to start (SPEC §5 "GET until 2xx").
import assert from 'node:assert/strict';
import { FASTEST_PROBE_GAP_MS, nextProbeDelayMs, PROBE_GAP_FRACTION, SLOWEST_PROBE_GAP_MS } from '../../../../src/functions/backends/probe-schedule.js';

/** When each probe starts, for a function not ready within `untilMs` (probes take no time: an upper bound on their number). */
function probeTimes(untilMs: number): number[] {
  const times: number[] = [];
  for (let t = 0; t <= untilMs; t += nextProbeDelayMs(t)) times.push(t);
  return times;
}

/** How long after `startMs` (the moment the function answers) the next probe comes. */
function waitAfter(startMs: number): number {
  const next = probeTimes(startMs + SLOWEST_PROBE_GAP_MS).find((t) => t >= startMs);
  if (next === undefined) throw new Error('no probe after the start');
  return next - startMs;
}

describe('probe schedule', () => {
  it('probes every 2 ms at first: a refused connect is cheap, and a native function listens within ms', () => {
    assert.equal(FASTEST_PROBE_GAP_MS, 2);
    assert.deepEqual(probeTimes(16), [0, 2, 4, 6, 8, 10, 12, 14, 16]);
  });

  it('then waits an eighth of the time spent so far', () => {
    assert.equal(PROBE_GAP_FRACTION, 1 / 8);
    assert.equal(nextProbeDelayMs(100), 12.5);
    assert.equal(nextProbeDelayMs(1000), 125);
  });

  it('never waits more than 500 ms, however long the start', () => {
    assert.equal(nextProbeDelayMs(4000), SLOWEST_PROBE_GAP_MS);
    assert.equal(nextProbeDelayMs(3_600_000), 500);
  });

  it('treats a clock that went backwards as the start', () => {
    assert.equal(nextProbeDelayMs(-5), FASTEST_PROBE_GAP_MS);
  });

  it('makes 24 probes in the first 100 ms, 44 in 1 s, 57 over a 5 s start and 107 over 30 s', () => {
    assert.deepEqual([100, 1000, 5000, 30_000].map((ms) => probeTimes(ms).length), [24, 44, 57, 107]);
  });

  it('costs a function that takes 5 s to start at most ~60 probes', () => {
    assert.ok(probeTimes(5000).length <= 60);
  });

  it('finds a function at most an eighth of its start time (or 2 ms) after it answers', () => {
    for (let start = 1; start <= 4000; start += 7) {
      const wait = waitAfter(start);
      assert.ok(wait <= Math.max(FASTEST_PROBE_GAP_MS, start * PROBE_GAP_FRACTION) + 1e-9, `a start at ${start} ms waited ${wait} ms`);
    }
  });
});
