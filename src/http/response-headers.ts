// What the gateway changes in an upstream response before the client sees it.
import type { IncomingHttpHeaders } from 'node:http';
import { cleanUpstreamResponseHeaders } from './header-hygiene.js';

export function plainUpstreamResponse(headers: IncomingHttpHeaders): void {
  cleanUpstreamResponseHeaders(headers);
  delete headers['x-request-id']; // the gateway's id is already set and is the one to quote
}

/** SPEC §5: a response that waited for a wake says how long, for clients and dashboards. */
export function withWakeTiming(headers: IncomingHttpHeaders, heldMs: number): void {
  const entry = `wake;dur=${Math.round(heldMs)}`;
  const existing = headers['server-timing'];
  headers['server-timing'] = existing ? `${entry}, ${existing}` : entry;
}
