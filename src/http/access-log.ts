// The access-log line (SPEC §6): one per request, exactly these fields, null where
// one does not apply. Built from what the request record already holds: the path is
// the normalised one (never the query string, where API keys and tokens travel), and
// no header value is copied but Host and User-Agent.
import type { RequestRecord } from './request-record.js';

export interface AccessLogLine {
  readonly requestId: string;
  readonly traceId: string;
  readonly method: string;
  readonly host: string | null;
  readonly path: string | null;
  readonly route: string | null;
  readonly function: string | null;
  readonly status: number;
  readonly durationMs: number;
  readonly upstreamMs: number | null;
  readonly wakeMs: number | null;
  readonly consumer: string | null;
  readonly auth: string | null;
  readonly clientIp: string | null;
  readonly bytesIn: number | null;
  readonly bytesOut: number | null;
  readonly userAgent: string | null;
}

export function accessLogLine(record: RequestRecord): AccessLogLine {
  const { req, exchange } = record;
  const headers = req.headers;
  return {
    requestId: record.requestId,
    traceId: record.traceId,
    method: req.method ?? '',
    host: headers.host ?? null,
    path: record.path,
    route: record.routeName,
    function: record.functionName,
    status: record.status,
    durationMs: milliseconds(record.endedAt - record.startedAt),
    upstreamMs: exchange !== null && exchange.respondedAt >= 0 ? milliseconds(exchange.respondedAt - exchange.startedAt) : null,
    wakeMs: wakeMs(record),
    consumer: record.consumer,
    auth: record.authPolicy,
    clientIp: record.clientIp,
    bytesIn: bytesIn(record),
    bytesOut: bytesOut(record),
    userAgent: headers['user-agent'] ?? null,
  };
}

/** Three decimals: microseconds, as much as the clock is worth in a log line. */
function milliseconds(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** How long the request was held for a wake or for capacity (retries that waited included). */
function wakeMs(record: RequestRecord): number | null {
  const exchangeHeld = record.exchange?.heldMs ?? 0;
  if (exchangeHeld > 0) return milliseconds(exchangeHeld);
  if (record.holdStartedAt >= 0 && record.holdEndedAt >= 0) return milliseconds(record.holdEndedAt - record.holdStartedAt);
  return null;
}

/** Body bytes read from the client: 0 without a body, null for one the gateway never read (refused first). */
function bytesIn(record: RequestRecord): number | null {
  if (record.body !== null) return record.body.receivedBytes;
  const headers = record.req.headers;
  const declared = headers['content-length'];
  if (headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0')) return 0;
  return null;
}

/** Body bytes of the response: its Content-Length when it was sent whole, else what was counted; null when unknown. */
function bytesOut(record: RequestRecord): number | null {
  const res = record.res;
  if (!res.headersSent) return null;
  const status = res.statusCode;
  if (record.req.method === 'HEAD' || status === 204 || status === 304 || status < 200) return 0;
  const counted = record.exchange?.countedBytes ?? null;
  if (counted !== null) return counted;
  if (!res.writableFinished) return null;
  const length = res.getHeader('content-length');
  return length === undefined ? null : Number(length);
}
