// Per-request accounting: gatehouse_requests_total and
// gatehouse_request_duration_seconds, recorded once when the response closes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayMetrics } from '../observability/metrics.js';

/** Bounded label values: an unknown method is OTHER, an unmatched request has no route. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const NO_ROUTE = '(none)';

export class RequestRecord {
  route = NO_ROUTE;
  readonly #started = performance.now();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly metrics: GatewayMetrics,
  ) {
    res.once('close', () => this.#record());
  }

  #record(): void {
    const method = KNOWN_METHODS.has(this.req.method ?? '') ? (this.req.method as string) : 'OTHER';
    // A response cut before its headers went out reached the client as nothing: status 0.
    const status = this.res.headersSent ? String(this.res.statusCode) : '0';
    this.metrics.requests.labels(this.route, method, status).inc();
    this.metrics.requestDuration.labels(this.route).observe((performance.now() - this.#started) / 1000);
  }
}
