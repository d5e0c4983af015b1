// The request pipeline: one named step per line, in request order
// (ARCHITECTURE.md; STYLE §11). Each step may answer and stop the chain.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteSpec } from '../config/types.js';
import { ActivationError, type Lease } from '../functions/types.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Logger } from '../observability/logger.js';
import type { RequestTracer } from '../observability/tracing.js';
import { ProxyExchange } from '../proxy/exchange.js';
import { RequestBody } from '../proxy/request-body.js';
import type { UpstreamProxy } from '../proxy/upstream.js';
import type { AccessLog } from './access-log.js';
import { activatorFor, declaredBodyBytes, hasBody, holdForCapacity, nextLeaseFrom } from './activate.js';
import { admit, clientGone, matchRoute, type AdmissionDeps } from './admission.js';
import { applyCors } from './cors-step.js';
import { discardUnreadBody } from './linger.js';
import { MiddlewareFailure } from './middleware/failure.js';
import { applyStampedHeaders, runMiddleware, type StampedHeaders } from './middleware-step.js';
import { activationProblem, exchangeProblem, middlewareProblem } from './problems.js';
import { Problem, sendProblem } from './problem.js';
import { requestIdFor } from './request-id.js';
import { RequestRecord, type RequestObservers } from './request-record.js';
import { plainUpstreamResponse, withWakeTiming } from './response-headers.js';
import type { GatewaySnapshot } from './snapshot.js';

export const PIPELINE_STEPS = ['request id', 'trace context', 'route match', 'cors', 'authenticate', 'rate limit', 'middleware', 'activate', 'proxy'] as const;

