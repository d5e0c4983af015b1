// The middleware step (SPEC §2): a route's express middleware runs after
// authenticate and rate limit, before the function is woken. What the gateway
// promises around it is kept here: identity headers stay the gateway's, a body a
// middleware reads still reaches the function whole, response headers it sets give
// way to the function's own, and a failure is a 500 naming the module.
import type { IncomingHttpHeaders, OutgoingHttpHeader, ServerResponse, IncomingMessage } from 'node:http';
import type { AdmittedIdentity } from '../auth/authenticate.js';
import type { RequestBody } from '../proxy/request-body.js';
import type { MiddlewareChain } from './middleware/chain.js';
import { bodyProblem } from './problems.js';
import { reassertIdentity } from './header-hygiene.js';

/** Response headers a middleware set, applied under the function's response (it wins on a clash). */
export type StampedHeaders = ReadonlyArray<readonly [name: string, value: OutgoingHttpHeader]>;

export interface MiddlewareRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly identity: AdmittedIdentity;
  readonly body: RequestBody | null;
  /** forwardClaims header names: nobody but the gateway sets them. */
  readonly forbidden: ReadonlySet<string>;
}

/** Run the chain: the headers it stamped when it passed the request on, null when a middleware answered. */
export async function runMiddleware(chain: MiddlewareChain, request: MiddlewareRequest): Promise<StampedHeaders | null> {
  const { req, res, body, identity } = request;
  const gatewayHeaders = res.getHeaderNames(); // a handful: an array beats a Set here
  const stopWatching = body?.retainWhatMiddlewareReads();
  let outcome;
  try {
    outcome = await Promise.race([
      chain.run(req, res, { route: chain.route, consumer: identity.consumer, auth: identity.policy, claims: identity.claims, requestId: request.requestId }),
      ...(body ? [bodyFailed(body)] : []),
    ]);
  } finally {
    stopWatching?.();
  }
  if (outcome === 'answered') return null;
  reassertIdentity(req.headers, request.forbidden, identity.identityHeaders);
  const stamped: Array<readonly [string, OutgoingHttpHeader]> = [];
  for (const name of res.getHeaderNames()) {
    if (gatewayHeaders.includes(name)) continue;
    stamped.push([name, res.getHeader(name) as OutgoingHttpHeader]);
    res.removeHeader(name);
  }
  return stamped;
}

/** Rejects when the body fails while the middleware runs (it may be waiting for the rest of it). */
function bodyFailed(body: RequestBody): Promise<never> {
  return new Promise((_resolve, reject) => body.onFailure((failure) => reject(bodyProblem(failure))));
}

/** Under the function's own headers: a header the function sent wins. */
export function applyStampedHeaders(headers: IncomingHttpHeaders, stamped: StampedHeaders): void {
  for (const [name, value] of stamped) if (headers[name] === undefined) headers[name] = typeof value === 'number' ? String(value) : value;
}
