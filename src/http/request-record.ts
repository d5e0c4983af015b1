// Per-request accounting: gatehouse_requests_total and
// gatehouse_request_duration_seconds, recorded once when the response closes; the
// same close ends the request's upstream exchange. One 'close' listener, shared by
// every request (it finds its record on the response), instead of a closure and a
// once-wrapper per request per concern (onceWrapper showed in the profile).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { RouteMetrics } from '../observability/route-metrics.js';

/** Bounded label values: an unknown method is OTHER, an unmatched request has no route. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const NO_ROUTE = '(none)';

const kRecord = Symbol('gatehouse.request-record');
type WithRecord = ServerResponse & { [kRecord]?: RequestRecord };

function onResponseClose(this: ServerResponse): void {
  (this as WithRecord)[kRecord]?.closed();
}

export class RequestRecord {
  #route: RouteMetrics;
  /** The upstream exchange to end with the response, once there is one. */
  exchange: { close(): void } | null = null;
  readonly #started = performance.now();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly metrics: GatewayMetrics,
  ) {
    this.#route = metrics.routes.of(NO_ROUTE);
    (res as WithRecord)[kRecord] = this;
    res.on('close', onResponseClose);
  }

  set route(name: string) {
    this.#route = this.metrics.routes.of(name);
  }

  closed(): void {
    this.exchange?.close();
    const method = KNOWN_METHODS.has(this.req.method ?? '') ? (this.req.method as string) : 'OTHER';
    // A response cut before its headers went out reached the client as nothing: status 0.
    this.#route.countRequest(method, this.res.headersSent ? this.res.statusCode : 0);
    this.#route.observeSeconds((performance.now() - this.#started) / 1000);
  }
}
