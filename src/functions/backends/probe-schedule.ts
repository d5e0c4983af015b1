// When a readiness probe tries again (SPEC §5: "GET until 2xx"), as a pure function
// of how long it has been trying, so its cadence and cost are tested without a clock.
//
// How long a function takes to start is unknown: a native binary listens within a
// few ms, a fresh Node process here in ~130–400 ms (measured on the bench VM), a JVM
// in seconds. A fixed cadence is either slow for the fast ones or costly for the
// slow ones: today's 10 → 25 ms backoff cost a Node cold start ~13 ms of waiting
// for the next poll (p50, BENCHMARKS.md "Wake overhead") yet made ~200 probes over a
// 5 s start. Waiting an eighth of the time already spent instead makes the wait for
// the next probe ~6% of the start time on average (≤ 12.5%) whatever that time is,
// and the number of probes grows with the logarithm of the start time: no probe is
// spent early on a slow function, no slow function keeps a fast cadence.
//
// Probes made until a start of T ms (counted by test/unit/functions/backends/
// probe-schedule.test.ts, probes taking no time, so an upper bound):
//   T = 100 ms → 24, 1 s → 44, 5 s → 57, 30 s → 107 (then 2 a second).
// A probe of a port nobody listens on yet is a refused loopback connect, ~50–170 µs
// of gateway CPU (measured here), so even 30 s of probing costs < 20 ms of CPU.
// Backends may probe earlier on a hint (readiness.ts: a local function's output).

/** The first probes come this close: a refused connect is cheap, and a native function may listen within ms. */
export const FASTEST_PROBE_GAP_MS = 2;
/** The wait for the next probe is this fraction of the time spent so far. */
export const PROBE_GAP_FRACTION = 1 / 8;
/** A function still starting after 4 s is probed twice a second: its start time dwarfs the gap. */
export const SLOWEST_PROBE_GAP_MS = 500;

/** Milliseconds to wait before the next probe, `elapsedMs` after probing began. */
export function nextProbeDelayMs(elapsedMs: number): number {
  const proportional = Math.max(0, elapsedMs) * PROBE_GAP_FRACTION;
  return Math.min(SLOWEST_PROBE_GAP_MS, Math.max(FASTEST_PROBE_GAP_MS, proportional));
}
