// The request pipeline: one named step per line, in request order
// (ARCHITECTURE.md; STYLE §11). Each step may answer and stop the chain.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticate.js';
import type { RouteSpec } from '../config/types.js';
import type { FunctionRegistry } from '../functions/registry.js';
import { ActivationError, type Lease } from '../functions/types.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Logger } from '../observability/logger.js';
import { ProxyExchange } from '../proxy/exchange.js';
import { RequestBody, type BodyFailure } from '../proxy/request-body.js';
import type { UpstreamProxy } from '../proxy/upstream.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import { normalisePath } from '../routing/normalise.js';
import { activatorFor, declaredBodyBytes, fixedLeaseFor, hasBody, holdForCapacity, nextLeaseFrom } from './activate.js';
import type { ClientIpOf } from './client-ip.js';
import { applyCors, isPreflight } from './cors-step.js';
import { prepareUpstreamHeaders } from './header-hygiene.js';
import { discardUnreadBody } from './linger.js';
import { activationProblem, exchangeProblem, matchProblem } from './problems.js';
import { Problem, sendProblem } from './problem.js';
import { requestIdFor } from './request-id.js';
import { RequestRecord } from './request-record.js';
import { plainUpstreamResponse, withWakeTiming } from './response-headers.js';
import type { GatewaySnapshot } from './snapshot.js';

export const PIPELINE_STEPS = ['request id', 'route match', 'cors', 'authenticate', 'rate limit', 'activate', 'proxy'] as const;

export interface PipelineDeps {
  readonly snapshot: () => GatewaySnapshot;
  readonly authenticator: Authenticator;
  readonly rateLimiter: RateLimiter;
  readonly functions: FunctionRegistry;
  readonly proxy: UpstreamProxy;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly clientIp: ClientIpOf;
}

