// gatehouse_requests_total{route,method,status} and
// gatehouse_request_duration_seconds{route} (SPEC §6), counted in plain numbers
// per route and handed to prom-client's registry only when /metrics is read.
// prom-client's Counter and Histogram validate and hash their label values on
// every inc()/observe(), children included: ~1.2 µs a request, the largest cost
// of the gateway's own left in a CPU profile of the public route. Here a request
// walks two small maps and one bounds array.
import { Counter, Histogram, type Registry } from 'prom-client';
import { LatencySeries, type Sample } from './latency-buckets.js';

/** One route's numbers. */
export class RouteMetrics {
  /** method → status → requests. */
  readonly #requests = new Map<string, Map<number, number>>();
  readonly #duration: LatencySeries;

  constructor(
    readonly route: string,
    bounds: readonly number[],
  ) {
    this.#duration = new LatencySeries(bounds, { route });
  }

  countRequest(method: string, status: number): void {
    let byStatus = this.#requests.get(method);
    if (byStatus === undefined) this.#requests.set(method, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }

  observeSeconds(seconds: number): void {
    this.#duration.observeSeconds(seconds);
  }

  requestSamples(out: Sample[]): void {
    for (const [method, byStatus] of this.#requests) {
      for (const [status, value] of byStatus) out.push({ labels: { route: this.route, method, status: String(status) }, value });
    }
  }

  durationSamples(out: Sample[], name: string): void {
    this.#duration.samples(out, name);
  }
}

/** prom-client renders a metric from what its get() returns: these hand it the table's numbers. */
const REQUESTS = { name: 'gatehouse_requests_total', help: 'Requests answered, by route, method and status.' };
const DURATION = { name: 'gatehouse_request_duration_seconds', help: 'Time from request to the end of the response, by route.' };

class RequestsCounter extends Counter<string> {
  constructor(
    registry: Registry,
    private readonly routes: ReadonlyMap<string, RouteMetrics>,
  ) {
    super({ ...REQUESTS, labelNames: ['route', 'method', 'status'], registers: [registry] });
  }

  override async get(): ReturnType<Counter<string>['get']> {
    const values: Sample[] = [];
    for (const route of this.routes.values()) route.requestSamples(values);
    return { ...(await super.get()), values }; // its own name, help and type; our values
  }
}

class DurationHistogram extends Histogram<string> {
  constructor(
    registry: Registry,
    private readonly routes: ReadonlyMap<string, RouteMetrics>,
  ) {
    super({ ...DURATION, labelNames: ['route'], registers: [registry] });
  }

  /**
   * prom-client's registry renders a histogram from this method (and its get() maps
   * the same values), so the numbers are handed over here. Not in its typings.
   */
  async getForPromString(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }> {
    const values: Sample[] = [];
    for (const route of this.routes.values()) route.durationSamples(values, DURATION.name);
    return { ...DURATION, type: 'histogram', aggregator: 'sum', values };
  }
}

/** Route name → its numbers, exposed as two metrics of `registry`. Bounded by the route names configs have used. */
export class RouteMetricsTable {
  readonly #routes = new Map<string, RouteMetrics>();

  constructor(
    registry: Registry,
    private readonly bounds: readonly number[],
  ) {
    new RequestsCounter(registry, this.#routes);
    new DurationHistogram(registry, this.#routes);
  }

  of(route: string): RouteMetrics {
    let found = this.#routes.get(route);
    if (found === undefined) this.#routes.set(route, (found = new RouteMetrics(route, this.bounds)));
    return found;
  }

  // Read-only views for the dashboard's 5-minute history (history.ts samples them once a second).
  /** The latency histogram's upper bounds in seconds; one more bucket (+Inf) follows the last. */
  get latencyBounds(): readonly number[] {
    return this.bounds;
  }

  /** Every route counted so far (routes are never dropped, so totals only grow). */
  all(): Iterable<RouteMetrics> {
    return this.#routes.values();
  }
}
