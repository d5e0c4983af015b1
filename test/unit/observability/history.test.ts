// The dashboard's 5-minute history: per-interval points from growing totals,
// quantiles from bucket deltas, a ring that never holds more than its capacity.
import assert from 'node:assert/strict';
import { bucketQuantile } from '../../../src/observability/bucket-quantile.js';
import { HistoryRing, pointBetween, TrafficHistory, type TrafficPoint } from '../../../src/observability/history.js';
import type { TrafficSource, TrafficTotals } from '../../../src/observability/traffic-totals.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];


function totals(fields: Partial<TrafficTotals> = {}): TrafficTotals {
  return { requests: 0, status4xx: 0, status5xx: 0, latencyBuckets: [0, 0, 0, 0, 0], wakesReady: 0, wakesFailed: 0, ...fields };
}

function point(t: number): TrafficPoint {
  return { t, requestsPerSecond: t, p50Ms: null, p99Ms: null, wakesReady: 0, wakesFailed: 0, status4xx: 0, status5xx: 0 };
}

describe('history', () => {
  describe('bucketQuantile', () => {
    it('interpolates inside the bucket holding the rank, as histogram_quantile does', () => {
      // 10 requests in (0.01, 0.1]: the median sits halfway through that bucket.
      assert.ok(Math.abs((bucketQuantile(0.5, [0, 0, 10, 0, 0], BOUNDS) as number) - 0.055) < 1e-12);
      // 1 request in the first bucket, interpolated from 0.
      assert.equal(bucketQuantile(0.5, [1, 0, 0, 0, 0], BOUNDS), 0.0005);
    });

    it('answers the highest bound for a rank past it, and null without a request', () => {
      assert.equal(bucketQuantile(0.99, [0, 0, 0, 0, 5], BOUNDS), 1);
      assert.equal(bucketQuantile(0.5, [0, 0, 0, 0, 0], BOUNDS), null);
    });

    it('finds p99 in the slow tail: 99 fast requests and 1 slow one', () => {
      const counts = [99, 0, 0, 1, 0];
      assert.ok((bucketQuantile(0.5, counts, BOUNDS) as number) <= 0.001);
      assert.ok((bucketQuantile(0.995, counts, BOUNDS) as number) > 0.1);
    });
  });

  describe('pointBetween', () => {
    it('turns two readings into that interval: a rate, counts, and latencies from the bucket deltas only', () => {
      const before = totals({ requests: 100, status4xx: 2, latencyBuckets: [100, 0, 0, 0, 0], wakesReady: 1 });
      const after = totals({ requests: 120, status4xx: 5, status5xx: 1, latencyBuckets: [100, 0, 20, 0, 0], wakesReady: 2, wakesFailed: 1 });
      assert.deepEqual(pointBetween(before, after, 2, BOUNDS, 1000), {
        t: 1000,
        requestsPerSecond: 10,
        p50Ms: 55,
        p99Ms: 99.1,
        wakesReady: 1,
        wakesFailed: 1,
        status4xx: 3,
        status5xx: 1,
      });
    });

    it('has no latency for an interval without requests (a gap in the chart, not 0 ms)', () => {
      const p = pointBetween(totals({ requests: 5 }), totals({ requests: 5 }), 1, BOUNDS, 1);
      assert.deepEqual([p.requestsPerSecond, p.p50Ms, p.p99Ms], [0, null, null]);
    });
  });

  describe('HistoryRing', () => {
    it('keeps the newest `capacity` points, oldest first, as columns', () => {
      const ring = new HistoryRing(3);
      for (let t = 1; t <= 5; t++) ring.push(point(t));
      assert.equal(ring.size, 3);
      const columns = ring.columns(1);
      assert.deepEqual(columns.t, [3, 4, 5]);
      assert.deepEqual(columns.requestsPerSecond, [3, 4, 5]);
      assert.equal(columns.intervalSeconds, 1);
    });

    it('answers empty columns before the first point', () => {
      assert.deepEqual(new HistoryRing(300).columns(1).t, []);
    });
  });

  describe('TrafficHistory', () => {
    it('takes the first reading as its baseline, then one point per reading, at most 300', async () => {
      let requests = 0;
      const source: TrafficSource = { latencyBounds: BOUNDS, totals: async () => totals({ requests: (requests += 2) }) };
      const history = new TrafficHistory(source, { wallClock: () => 5_000 });
      await history.sample();
      assert.deepEqual(history.columns().t, []);
      for (let i = 0; i < 310; i++) await history.sample();
      const columns = history.columns();
      assert.equal(columns.t.length, 300);
      assert.equal(columns.t[0], 5);
    });

    it('skips a reading that failed instead of throwing from its timer', async () => {
      const source: TrafficSource = { latencyBounds: BOUNDS, totals: () => Promise.reject(new Error('registry broke')) };
      const history = new TrafficHistory(source);
      await history.sample();
      assert.deepEqual(history.columns().t, []);
    });
  });
});
