// OpenTelemetry export (SPEC §1): with OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set, each request becomes spans sent over
// OTLP/HTTP. This file is all the gateway holds when no exporter is configured:
// the settings read from the environment and the interface the request record
// reports to. The SDK (otel-export.ts) is imported only when an exporter is
// configured: idle RSS and start-up stay as they were without one.
import type { Logger } from './logger.js';
import type { TraceFields } from './trace-context.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingSettings {
  readonly protocol: OtlpProtocol;
  readonly serviceName: string;
}

/** From OpenTelemetry's own variables; null when no exporter is configured, an error for a protocol we cannot speak. */
export function tracingSettingsFrom(env: NodeJS.ProcessEnv): { ok: true; settings: TracingSettings | null } | { ok: false; error: string } {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return { ok: true, settings: null };
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    return { ok: false, error: `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: spans go over OTLP/HTTP, http/protobuf (the default) or http/json` };
  }
  return { ok: true, settings: { protocol, serviceName: env.OTEL_SERVICE_NAME || 'gatehouse' } };
}

/** Monotonic milliseconds (performance.now()); -1 when the step did not happen. */
export type Mark = number;

/** What one finished request tells the exporter; the request record implements it. */
export interface FinishedRequest extends Readonly<TraceFields> {
  /** The span id the upstream saw as its parent (the upstream-call span when exporting). */
  readonly upstreamSpanId: string | null;
  readonly traceState: string | undefined;
  readonly requestId: string;
  readonly method: string;
  readonly path: string | null;
  readonly routeName: string | null;
  /** The route's path as configured (`/orders/:id`), for the span name (semantic conventions' http.route). */
  readonly routeTemplate: string | null;
  readonly functionName: string | null;
  readonly consumer: string | null;
  /** The auth policy that admitted, null on public routes and for refused requests. */
  readonly authPolicy: string | null;
  readonly status: number;
  readonly startedAt: Mark;
  readonly endedAt: Mark;
  readonly authStartedAt: Mark;
  readonly authEndedAt: Mark;
  readonly limitStartedAt: Mark;
  readonly limitEndedAt: Mark;
  readonly holdStartedAt: Mark;
  readonly holdEndedAt: Mark;
  /** `ready`, or why the hold failed (an ActivationError code). */
  readonly holdOutcome: string | null;
  readonly upstreamStartedAt: Mark;
  readonly upstreamRespondedAt: Mark;
  readonly upstreamStatus: number | null;
  readonly upstreamOrigin: string | null;
}

/** Turns finished requests into exported spans. */
export interface RequestTracer {
  finished(request: FinishedRequest): void;
  /** Export what is buffered and stop. */
  shutdown(): Promise<void>;
}

export async function loadRequestTracer(settings: TracingSettings, logger: Logger): Promise<RequestTracer> {
  const { OtelRequestTracer } = await import('./otel-export.js');
  return OtelRequestTracer.create(settings, logger);
}
