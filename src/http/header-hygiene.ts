// Header hygiene on the way to the function (SPEC §4): hop-by-hop headers are not
// forwarded (RFC 9110 §7.6.1), no client can forge an identity header, and the
// X-Forwarded-* / X-Request-Id set is the gateway's own.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Hop-by-hop (RFC 9110 §7.6.1) plus `expect`: node already answered 100-continue to the client.
 * `transfer-encoding` stays: node re-frames the body exactly as it tells. */
const REQUEST_HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'expect'];
const RESPONSE_HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'trailer', 'upgrade', 'proxy-authenticate'];
const IDENTITY_PREFIX = 'x-gatehouse-';

export interface ForwardingFacts {
  readonly requestId: string;
  readonly clientIp: string;
  readonly proto: 'http' | 'https';
  /** Header names nobody may send in (forwardClaims targets of any policy), lower-case. */
  readonly forbidden: ReadonlySet<string>;
  /** Credential headers to drop (Authorization, API-key headers) unless the route forwards them. */
  readonly credentials: readonly string[];
  /** A WebSocket upgrade keeps `Connection: upgrade` and `Upgrade`. */
  readonly upgrade: boolean;
}

export function prepareUpstreamHeaders(headers: IncomingHttpHeaders, facts: ForwardingFacts): void {
  removeConnectionListed(headers);
  const upgrade = facts.upgrade ? headers.upgrade : undefined;
  for (const name of REQUEST_HOP_BY_HOP) delete headers[name];
  for (const name in headers) {
    if (name.startsWith(IDENTITY_PREFIX) || facts.forbidden.has(name)) delete headers[name];
  }
  for (const name of facts.credentials) delete headers[name];
  if (upgrade !== undefined) {
    headers.connection = 'upgrade';
    headers.upgrade = upgrade;
  }
  const forwardedFor = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${facts.clientIp}` : facts.clientIp;
  headers['x-forwarded-proto'] = facts.proto;
  headers['x-forwarded-host'] = headers.host ?? '';
  headers['x-request-id'] = facts.requestId;
}

/** After route middleware ran: identity headers are the gateway's, whatever it set (SPEC §2). */
export function reassertIdentity(headers: IncomingHttpHeaders, forbidden: ReadonlySet<string>, identity: Readonly<Record<string, string>>): void {
  for (const name in headers) {
    if (name.startsWith(IDENTITY_PREFIX) || forbidden.has(name)) delete headers[name];
  }
  for (const name in identity) headers[name] = identity[name];
}

/** Strip hop-by-hop headers from an upstream response before it is copied to the client. */
export function cleanUpstreamResponseHeaders(headers: IncomingHttpHeaders | OutgoingHttpHeaders): void {
  removeConnectionListed(headers);
  for (const name of RESPONSE_HOP_BY_HOP) delete headers[name];
}

/** RFC 9110 §7.6.1: headers named in Connection are hop-by-hop too. */
function removeConnectionListed(headers: IncomingHttpHeaders | OutgoingHttpHeaders): void {
  const connection = headers.connection;
  // The usual values name no other header: no split, no loop (it showed per request).
  if (typeof connection !== 'string' || connection.length === 0 || connection === 'keep-alive' || connection === 'close') return;
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive' && name !== 'upgrade') delete headers[name];
  }
}