/** The client closed its connection: the response can never be delivered. */
function clientGone(res: ServerResponse): boolean {
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export class Pipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /** Handle one HTTP request; never rejects (every failure becomes problem+json). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const snapshot = this.deps.snapshot(); // this request's config, whatever reloads meanwhile
    const requestId = requestIdFor(req.headers['x-request-id']); // step: request id
    res.setHeader('x-request-id', requestId);
    const record = new RequestRecord(req, res, this.deps.metrics);
    try {
      const route = this.#matchRoute(snapshot, req, record); // step: route match
      if (applyCors(snapshot, route.route, req, res)) return; // step: cors (a preflight ends here)
      const auth = await this.deps.authenticator.authenticate(route.route, req); // step: authenticate
      if (auth.kind === 'refused') throw new Problem(auth.status, auth.status === 401 ? 'unauthorized' : 'forbidden', auth.detail, auth.headers);
      if (clientGone(res)) return; // left during authentication: no lease, no wake for nobody
      const clientIp = this.deps.clientIp(req);
      const decision = await this.deps.rateLimiter.check(route.route, { consumer: auth.consumer, clientIp }, req); // step: rate limit
      if (clientGone(res)) return;
      for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
      if (decision.kind === 'limited') {
        throw new Problem(decision.status, 'rate-limited', 'rate limit exceeded', { 'retry-after': String(decision.retryAfterSeconds) }, { 'violated-policies': decision.violatedPolicies });
      }
      prepareUpstreamHeaders(req.headers, {
        requestId,
        clientIp,
        proto: 'http',
        forbidden: snapshot.forbiddenHeaders,
        credentials: route.route.forwardCredentials ? [] : snapshot.credentialHeaders,
        upgrade: false,
      });
      for (const [name, value] of Object.entries(auth.identityHeaders)) req.headers[name] = value;
      await this.#activateAndProxy(route.route, route.upstreamPath, req, res, requestId); // steps: activate, proxy
    } catch (error) {
      this.#fail(req, res, requestId, error);
    }
  }

  #matchRoute(snapshot: GatewaySnapshot, req: IncomingMessage, record: RequestRecord): { route: RouteSpec; upstreamPath: string } {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = normalisePath(queryAt === -1 ? url : url.slice(0, queryAt));
    if (!path.ok) throw new Problem(400, 'bad-path', path.reason);
    const request = { method: req.method ?? 'GET', host: req.headers.host, path, headers: req.headers };
    // A preflight asks about the method it announces (Fetch §4.8), so it belongs to the
    // route that would serve that method: matched as OPTIONS, a route listing only
    // [GET, PUT] answered its own preflight with 405 and browsers never sent the PUT.
    const preflight = isPreflight(req) ? snapshot.table.match({ ...request, method: String(req.headers['access-control-request-method']) }) : null;
    const match = preflight?.kind === 'matched' && preflight.route.cors !== null ? preflight : snapshot.table.match(request);
    if (match.kind !== 'matched') throw matchProblem(match);
    record.route = match.route.name;
    const query = queryAt === -1 ? '' : url.slice(queryAt);
    return { route: match.route, upstreamPath: match.upstreamPath + query };
  }

  async #activateAndProxy(route: RouteSpec, path: string, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const declared = declaredBodyBytes(req);
    if (declared > route.maxBodyBytes) {
      // The body is not read, so the connection cannot be reused. A problem's own
      // headers survive sendProblem (a header set on res before it was dropped).
      throw new Problem(413, 'body-too-large', `the body declares ${declared} bytes; this route accepts at most ${route.maxBodyBytes}`, { connection: 'close' });
    }
    let exchange: ProxyExchange | null = null;
    const abortHold = new AbortController();
    const held: { failure: BodyFailure | null } = { failure: null };
    const body = hasBody(req)
      ? new RequestBody(req, route.maxBodyBytes, (failure) => {
          if (exchange) return exchange.bodyFailed(failure);
          held.failure = failure;
          abortHold.abort();
        })
      : null;

    const fixed = fixedLeaseFor(route);
    const activator = fixed ? null : activatorFor(route, this.deps.functions);
    let lease: Lease | null = fixed ?? activator?.tryAcquire() ?? null;
    if (!lease && activator) {
      try {
        lease = await holdForCapacity(activator, { res, body, declaredBytes: declared, abort: abortHold });
      } catch (error) {
        if (held.failure === 'too-large') throw new Problem(413, 'body-too-large', `the body grew past ${route.maxBodyBytes} bytes`, { connection: 'close' });
        if (held.failure === 'held-bytes-full') throw activationProblem(new ActivationError('bytes-full', activator.name, 1));
        throw error;
      }
    }
    if (!lease) throw new Error('no lease'); // unreachable: fixed routes always have one
    if (clientGone(res)) return lease.release(); // it left while we waited: nothing to send, nothing to hold
    const firstLease = lease;
    const functionName = route.target.kind === 'function' ? route.target.name : null;
    const started = performance.now();
    exchange = new ProxyExchange(
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
          if (functionName) this.deps.metrics.upstreamDuration.labels(functionName).observe((performance.now() - started) / 1000);
          plainUpstreamResponse(proxyRes.headers, res);
          if (heldMs > 0) withWakeTiming(proxyRes.headers, heldMs);
        },
        onFailure: (failure, detail) => sendProblem(res, exchangeProblem(failure, detail), requestId, discardUnreadBody(req)),
      },
      this.deps.proxy,
    );
    const ongoing = exchange;
    res.once('close', () => ongoing.close());
    exchange.start(lease);
  }

  /** Every answer of the gateway's own lets an unread request body drain first (linger.ts). */
  #fail(req: IncomingMessage, res: ServerResponse, requestId: string, error: unknown): void {
    if (error instanceof ActivationError && error.code === 'aborted') return; // the client is gone: nobody to answer
    sendProblem(res, this.#problemFor(error, requestId), requestId, discardUnreadBody(req));
  }

  #problemFor(error: unknown, requestId: string): Problem {
    if (error instanceof Problem) return error;
    if (error instanceof ActivationError) return activationProblem(error);
    this.deps.logger.error({ err: error, requestId }, 'unexpected error in the request pipeline');
    return new Problem(500, 'internal', 'the gateway failed to handle this request');
  }
}
