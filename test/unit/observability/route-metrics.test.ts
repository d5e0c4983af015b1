// Request metrics kept as plain numbers per route, rendered by prom-client's
// registry exactly as its own Counter and Histogram would render them.
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { RouteMetricsTable } from '../../../src/observability/route-metrics.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];

describe('route metrics', () => {
  it('renders the same text as prom-client Counter and Histogram fed the same requests', async () => {
    const ours = new Registry();
    const table = new RouteMetricsTable(ours, BOUNDS);
    const theirs = new Registry();
    const counter = new Counter({ name: 'gatehouse_requests_total', help: 'Requests answered, by route, method and status.', labelNames: ['route', 'method', 'status'], registers: [theirs] });
    const histogram = new Histogram({ name: 'gatehouse_request_duration_seconds', help: 'Time from request to the end of the response, by route.', labelNames: ['route'], buckets: BOUNDS, registers: [theirs] });
    const requests: Array<[route: string, method: string, status: number, seconds: number]> = [
      ['orders', 'GET', 200, 0.0005],
      ['orders', 'GET', 200, 0.001], // on a bound: counted in that bucket (le is inclusive)
      ['orders', 'POST', 201, 0.05],
      ['orders', 'GET', 404, 2],
      ['(none)', 'GET', 404, 0.0002],
    ];
    for (const [route, method, status, seconds] of requests) {
      const metrics = table.of(route);
      metrics.countRequest(method, status);
      metrics.observeSeconds(seconds);
      counter.labels(route, method, String(status)).inc();
      histogram.labels(route).observe(seconds);
    }
    const sorted = (text: string): string[] => text.split('\n').filter(Boolean).sort();
    assert.deepEqual(sorted(await ours.metrics()), sorted(await theirs.metrics()));
  });

  it('keeps one set of numbers per route name, across lookups', () => {
    const table = new RouteMetricsTable(new Registry(), BOUNDS);
    assert.equal(table.of('a'), table.of('a'));
    assert.notEqual(table.of('a'), table.of('b'));
  });
});