export interface PipelineDeps extends AdmissionDeps {
  readonly snapshot: () => GatewaySnapshot;
  readonly proxy: UpstreamProxy;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** The access log (SPEC §6), or null with `--access-log off`. */
  readonly accessLog: AccessLog | null;
  /** Span export (SPEC §1), or null when no OTLP endpoint is configured. */
  readonly tracer: RequestTracer | null;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export class Pipeline {
  readonly #observers: RequestObservers;

  constructor(private readonly deps: PipelineDeps) {
    this.#observers = Object.freeze({ metrics: deps.metrics, accessLog: deps.accessLog, tracer: deps.tracer, clientIp: deps.clientIp });
  }

  /** Handle one HTTP request; never rejects (every failure becomes problem+json). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const snapshot = this.deps.snapshot(); // this request's config, whatever reloads meanwhile
    const requestId = requestIdFor(req.headers['x-request-id']); // step: request id
    res.setHeader('x-request-id', requestId);
    const record = new RequestRecord(req, res, requestId, this.#observers); // step: trace context
    try {
      const matched = matchRoute(snapshot, req, record); // step: route match
      const route = matched.route;
      record.matched(route);
      if (applyCors(snapshot, route, req, res)) return; // step: cors (a preflight ends here)
      const admitted = await admit(this.deps, snapshot, matched, req, requestId, res, record); // steps: authenticate, rate limit
      if (admitted === null) return; // the client left
      refuseDeclaredOversize(req, route);
      const body = hasBody(req) ? new RequestBody(req, route.maxBodyBytes) : null;
      record.body = body;
      const chain = snapshot.middleware.get(route.name);
      const stamped = chain === undefined ? null : await runMiddleware(chain, { req, res, requestId, identity: admitted.identity, body, forbidden: snapshot.forbiddenHeaders }); // step: middleware
      if (chain !== undefined && stamped === null) return; // a middleware answered
      await this.#activateAndProxy(snapshot, record, route, admitted.upstreamPath, req, res, requestId, body, stamped); // steps: activate, proxy
    } catch (error) {
      this.#fail(record, error);
    }
  }

  async #activateAndProxy(snapshot: GatewaySnapshot, record: RequestRecord, route: RouteSpec, path: string, req: IncomingMessage, res: ServerResponse, requestId: string, body: RequestBody | null, stamped: StampedHeaders | null): Promise<void> {
    const fixed = snapshot.fixedLeases.get(route.name);
    const activator = fixed ? null : activatorFor(route, this.deps.functions);
    let lease: Lease | null = fixed ?? activator?.tryAcquire() ?? null;
    if (!lease && activator) {
      const abortHold = new AbortController();
      body?.onFailure(() => abortHold.abort());
      record.holdStarted();
      try {
        lease = await holdForCapacity(activator, { res, body, declaredBytes: declaredBodyBytes(req), abort: abortHold, cause: record });
        record.holdEnded('ready');
      } catch (error) {
        record.holdEnded(error instanceof ActivationError ? error.code : 'error');
        if (body?.failure === 'too-large') throw new Problem(413, 'body-too-large', `the body grew past ${route.maxBodyBytes} bytes`, { connection: 'close' });
        if (body?.failure === 'held-bytes-full') throw activationProblem(new ActivationError('bytes-full', activator.name, 1));
        throw error;
      }
    }
    if (!lease) throw new Error('no lease'); // unreachable: fixed routes always have one
    if (clientGone(req)) return lease.release(); // it left while we waited: nothing to send, nothing to hold
    const firstLease = lease;
    const upstreamTimes = route.target.kind === 'function' ? this.deps.metrics.upstreamDuration.of(route.target.name) : null;
    const started = performance.now();
    const exchange = new ProxyExchange(
      {
        req,
        res,
        path,
        timeoutMs: route.timeoutMs,
        retries: route.retries,
        idempotent: IDEMPOTENT.has(req.method ?? ''),
        body,
        nextLease: activator ? nextLeaseFrom(activator, res, body) : async () => firstLease,
        onResponse: (proxyRes, heldMs) => {
          upstreamTimes?.observeSeconds((performance.now() - started) / 1000);
          plainUpstreamResponse(proxyRes.headers, res);
          if (stamped !== null) applyStampedHeaders(proxyRes.headers, stamped);
          if (heldMs > 0) withWakeTiming(proxyRes.headers, heldMs);
        },
        onFailure: (failure, detail) => sendProblem(res, exchangeProblem(failure, detail), requestId, discardUnreadBody(req)),
        onClientLeft: () => this.deps.metrics.clientDisconnects.labels(route.name).inc(),
      },
      this.deps.proxy,
    );
    body?.onFailure((failure) => exchange.bodyFailed(failure));
    record.exchange = exchange;
    exchange.start(lease);
  }

  /** Every answer of the gateway's own lets an unread request body drain first (linger.ts). */
  #fail(record: RequestRecord, error: unknown): void {
    if (error instanceof ActivationError && error.code === 'aborted') return; // the client is gone: nobody to answer
    sendProblem(record.res, this.#problemFor(error, record), record.requestId, discardUnreadBody(record.req));
  }

  #problemFor(error: unknown, record: RequestRecord): Problem {
    if (error instanceof Problem) return error;
    if (error instanceof ActivationError) return activationProblem(error);
    const { requestId, traceId } = record;
    if (error instanceof MiddlewareFailure) {
      this.deps.logger.error({ route: error.route, module: error.module, err: error.cause, requestId, traceId }, 'route middleware failed');
      return middlewareProblem();
    }
    this.deps.logger.error({ err: error, requestId, traceId }, 'unexpected error in the request pipeline');
    return new Problem(500, 'internal', 'the gateway failed to handle this request');
  }
}

/** SPEC §2: a declared Content-Length over maxBodySize is 413 before any middleware or upstream byte. */
function refuseDeclaredOversize(req: IncomingMessage, route: RouteSpec): void {
  const declared = declaredBodyBytes(req);
  if (declared <= route.maxBodyBytes) return;
  // The body is not read, so the connection cannot be reused. A problem's own
  // headers survive sendProblem (a header set on res before it was dropped).
  throw new Problem(413, 'body-too-large', `the body declares ${declared} bytes; this route accepts at most ${route.maxBodyBytes}`, { connection: 'close' });
}
