// Per-route metric children, looked up once and kept (SPEC §6 metrics). prom-client's
// labels() hashes its label values into a string key on every call; on the request
// path that showed in the profile, so each route's children are resolved once and a
// request only walks two small maps (method, then status).
import type { Counter, Histogram } from 'prom-client';
import type { GatewayMetrics } from './metrics.js';

export class RouteMetrics {
  readonly duration: Histogram.Internal<'route'>;
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #byMethod = new Map<string, Map<number, Counter.Internal>>();

  constructor(
    metrics: GatewayMetrics,
    readonly route: string,
  ) {
    this.duration = metrics.requestDuration.labels(route);
    this.#requests = metrics.requests;
  }

  /** gatehouse_requests_total{route,method,status} += 1. */
  countRequest(method: string, status: number): void {
    let byStatus = this.#byMethod.get(method);
    if (byStatus === undefined) this.#byMethod.set(method, (byStatus = new Map()));
    let child = byStatus.get(status);
    if (child === undefined) byStatus.set(status, (child = this.#requests.labels(this.route, method, String(status))));
    child.inc();
  }
}

/** Route name → its children. Bounded by the route names configs have used (and "(none)"). */
export class RouteMetricsTable {
  readonly #routes = new Map<string, RouteMetrics>();

  constructor(private readonly metrics: GatewayMetrics) {}

  of(route: string): RouteMetrics {
    let found = this.#routes.get(route);
    if (found === undefined) this.#routes.set(route, (found = new RouteMetrics(this.metrics, route)));
    return found;
  }
}
