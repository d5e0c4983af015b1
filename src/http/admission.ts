// The steps every request and every WebSocket upgrade goes through before it may
// reach a function: route match, authenticate, rate limit, then the identity and
// header hygiene of SPEC §4. A refused request throws a Problem.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withoutQueryParam } from '../auth/api-keys.js';
import type { AdmittedIdentity } from '../auth/authenticate.js';
import type { RouteSpec } from '../config/types.js';
import type { FunctionRegistry } from '../functions/registry.js';
import { normalisePath } from '../routing/normalise.js';
import type { ClientIpOf } from './client-ip.js';
import { isPreflight } from './cors-step.js';
import { prepareUpstreamHeaders } from './header-hygiene.js';
import { matchProblem } from './problems.js';
import { Problem } from './problem.js';
import type { GatewaySnapshot } from './snapshot.js';

export interface AdmissionDeps {
  readonly functions: FunctionRegistry;
  readonly clientIp: ClientIpOf;
}

export interface MatchedRoute {
  readonly route: RouteSpec;
  /** The upstream path (rewrite applied), without the query. */
  readonly path: string;
  /** `?...` as received, or ''. */
  readonly query: string;
}

/** What the access log keeps of admission (the request record; null for an upgrade). */
export interface AdmissionRecord {
  /** The normalised path, once accepted (404s and 405s are logged with it too). */
  path: string | null;
  clientIp: string | null;
  /** Take step timings (for exported spans only: performance.now() is not free). */
  readonly timed: boolean;
  authStartedAt: number;
  authEndedAt: number;
  limitStartedAt: number;
  limitEndedAt: number;
  readonly traceId: string;
  admitted(consumer: string | null, policy: string | null): void;
}

/** Route match on the normalised path; 400, 404 and 405 are thrown as problems. */
export function matchRoute(snapshot: GatewaySnapshot, req: IncomingMessage, record: AdmissionRecord | null = null): MatchedRoute {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = normalisePath(queryAt === -1 ? url : url.slice(0, queryAt));
  if (!path.ok) throw new Problem(400, 'bad-path', path.reason);
  if (record !== null) record.path = path.path;
  const request = { method: req.method ?? 'GET', host: req.headers.host, path, headers: req.headers };
  // A preflight asks about the method it announces (Fetch §4.8), so it belongs to the
  // route that would serve that method: matched as OPTIONS, a route listing only
  // [GET, PUT] answered its own preflight with 405 and browsers never sent the PUT.
  const preflight = isPreflight(req) ? snapshot.table.match({ ...request, method: String(req.headers['access-control-request-method']) }) : null;
  const match = preflight?.kind === 'matched' && preflight.route.cors !== null ? preflight : snapshot.table.match(request);
  if (match.kind !== 'matched') throw matchProblem(match);
  return { route: match.route, path: match.upstreamPath, query: queryAt === -1 ? '' : url.slice(queryAt) };
}

/** The client closed its connection: nothing can be delivered, nothing should be held. */
export function clientGone(req: IncomingMessage): boolean {
  return req.socket.destroyed;
}

/** An admitted request: where it goes upstream, and who it is. */
export interface Admission {
  /** Path and query to send upstream. */
  readonly upstreamPath: string;
  readonly identity: AdmittedIdentity;
}

/**
 * Authenticate, rate limit, then prepare the headers the function will see.
 * Returns the admission, or null when the client left meanwhile.
 * `res` receives the rate-limit headers (null for an upgrade: no response object).
 */
export async function admit(deps: AdmissionDeps, snapshot: GatewaySnapshot, matched: MatchedRoute, req: IncomingMessage, requestId: string, res: ServerResponse | null, record: AdmissionRecord | null = null): Promise<Admission | null> {
  const route = matched.route;
  const timed = record !== null && record.timed;
  // Spans only for steps that do something: a public route authenticates nobody.
  const authTimed = timed && route.auth.kind !== 'public';
  if (authTimed) record.authStartedAt = performance.now();
  // Awaited only when a step is asynchronous: a public, unlimited route passes both
  // without a microtask hop (each `await` of a plain value still costs one).
  const authenticating = snapshot.authenticator.authenticate(route, req); // step: authenticate
  const auth = authenticating instanceof Promise ? await authenticating : authenticating;
  if (authTimed) record.authEndedAt = performance.now();
  if (auth.kind === 'refused') {
    // SPEC §2 `wake: any`: an unauthenticated request may wake the function, still refused.
    if (route.wake === 'any' && route.target.kind === 'function') deps.functions.get(route.target.name)?.prewake(record === null ? null : { requestId, traceId: record.traceId });
    throw new Problem(auth.status, auth.status === 401 ? 'unauthorized' : 'forbidden', auth.detail, auth.headers, { reason: auth.reason });
  }
  if (clientGone(req)) return null; // left during authentication: no lease, no wake for nobody
  const clientIp = deps.clientIp(req);
  if (record !== null) {
    record.clientIp = clientIp;
    record.admitted(auth.consumer, auth.policy);
  }
  const subject = { consumer: auth.consumer, clientIp, claims: auth.claims, plan: auth.rateLimitPlan };
  const limitTimed = timed && (route.rateLimit.length > 0 || auth.rateLimitPlan !== null);
  if (limitTimed) record.limitStartedAt = performance.now();
  const deciding = snapshot.rateLimiter.check(route, subject, req); // step: rate limit
  const decision = deciding instanceof Promise ? await deciding : deciding;
  if (limitTimed) record.limitEndedAt = performance.now();
  if (clientGone(req)) return null;
  if (res) for (const name in decision.headers) res.setHeader(name, decision.headers[name] as string);
  if (decision.kind === 'limited') {
    const retryAfter = { 'retry-after': String(decision.retryAfterSeconds) };
    // onStoreError: deny (SPEC §4): the store is down, nobody exceeded anything.
    if (decision.status === 503) throw new Problem(503, 'rate-limit-unavailable', 'the rate-limit store is unavailable', retryAfter);
    throw new Problem(429, 'rate-limited', 'rate limit exceeded', retryAfter, { 'violated-policies': decision.violatedPolicies });
  }
  prepareUpstreamHeaders(req.headers, {
    requestId,
    clientIp,
    proto: 'http',
    forbidden: snapshot.forbiddenHeaders,
    credentials: route.forwardCredentials ? [] : snapshot.credentialHeaders,
    upgrade: res === null,
  });
  for (const name in auth.identityHeaders) req.headers[name] = auth.identityHeaders[name];
  let query = matched.query;
  for (const param of auth.credentialQueryParams) query = withoutQueryParam(query, param);
  return { upstreamPath: matched.path + query, identity: auth };
}
