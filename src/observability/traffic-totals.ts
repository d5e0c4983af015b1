// What the gateway has counted since it started, summed over routes and
// functions: the numbers history.ts turns into per-second samples. Read from the
// route metrics table and the wakes counter, so the dashboard shows the same
// traffic /metrics does.
import type { Counter } from 'prom-client';
import type { RouteMetricsTable } from './route-metrics.js';

export interface TrafficTotals {
  readonly requests: number;
  readonly status4xx: number;
  readonly status5xx: number;
  /** Requests per latency bucket (not cumulative), the last past the highest bound. */
  readonly latencyBuckets: readonly number[];
  readonly wakesReady: number;
  /** Wakes that ended in timeout or error. */
  readonly wakesFailed: number;
}

export interface TrafficSource {
  /** The latency buckets' upper bounds, in seconds. */
  readonly latencyBounds: readonly number[];
  totals(): Promise<TrafficTotals>;
}

type Sample = { metricName?: string; labels: Partial<Record<string, string | number>>; value: number };

export function gatewayTraffic(routes: RouteMetricsTable, wakes: Counter<'function' | 'outcome'>): TrafficSource {
  return {
    latencyBounds: routes.latencyBounds,
    async totals() {
      const counted = { requests: 0, status4xx: 0, status5xx: 0, latencyBuckets: latencyBuckets(routes), wakesReady: 0, wakesFailed: 0 };
      const statuses: Sample[] = [];
      for (const route of routes.all()) route.requestSamples(statuses);
      for (const { labels, value } of statuses) {
        const status = Number(labels.status);
        counted.requests += value;
        if (status >= 500) counted.status5xx += value;
        else if (status >= 400) counted.status4xx += value;
      }
      for (const { labels, value } of (await wakes.get()).values) {
        if (labels.outcome === 'ready') counted.wakesReady += value;
        else counted.wakesFailed += value;
      }
      return counted;
    },
  };
}

/** Per bucket over every route, from the cumulative `_bucket` samples /metrics renders. */
function latencyBuckets(routes: RouteMetricsTable): number[] {
  const sums = new Array<number>(routes.latencyBounds.length + 1).fill(0);
  const samples: Sample[] = [];
  for (const route of routes.all()) {
    samples.length = 0;
    route.durationSamples(samples, '');
    let previous = 0;
    let i = 0;
    for (const { metricName, value } of samples) {
      if (metricName !== '_bucket') continue;
      sums[i] = (sums[i] as number) + value - previous;
      previous = value;
      i++;
    }
  }
  return sums;
}
