// The cors step (SPEC §2): a preflight on a route with a cors policy is answered
// here and never forwarded; other requests from an allowed origin get the headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteSpec } from '../config/types.js';
import { Problem } from './problem.js';
import type { GatewaySnapshot } from './snapshot.js';

/** Returns true when the request was answered (a preflight). */
export function applyCors(snapshot: GatewaySnapshot, route: RouteSpec, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (route.cors === null || origin === undefined) return false;
  const cors = snapshot.cors.get(route.cors);
  if (!cors) return false;
  if (isPreflight(req)) {
    const method = req.headers['access-control-request-method'] as string;
    if (!cors.allowsOrigin(origin)) throw new Problem(403, 'cors-origin-refused', `origin ${origin} is not allowed`);
    if (!cors.allowsMethod(method)) throw new Problem(403, 'cors-origin-refused', `method ${method} is not allowed from ${origin}`);
    res.writeHead(204, cors.preflightHeaders(origin));
    res.end();
    return true;
  }
  if (cors.allowsOrigin(origin)) {
    const headers = cors.responseHeaders(origin);
    for (const name in headers) res.setHeader(name, headers[name] as string);
  }
  return false;
}

export function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
}
