// The activate step (SPEC §5): a lease on a ready endpoint now, or hold the
// request, body buffered and counted against maxPendingBytes, until the function
// has capacity. Fixed `upstream:` routes get a lease that needs no activator.
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteSpec } from '../config/types.js';
import type { FunctionActivator } from '../functions/activator.js';
import type { FunctionRegistry } from '../functions/registry.js';
import { ActivationError, type Lease, type WakeCause } from '../functions/types.js';
import type { RequestBody } from '../proxy/request-body.js';

/** A lease on a fixed upstream URL: nothing to count, nothing to wake. */
class FixedLease implements Lease {
  readonly heldMs = 0;
  constructor(readonly endpoint: Lease['endpoint']) {}
  release(): void {}
  releaseRefused(): void {}
}

/**
 * Every `upstream:` route's lease, made once per config load (GatewaySnapshot): a
 * lease is stateless, and the same endpoint object for every request lets the
 * proxy reuse the options it prepared for it (a fresh object per request had the
 * target parsed again each time: url.parse showed in the profile).
 */
export function fixedLeases(routes: readonly RouteSpec[]): ReadonlyMap<string, Lease> {
  const leases = new Map<string, Lease>();
  for (const route of routes) {
    if (route.target.kind !== 'upstream') continue;
    const url = route.target.url;
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    leases.set(route.name, new FixedLease(Object.freeze({ id: url.origin, host: url.hostname, port, origin: url.origin })));
  }
  return leases;
}

export function activatorFor(route: RouteSpec, functions: FunctionRegistry): FunctionActivator {
  if (route.target.kind !== 'function') throw new Error('activatorFor: not a function route');
  const activator = functions.get(route.target.name);
  if (!activator) throw new ActivationError('unknown-function', route.target.name, 5);
  return activator;
}

export interface HoldContext {
  readonly res: ServerResponse;
  readonly body: RequestBody | null;
  /** Declared Content-Length, or 0. */
  readonly declaredBytes: number;
  /** Aborted when the body fails while held (too large, over the held budget). */
  readonly abort: AbortController;
  /** The request, for the wake it may start. */
  readonly cause: WakeCause;
}

/** Wait for capacity; the body is read into memory meanwhile (SPEC §4: the one case it is). */
export async function holdForCapacity(activator: FunctionActivator, context: HoldContext): Promise<Lease> {
  const { res, body, abort } = context;
  // A declared body that cannot fit is refused at once, before a byte is read.
  if (context.declaredBytes > 0 && !activator.reserveHeldBytes(context.declaredBytes)) {
    throw new ActivationError('bytes-full', activator.name, 1);
  }
  activator.releaseHeldBytes(context.declaredBytes);
  body?.bufferWhileHeld((bytes) => activator.reserveHeldBytes(bytes));
  try {
    return await holdWhileConnected(activator, res, abort, context.cause);
  } finally {
    if (body) activator.releaseHeldBytes(body.endHeldAccounting());
  }
}

/** Retries after a refused connection: another endpoint now, or wait for one (a crashed
 * instance is replaced by a fresh wake). A retry that waits holds its retained body,
 * so those bytes count against maxPendingBytes like any held body (STYLE §7). */
export function nextLeaseFrom(activator: FunctionActivator, res: ServerResponse, body: RequestBody | null): () => Promise<Lease> {
  return async () => {
    const lease = activator.tryAcquire();
    if (lease) return lease;
    const bytes = body?.retainedBytes ?? 0;
    if (!activator.reserveHeldBytes(bytes)) throw new ActivationError('bytes-full', activator.name, 1);
    try {
      return await holdWhileConnected(activator, res);
    } finally {
      activator.releaseHeldBytes(bytes);
    }
  };
}

/** A lease now, or wait for one while the client stays: the response (or, for an
 * upgrade, the socket) closing aborts the wait, so nobody is held for no one. */
export function leaseWhileConnected(activator: FunctionActivator, connection: EventEmitter): Lease | Promise<Lease> {
  return activator.tryAcquire() ?? holdWhileConnected(activator, connection);
}

async function holdWhileConnected(activator: FunctionActivator, connection: EventEmitter, abort = new AbortController(), cause: WakeCause | null = null): Promise<Lease> {
  const onClose = (): void => abort.abort();
  connection.once('close', onClose);
  try {
    return await activator.hold(abort.signal, cause);
  } finally {
    connection.off('close', onClose);
  }
}

export function declaredBodyBytes(req: IncomingMessage): number {
  const length = req.headers['content-length'];
  return length === undefined ? 0 : Number(length);
}

/** A request has a body when it is chunked or declares a non-zero length (RFC 9112 §6.3). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || declaredBodyBytes(req) > 0;
}
