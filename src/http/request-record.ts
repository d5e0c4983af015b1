// Per-request accounting: the request's trace context (SPEC §4), what the access
// log and the exported spans need to know of it (SPEC §6, §1), and
// gatehouse_requests_total / gatehouse_request_duration_seconds, all recorded once
// when the response closes; the same close ends the request's upstream exchange.
// One object per request, and one 'close' listener, shared by every request (it
// finds its record on the response), instead of a closure and a once-wrapper per
// request per concern (onceWrapper showed in the profile).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteSpec } from '../config/types.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { RouteMetrics } from '../observability/route-metrics.js';
import { continueTrace, newSpanId, traceparentOf } from '../observability/trace-context.js';
import type { FinishedRequest, Mark, RequestTracer } from '../observability/tracing.js';
import type { AccessLog } from './access-log.js';
import type { ClientIpOf } from './client-ip.js';

/** Bounded label values: an unknown method is OTHER, an unmatched request has no route. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const NO_ROUTE = '(none)';
/** nginx's code for "the client closed the connection before the response ended" (SPEC §6). */
export const CLIENT_LEFT = 499;

const kRecord = Symbol('gatehouse.request-record');
type WithRecord = ServerResponse & { [kRecord]?: RequestRecord };

function onResponseClose(this: ServerResponse): void {
  (this as WithRecord)[kRecord]?.closed();
}

/** Who hears of a finished request; built once per gateway. */
export interface RequestObservers {
  readonly metrics: GatewayMetrics;
  /** The access log, or null with `--access-log off`. */
  readonly accessLog: AccessLog | null;
  /** The span exporter, or null when no OTLP endpoint is configured. */
  readonly tracer: RequestTracer | null;
  readonly clientIp: ClientIpOf;
}

/** The upstream exchange as the record sees it. */
export interface RecordedExchange {
  close(): void;
  /** performance.now() of the first try, of the upstream's response headers (-1: none). */
  readonly startedAt: Mark;
  readonly respondedAt: Mark;
  readonly upstreamStatus: number | null;
  readonly upstreamOrigin: string | null;
  /** Every wait of the request for an endpoint, retries included (ms). */
  readonly heldMs: number;
  /** Response body bytes counted on the way (null when the upstream declared a length). */
  readonly countedBytes: number | null;
  /** The gateway cut the response (the upstream died mid-body): not the client leaving. */
  readonly cutByUpstream: boolean;
}

export class RequestRecord implements FinishedRequest {
  // Trace context (SPEC §4): set in the constructor, before any other step.
  traceId = '';
  spanId = '';
  parentSpanId: string | null = null;
  traceFlags = '';
  /** The upstream-call span, when spans are exported: the upstream's parent is then that span. */
  readonly upstreamSpanId: string | null;

  route: RouteSpec | null = null;
  /** The normalised path (never the query), once the path was accepted. */
  path: string | null = null;
  consumer: string | null = null;
  authPolicy: string | null = null;
  clientIp: string | null = null;
  /** Request body bytes read, once a body is being read (null: a body nobody read). */
  body: { readonly receivedBytes: number } | null = null;
  /** The upstream exchange to end with the response, once there is one. */
  exchange: RecordedExchange | null = null;

  /** Step timings for the exported spans: taken only when a tracer listens. */
  readonly timed: boolean;
  readonly startedAt = performance.now();
  endedAt: Mark = -1;
  authStartedAt: Mark = -1;
  authEndedAt: Mark = -1;
  limitStartedAt: Mark = -1;
  limitEndedAt: Mark = -1;
  holdStartedAt: Mark = -1;
  holdEndedAt: Mark = -1;
  holdOutcome: string | null = null;
  status = 0;

  #routeMetrics: RouteMetrics;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly requestId: string,
    private readonly observers: RequestObservers,
  ) {
    this.#routeMetrics = observers.metrics.routes.of(NO_ROUTE);
    this.timed = observers.tracer !== null;
    continueTrace(this, req.headers); // step: trace context
    this.upstreamSpanId = this.timed ? newSpanId() : null;
    req.headers.traceparent = traceparentOf(this, this.upstreamSpanId ?? this.spanId);
    (res as WithRecord)[kRecord] = this;
    res.on('close', onResponseClose);
  }

  matched(route: RouteSpec): void {
    this.route = route;
    this.#routeMetrics = this.observers.metrics.routes.of(route.name);
  }

  admitted(consumer: string | null, policy: string | null): void {
    this.consumer = consumer;
    this.authPolicy = policy;
  }

  holdStarted(): void {
    this.holdStartedAt = performance.now();
  }

  holdEnded(outcome: string): void {
    this.holdEndedAt = performance.now();
    this.holdOutcome = outcome;
  }

  closed(): void {
    const exchange = this.exchange;
    exchange?.close();
    this.endedAt = performance.now();
    const res = this.res;
    // A response cut before its headers went out reached the client as nothing: status 0.
    const sent = res.headersSent ? res.statusCode : 0;
    const method = KNOWN_METHODS.has(this.req.method ?? '') ? (this.req.method as string) : 'OTHER';
    this.#routeMetrics.countRequest(method, sent);
    this.#routeMetrics.observeSeconds((this.endedAt - this.startedAt) / 1000);
    this.status = res.writableFinished || exchange?.cutByUpstream === true ? sent : CLIENT_LEFT;
    if (this.observers.accessLog !== null) {
      this.clientIp ??= this.observers.clientIp(this.req);
      this.observers.accessLog.write(this);
    }
    this.observers.tracer?.finished(this);
  }

  // FinishedRequest, read once at the end.
  get method(): string {
    return this.req.method ?? '';
  }
  get routeName(): string | null {
    return this.route?.name ?? null;
  }
  get routeTemplate(): string | null {
    return this.route?.match.path ?? null;
  }
  get functionName(): string | null {
    const target = this.route?.target;
    return target?.kind === 'function' ? target.name : null;
  }
  get traceState(): string | undefined {
    const value = this.req.headers.tracestate;
    return typeof value === 'string' ? value : undefined;
  }
  get upstreamStartedAt(): Mark {
    return this.exchange?.startedAt ?? -1;
  }
  get upstreamRespondedAt(): Mark {
    return this.exchange?.respondedAt ?? -1;
  }
  get upstreamStatus(): number | null {
    return this.exchange?.upstreamStatus ?? null;
  }
  get upstreamOrigin(): string | null {
    return this.exchange?.upstreamOrigin ?? null;
  }
}
