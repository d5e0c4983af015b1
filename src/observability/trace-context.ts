// W3C Trace Context (SPEC §4; https://www.w3.org/TR/trace-context/): every request
// continues the caller's trace when its `traceparent` is valid, else starts one, and
// the upstream hears the gateway's span as its parent. Always on, so it is cheap:
// no SDK, no regex, no object but the strings it must produce; ids come out of a
// pooled random buffer (as node's randomUUID keeps a cache of entropy) instead of a
// crypto call per id.
import { randomFillSync } from 'node:crypto';

/** The trace fields a request carries (RequestRecord has them; an upgrade uses a plain object). */
export interface TraceFields {
  traceId: string;
  /** The gateway's own span for this request. */
  spanId: string;
  /** The caller's span (the incoming traceparent's parent-id), or null for a new trace. */
  parentSpanId: string | null;
  /** Two lower-case hex digits; bit 0 is `sampled`. */
  traceFlags: string;
}

const TRACE_ID_HEX = 32;
const SPAN_ID_HEX = 16;
/** `00-` + 32 + `-` + 16 + `-` + 2 (§3.2.2: version 00 is exactly this long). */
const VERSION_00_LENGTH = 55;
const INVALID_TRACE_ID = '0'.repeat(TRACE_ID_HEX);
const INVALID_SPAN_ID = '0'.repeat(SPAN_ID_HEX);
/** A trace the gateway starts is sampled: nothing upstream decided otherwise. */
const NEW_TRACE_FLAGS = '01';

/**
 * Fill `into` from a `traceparent` value; false when it is absent or invalid (§3.2,
 * §4.3): lower-case hex only, version `ff` invalid, version 00 exactly 55 characters,
 * all-zero trace-id or parent-id invalid; a later version is parsed leniently, its
 * first four fields as version 00 has them and anything after a `-` ignored.
 * Two traceparent headers arrive joined by node (`a, b`): too long for 00, invalid.
 */
export function adoptTraceparent(into: TraceFields, value: string | string[] | undefined): boolean {
  if (typeof value !== 'string' || value.length < VERSION_00_LENGTH) return false;
  if (!isLowerHex(value, 0, 2) || value.charCodeAt(2) !== DASH || value.charCodeAt(35) !== DASH || value.charCodeAt(52) !== DASH) return false;
  const version = value.slice(0, 2);
  if (version === 'ff') return false;
  if (version === '00' ? value.length !== VERSION_00_LENGTH : value.length > VERSION_00_LENGTH && value.charCodeAt(VERSION_00_LENGTH) !== DASH) return false;
  if (!isLowerHex(value, 3, 35) || !isLowerHex(value, 36, 52) || !isLowerHex(value, 53, 55)) return false;
  const traceId = value.slice(3, 35);
  const parentId = value.slice(36, 52);
  if (traceId === INVALID_TRACE_ID || parentId === INVALID_SPAN_ID) return false;
  into.traceId = traceId;
  into.parentSpanId = parentId;
  into.traceFlags = value.slice(53, 55);
  return true;
}

/** A new trace: a random trace id, no parent, sampled. */
export function startTrace(into: TraceFields): void {
  into.traceId = newTraceId();
  into.parentSpanId = null;
  into.traceFlags = NEW_TRACE_FLAGS;
}

/**
 * The trace step for one request's headers: continue or start the trace, choose the
 * gateway's span id, and leave `traceparent` (with `parentForUpstream` as the parent)
 * and `tracestate` (only after a valid traceparent, §3.3) as the upstream should see them.
 */
export function continueTrace(into: TraceFields, headers: Record<string, string | string[] | undefined>): void {
  if (!adoptTraceparent(into, headers.traceparent)) {
    startTrace(into);
    // It belonged to a trace this request no longer carries. Deleted only when present:
    // most requests have none, and their headers object keeps its shape.
    if (headers.tracestate !== undefined) delete headers.tracestate;
  }
  into.spanId = newSpanId();
}

/** The version-00 `traceparent` value naming `parentId` in this trace. */
export function traceparentOf(fields: TraceFields, parentId: string): string {
  return `00-${fields.traceId}-${parentId}-${fields.traceFlags}`;
}

export function isSampled(flags: string): boolean {
  return (hexDigit(flags.charCodeAt(1)) & 1) === 1;
}

export function newTraceId(): string {
  let id = randomHex(TRACE_ID_HEX / 2);
  while (id === INVALID_TRACE_ID) id = randomHex(TRACE_ID_HEX / 2);
  return id;
}

export function newSpanId(): string {
  let id = randomHex(SPAN_ID_HEX / 2);
  while (id === INVALID_SPAN_ID) id = randomHex(SPAN_ID_HEX / 2);
  return id;
}

const DASH = 0x2d;
/** 4 KiB of entropy: 170 requests' ids (trace + span) per randomFillSync call. */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let poolOffset = POOL_BYTES;

/** `bytes` random bytes as lower-case hex, from the pool (Buffer's native hex encoder). */
function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += bytes;
  return pool.toString('hex', start, poolOffset);
}

function isLowerHex(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (hexDigit(value.charCodeAt(i)) === -1) return false;
  }
  return true;
}

/** 0–15 for `0-9a-f`, -1 for anything else (upper case too: §3.2.2 says HEXDIGLC). */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}
