// The OpenTelemetry SDK side of span export (SPEC §1), imported only when an OTLP
// endpoint is configured (tracing.ts). Spans are made when a request has finished,
// from the marks its record took, not while it runs: the hot path makes no SDK call,
// and the spans carry exactly the ids the request already used (SPEC §4): the
// gateway span's id is the one the trace context chose, and the upstream-call span's
// is the one the upstream received as its parent in `traceparent`. The SDK takes
// those ids through its IdGenerator, preset just before each (synchronous) startSpan.
import { createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from './logger.js';
import { isSampled, newSpanId } from './trace-context.js';
import type { FinishedRequest, Mark, RequestTracer, TracingSettings } from './tracing.js';

/** Hands the SDK the ids the request already has. */
class PresetIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** An export that fails (the collector is down) is logged, at most once a minute. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

class LoggingExporter implements SpanExporter {
  #lastLoggedAt = Number.NEGATIVE_INFINITY;
  constructor(
    private readonly inner: SpanExporter,
    private readonly logger: Logger,
  ) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS && performance.now() - this.#lastLoggedAt > FAILURE_LOG_INTERVAL_MS) {
        this.#lastLoggedAt = performance.now();
        this.logger.warn({ spans: spans.length, err: result.error?.message }, 'span export failed');
      }
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The exporter for the protocol; each reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) itself. */
async function otlpExporter(settings: TracingSettings): Promise<SpanExporter> {
  if (settings.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}

const epoch = (mark: Mark): number => performance.timeOrigin + mark;

export class OtelRequestTracer implements RequestTracer {
  static async create(settings: TracingSettings, logger: Logger): Promise<OtelRequestTracer> {
    const ids = new PresetIds();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
      idGenerator: ids,
      spanProcessors: [new BatchSpanProcessor(new LoggingExporter(await otlpExporter(settings), logger))],
    });
    logger.info({ protocol: settings.protocol, serviceName: settings.serviceName }, 'exporting spans over OTLP/HTTP');
    return new OtelRequestTracer(provider, ids);
  }

  readonly #tracer: Tracer;

  private constructor(
    private readonly provider: BasicTracerProvider,
    private readonly ids: PresetIds,
  ) {
    this.#tracer = provider.getTracer('gatehouse');
  }

  finished(r: FinishedRequest): void {
    if (!isSampled(r.traceFlags)) return; // the caller decided: not recorded (ParentBased sampling)
    this.ids.traceId = r.traceId; // asked for by the SDK only for a root span: a trace the gateway started
    const server = this.#start(r.routeTemplate === null ? r.method : `${r.method} ${r.routeTemplate}`, r.spanId, parentOf(r), SpanKind.SERVER, r.startedAt, serverAttributes(r));
    if (r.status >= 500) server.setStatus({ code: SpanStatusCode.ERROR });
    const inside = trace.setSpan(ROOT_CONTEXT, server);
    if (r.authEndedAt >= 0) {
      // Timed only on routes with policies, where an admission always names its policy.
      const outcome = r.authPolicy === null ? { 'gatehouse.auth.outcome': 'refused' } : { 'gatehouse.auth.outcome': 'admitted', 'gatehouse.auth.policy': r.authPolicy };
      this.#child(inside, 'authenticate', r.authStartedAt, r.authEndedAt, outcome, r.authPolicy === null);
    }
    if (r.limitEndedAt >= 0) this.#child(inside, 'rate limit', r.limitStartedAt, r.limitEndedAt, { 'gatehouse.ratelimit.decision': r.status === 429 ? 'limited' : 'allowed' });
    if (r.holdEndedAt >= 0) this.#child(inside, 'wake', r.holdStartedAt, r.holdEndedAt, { 'gatehouse.function': r.functionName ?? '', 'gatehouse.wake.outcome': r.holdOutcome ?? 'unknown' }, r.holdOutcome !== 'ready');
    if (r.upstreamStartedAt >= 0 && r.upstreamSpanId !== null) {
      const upstream = this.#start(r.method, r.upstreamSpanId, inside, SpanKind.CLIENT, r.upstreamStartedAt, upstreamAttributes(r));
      if (r.upstreamStatus === null || r.upstreamStatus >= 500) upstream.setStatus({ code: SpanStatusCode.ERROR, message: r.upstreamStatus === null ? 'no response from the upstream' : undefined });
      upstream.end(epoch(r.endedAt));
    }
    server.end(epoch(r.endedAt));
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }

  /** A step's span: only the exporter sees its id, so any fresh one will do. */
  #child(parent: Context, name: string, from: Mark, to: Mark, attributes: Attributes, failed = false): void {
    const span = this.#start(name, newSpanId(), parent, SpanKind.INTERNAL, from, attributes);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(epoch(to));
  }

  #start(name: string, spanId: string, parent: Context, kind: SpanKind, from: Mark, attributes: Attributes): Span {
    this.ids.spanId = spanId;
    return this.#tracer.startSpan(name, { kind, startTime: epoch(from), attributes }, parent);
  }
}

/** The caller's span as the remote parent, or the root context for a trace the gateway started. */
function parentOf(r: FinishedRequest): Context {
  if (r.parentSpanId === null) return ROOT_CONTEXT;
  const state = r.traceState;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: r.traceId,
    spanId: r.parentSpanId,
    traceFlags: Number.parseInt(r.traceFlags, 16),
    isRemote: true,
    ...(state === undefined ? {} : { traceState: createTraceState(state) }),
  });
}

function serverAttributes(r: FinishedRequest): Attributes {
  const attributes: Attributes = {
    'http.request.method': r.method,
    'http.response.status_code': r.status,
    'gatehouse.request_id': r.requestId,
  };
  if (r.path !== null) attributes['url.path'] = r.path;
  if (r.routeName !== null) attributes['gatehouse.route'] = r.routeName;
  if (r.routeTemplate !== null) attributes['http.route'] = r.routeTemplate;
  if (r.consumer !== null) attributes['gatehouse.consumer'] = r.consumer;
  if (r.functionName !== null) attributes['gatehouse.function'] = r.functionName;
  return attributes;
}

function upstreamAttributes(r: FinishedRequest): Attributes {
  const attributes: Attributes = { 'http.request.method': r.method };
  if (r.upstreamStatus !== null) attributes['http.response.status_code'] = r.upstreamStatus;
  if (r.upstreamOrigin !== null) {
    const origin = new URL(r.upstreamOrigin);
    attributes['server.address'] = origin.hostname;
    attributes['server.port'] = Number(origin.port || (origin.protocol === 'https:' ? 443 : 80));
  }
  if (r.functionName !== null) attributes['gatehouse.function'] = r.functionName;
  return attributes;
}
