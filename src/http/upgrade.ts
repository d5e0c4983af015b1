// WebSocket upgrades (SPEC §4): the same route match, authentication and rate
// limits as any request (no CORS: browsers do not preflight upgrades), then the
// socket is proxied both ways.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ActivationError } from '../functions/types.js';
import { continueTrace, traceparentOf, type TraceFields } from '../observability/trace-context.js';
import { activatorFor, leaseWhileConnected } from './activate.js';
import { admit, matchRoute } from './admission.js';
import type { PipelineDeps } from './pipeline.js';
import { activationProblem } from './problems.js';
import { Problem } from './problem.js';
import { writeRawProblem } from './raw-problem.js';
import { requestIdFor } from './request-id.js';

export async function handleUpgrade(deps: PipelineDeps, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const snapshot = deps.snapshot();
  const requestId = requestIdFor(req.headers['x-request-id']);
  const trace: TraceFields = { traceId: '', spanId: '', parentSpanId: null, traceFlags: '' };
  continueTrace(trace, req.headers); // SPEC §4: an upgrade carries the trace upstream like any request
  req.headers.traceparent = traceparentOf(trace, trace.spanId);
  socket.on('error', () => socket.destroy());
  try {
    const matched = matchRoute(snapshot, req);
    // Route middleware is express middleware for requests with a response to answer;
    // an upgrade has none. Refused rather than let it past the checks it may make.
    if (snapshot.middleware.has(matched.route.name)) throw new Problem(501, 'upgrade-not-supported', 'WebSocket upgrades are not supported on a route with middleware');
    const admitted = await admit(deps, snapshot, matched, req, requestId, null);
    if (admitted === null) return;
    const lease = await (snapshot.fixedLeases.get(matched.route.name) ?? leaseWhileConnected(activatorFor(matched.route, deps.functions), socket));
    socket.once('close', () => lease.release());
    deps.proxy.upgrade(req, socket, head, {
      endpoint: lease.endpoint,
      path: admitted.upstreamPath,
      body: null,
      // http-proxy passes a client's FIN or reset on to the upstream socket, but not a
      // close without either (the gateway cutting connections at shutdown, say): the
      // upstream socket goes with the client's, whatever closed it.
      onProxyRequest: (proxyReq) => {
        proxyReq.path = admitted.upstreamPath; // as sent: http-proxy's join rewrites `http:/` (exchange.ts)
        socket.once('close', () => proxyReq.destroy());
        proxyReq.once('upgrade', (_res, upstream: Duplex) => (socket.destroyed ? upstream.destroy() : socket.once('close', () => upstream.destroy())));
      },
      onResponse: () => {},
      onError: () => writeRawProblem(socket, new Problem(502, 'upstream-failed', 'the upstream refused the WebSocket'), requestId),
    });
  } catch (error) {
    if (error instanceof Problem) return writeRawProblem(socket, error, requestId);
    if (error instanceof ActivationError) return writeRawProblem(socket, activationProblem(error), requestId);
    deps.logger.error({ err: error, requestId, traceId: trace.traceId }, 'unexpected error in a WebSocket upgrade');
    writeRawProblem(socket, new Problem(500, 'internal', 'the gateway failed to handle this upgrade'), requestId);
  }
}
