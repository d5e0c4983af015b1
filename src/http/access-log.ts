// The access-log line (SPEC §6): one per request, exactly these fields, null where
// one does not apply, as pino writes a line of the gateway's logger (level, time,
// service, the fields, msg) and to the same destination (destinationOf). Serialised
// here, field by field from the request record, rather than by pino: its generic
// serialiser (a loop over the keys, each key and value escaped) took ~45 % more per
// line than this fixed template in bench/observability.ts, and the access log has a
// 5 % budget of the public route (BENCHMARKS.md). The path is the normalised one
// (never the query string, where API keys and tokens travel); no header value is
// copied but Host and User-Agent; so this line needs no redaction pass.
import type { LogDestination } from '../observability/logger.js';
import type { RequestRecord } from './request-record.js';

/** pino's `info`. */
const INFO = 30;

export class AccessLog {
  constructor(private readonly destination: LogDestination) {}

  write(record: RequestRecord): void {
    this.destination.write(accessLogJson(record));
  }
}

/** A string field: JSON-escaped (header values and config names may hold anything), or null. */
function text(value: string | null | undefined): string {
  return value === null || value === undefined ? 'null' : JSON.stringify(value);
}

function num(value: number | null): string {
  return value === null ? 'null' : String(value);
}

export function accessLogJson(record: RequestRecord): string {
  const { req, exchange } = record;
  const headers = req.headers;
  const upstreamMs = exchange !== null && exchange.respondedAt >= 0 ? milliseconds(exchange.respondedAt - exchange.startedAt) : null;
  return (
    `{"level":${INFO},"time":${Date.now()},"service":"gatehouse","requestId":${text(record.requestId)},"traceId":"${record.traceId}"` +
    `,"method":${text(req.method)},"host":${text(headers.host)},"path":${text(record.path)},"route":${text(record.routeName)}` +
    `,"function":${text(record.functionName)},"status":${record.status},"durationMs":${milliseconds(record.endedAt - record.startedAt)}` +
    `,"upstreamMs":${num(upstreamMs)},"wakeMs":${num(wakeMs(record))},"consumer":${text(record.consumer)},"auth":${text(record.authPolicy)}` +
    `,"clientIp":${text(record.clientIp)},"bytesIn":${num(bytesIn(record))},"bytesOut":${num(bytesOut(record))},"userAgent":${text(headers['user-agent'])},"msg":"request"}\n`
  );
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
