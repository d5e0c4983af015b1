// What the gateway changes in an upstream response before the client sees it.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { cleanUpstreamResponseHeaders } from './header-hygiene.js';

/** http-proxy copies every upstream header over what the response already holds, so
 * the headers the gateway set (X-Request-Id, CORS, rate limits) are taken out of the
 * upstream's set here and win; Vary is merged (an upstream's `Vary: Accept-Encoding`
 * used to replace the gateway's `Vary: Origin`, and caches mixed origins up). */
export function plainUpstreamResponse(headers: IncomingHttpHeaders, res: ServerResponse): void {
  cleanUpstreamResponseHeaders(headers);
  // The client's connection, not the upstream's, decides (RFC 9112 §9.6): a client that
  // sent `Connection: close`, or a draining gateway, must see `close`. http-proxy would
  // otherwise write `keep-alive` because hygiene removed the request's Connection header.
  headers.connection = res.shouldKeepAlive ? 'keep-alive' : 'close';
  for (const name of res.getHeaderNames()) {
    if (name === 'vary') headers.vary = mergeVary(headers.vary, String(res.getHeader('vary')));
    else delete headers[name];
  }
}

/** RFC 9110 §12.5.5: a list of header names, case-insensitive; `*` already varies on everything. */
function mergeVary(upstream: string | undefined, gateway: string): string {
  if (upstream === undefined || upstream.trim() === '') return gateway;
  const names = upstream.split(',').map((name) => name.trim().toLowerCase());
  if (names.includes('*')) return upstream;
  const missing = gateway.split(',').filter((name) => !names.includes(name.trim().toLowerCase()));
  return missing.length === 0 ? upstream : `${upstream}, ${missing.map((name) => name.trim()).join(', ')}`;
}

/** SPEC §5: a response that waited for a wake says how long, for clients and dashboards. */
export function withWakeTiming(headers: IncomingHttpHeaders, heldMs: number): void {
  const entry = `wake;dur=${Math.round(heldMs)}`;
  const existing = headers['server-timing'];
  headers['server-timing'] = existing ? `${entry}, ${existing}` : entry;
}
