// Every metric of SPEC §6, defined once per gateway on its own registry (no
// prom-client globals: a test may run three gateways in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PlainHistogram } from './latency-buckets.js';
import { PairCounter } from './pair-counter.js';
import { RouteMetricsTable } from './route-metrics.js';

/** 0.5 ms (a gateway answering from its own table) to 60 s (a long upstream call). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** 5 ms (a local function that listens at once) to 60 s (a pod pulling its image). */
const WAKE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60];

/**
 * What the gauges read when /metrics is scraped, rather than being set on every
 * request: the gateway hands these over once its registry and agents exist.
 */
export interface ScrapeSources {
  /** Each function's requests sent to its endpoints and not yet ended. */
  inFlight(): Iterable<readonly [fn: string, requests: number]>;
  /** The upstream keep-alive pool's sockets: serving a request, or waiting for one. */
  upstreamConnections(): { readonly active: number; readonly idle: number };
}

export class GatewayMetrics {
  readonly registry = new Registry();
  /** Observed per proxied request: plain numbers, rendered on scrape (latency-buckets.ts). */
  readonly upstreamDuration = new PlainHistogram(this.registry, {
    name: 'gatehouse_upstream_duration_seconds',
    help: 'Time from sending upstream to the upstream response headers, by function.',
    label: 'function',
    bounds: LATENCY_BUCKETS,
  });
  readonly clientDisconnects = new Counter({
    name: 'gatehouse_client_disconnects_total',
    help: 'Responses whose client left before they ended (the upstream request was cut), by route.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  readonly wakes = new Counter({
    name: 'gatehouse_wakes_total',
    help: 'Wakes of sleeping functions, by outcome (ready|timeout|error).',
    labelNames: ['function', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly wakeDuration = new Histogram({
    name: 'gatehouse_wake_duration_seconds',
    help: 'Time from the wake call to the first ready endpoint.',
    labelNames: ['function'] as const,
    buckets: WAKE_BUCKETS,
    registers: [this.registry],
  });
  readonly pendingRequests = new Gauge({
    name: 'gatehouse_pending_requests',
    help: 'Requests held while their function wakes or is at capacity.',
    labelNames: ['function'] as const,
    registers: [this.registry],
  });
  readonly readyEndpoints = new Gauge({
    name: 'gatehouse_ready_endpoints',
    help: 'Ready endpoints per function.',
    labelNames: ['function'] as const,
    registers: [this.registry],
  });
  /** Counted per request: plain numbers, rendered on scrape (pair-counter.ts). */
  readonly rateLimitDecisions = new PairCounter(this.registry, 'gatehouse_ratelimit_decisions_total', 'Rate-limit decisions (allowed|limited), by policy.', ['policy', 'decision']);
  readonly rateLimitStoreErrors = new Counter({
    name: 'gatehouse_ratelimit_store_errors_total',
    help: 'Rate-limit decisions made without the store, by the onStoreError mode applied.',
    labelNames: ['mode'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'gatehouse_auth_failures_total',
    help: 'Authentication failures, by policy and reason.',
    labelNames: ['policy', 'reason'] as const,
    registers: [this.registry],
  });
  readonly configReloads = new Counter({
    name: 'gatehouse_config_reloads_total',
    help: 'Config reloads, by result (ok|error).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly inflightRequests = new Gauge({
    name: 'gatehouse_inflight_requests',
    help: "Requests sent to a function's endpoints whose response has not ended, by function.",
    labelNames: ['function'] as const,
    registers: [this.registry],
    collect: () => this.#collectInFlight(),
  });
  readonly upstreamConnections = new Gauge({
    name: 'gatehouse_upstream_connections',
    help: 'Connections of the upstream keep-alive pool, by state (active: serving a request; idle: pooled).',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => this.#collectConnections(),
  });
  #sources: ScrapeSources | null = null;

  /** Per-route children of the request metrics, resolved once per route. */
  readonly routes = new RouteMetricsTable(this.registry, LATENCY_BUCKETS);

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  readFrom(sources: ScrapeSources): void {
    this.#sources = sources;
  }

  #collectInFlight(): void {
    this.inflightRequests.reset(); // a function removed by a reload leaves the series
    for (const [fn, requests] of this.#sources?.inFlight() ?? []) this.inflightRequests.labels(fn).set(requests);
  }

  #collectConnections(): void {
    const { active, idle } = this.#sources?.upstreamConnections() ?? { active: 0, idle: 0 };
    this.upstreamConnections.labels('active').set(active);
    this.upstreamConnections.labels('idle').set(idle);
  }
}
