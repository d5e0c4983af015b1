// WebSocket upgrades (SPEC §4): the same route, cors-free, auth and rate-limit
// steps as any request, then the socket is proxied both ways.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ActivationError, type Lease } from '../functions/types.js';
import { normalisePath } from '../routing/normalise.js';
import { activatorFor, fixedLeaseFor } from './activate.js';
import { prepareUpstreamHeaders } from './header-hygiene.js';
import type { PipelineDeps } from './pipeline.js';
import { activationProblem, matchProblem } from './problems.js';
import { Problem } from './problem.js';
import { writeRawProblem } from './raw-problem.js';
import { requestIdFor } from './request-id.js';

export async function handleUpgrade(deps: PipelineDeps, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const snapshot = deps.snapshot();
  const requestId = requestIdFor(req.headers['x-request-id']);
  socket.on('error', () => socket.destroy());
  try {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = normalisePath(queryAt === -1 ? url : url.slice(0, queryAt));
    if (!path.ok) throw new Problem(400, 'bad-path', path.reason);
    const match = snapshot.table.match({ method: req.method ?? 'GET', host: req.headers.host, path, headers: req.headers });
    if (match.kind !== 'matched') throw matchProblem(match);
    const route = match.route;
    const auth = await deps.authenticator.authenticate(route, req);
    if (auth.kind === 'refused') throw new Problem(auth.status, 'unauthorized', auth.detail, auth.headers);
    const clientIp = deps.clientIp(req);
    const decision = await deps.rateLimiter.check(route, { consumer: auth.consumer, clientIp }, req);
    if (decision.kind === 'limited') throw new Problem(decision.status, 'rate-limited', 'rate limit exceeded', { 'retry-after': String(decision.retryAfterSeconds) });
    prepareUpstreamHeaders(req.headers, {
      requestId,
      clientIp,
      proto: 'http',
      forbidden: snapshot.forbiddenHeaders,
      credentials: route.forwardCredentials ? [] : snapshot.credentialHeaders,
      upgrade: true,
    });
    for (const [name, value] of Object.entries(auth.identityHeaders)) req.headers[name] = value;
    const lease = await leaseFor(deps, route, socket);
    socket.once('close', () => lease.release());
    deps.proxy.upgrade(req, socket, head, {
      origin: lease.endpoint.origin,
      path: match.upstreamPath + (queryAt === -1 ? '' : url.slice(queryAt)),
      body: null,
      onProxyRequest: () => {},
      onResponse: () => {},
      onError: () => writeRawProblem(socket, new Problem(502, 'upstream-failed', 'the upstream refused the WebSocket'), requestId),
    });
  } catch (error) {
    if (error instanceof Problem) return writeRawProblem(socket, error, requestId);
    if (error instanceof ActivationError) return writeRawProblem(socket, activationProblem(error), requestId);
    deps.logger.error({ err: error, requestId }, 'unexpected error in a WebSocket upgrade');
    writeRawProblem(socket, new Problem(500, 'internal', 'the gateway failed to handle this upgrade'), requestId);
  }
}

async function leaseFor(deps: PipelineDeps, route: Parameters<typeof fixedLeaseFor>[0], socket: Duplex): Promise<Lease> {
  const fixed = fixedLeaseFor(route);
  if (fixed) return fixed;
  const activator = activatorFor(route, deps.functions);
  const now = activator.tryAcquire();
  if (now) return now;
  const abort = new AbortController();
  socket.once('close', () => abort.abort());
  return activator.hold(abort.signal);
}
