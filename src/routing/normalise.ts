// Request path normalisation (SPEC §2): runs once per request, before matching.
// One pass over the characters, no regex, no per-call tables: every escape is
// looked up in DECODED, built once at module load.
import type { NormalisedPath } from './types.js';

const SLASH = 0x2f;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;

/** RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d ||
    byte === 0x2e ||
    byte === 0x5f ||
    byte === 0x7e
  );
}

/**
 * What each escaped byte becomes: the character itself when unreserved
 * (RFC 3986 §6.2.2.2: decoding those does not change the resource), else null:
 * the escape stays exactly as sent (SPEC §2), so `%2F` never becomes a separator
 * and an upstream that signs its paths (signed URLs, webhook HMACs) sees the
 * client's bytes. Precomputed so the hot path allocates no string per escape.
 */
const DECODED: readonly (string | null)[] = Object.freeze(
  Array.from({ length: 256 }, (_, byte) => (isUnreserved(byte) ? String.fromCharCode(byte) : null)),
);

function isLowerHexLetter(code: number): boolean {
  return code >= 0x61 && code <= 0x66;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

// Reasons are constants: a refused request costs no string building.
const NO_LEADING_SLASH = 'the path must start with "/"';
const BAD_ESCAPE = 'invalid percent-encoding';
const NUL = 'the path contains %00';
const BACKSLASH_IN_PATH = 'the path contains a backslash';
const DOT_SEGMENT = 'the path contains a "." or ".." segment';
const EMPTY_SEGMENT = 'the path contains an empty segment ("//")';

function refuse(reason: string): NormalisedPath {
  return { ok: false, reason };
}

/** The byte an escape at `at` encodes, or -1 when it is not `%` + two hex digits before `end`. */
function escapedByte(raw: string, at: number, end: number): number {
  if (at + 2 >= end) return -1;
  const high = hexValue(raw.charCodeAt(at + 1));
  const low = hexValue(raw.charCodeAt(at + 2));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

/** A segment is refused when it is a dot segment, or empty anywhere but last (`/m/` is allowed). */
function segmentProblem(segment: string, last: boolean): string | null {
  if (segment === '.' || segment === '..') return DOT_SEGMENT;
  if (segment === '' && !last) return EMPTY_SEGMENT;
  return null;
}

/**
 * The matching keys of segments whose escapes use lower-case hex: the same escape
 * with upper-case hex (RFC 3986 §6.2.2.1 calls them equivalent), so a route for
 * `/x%2Fy` matches `/x%2fy`. Only the keys change; what goes upstream does not.
 */
function upperCaseEscapes(segments: readonly string[]): readonly string[] {
  return segments.map((segment) => {
    if (!segment.includes('%')) return segment;
    let out = '';
    let from = 0;
    for (let at = segment.indexOf('%'); at !== -1; at = segment.indexOf('%', at + 3)) {
      out += segment.slice(from, at + 1) + segment.slice(at + 1, at + 3).toUpperCase();
      from = at + 3;
    }
    return out + segment.slice(from);
  });
}

/**
 * Normalises the path part of a request target. The caller cuts the query
 * string; a `?` is still honoured so a raw target cannot smuggle one in.
 * Refusals (→ 400) come before matching so that no route ever sees `..`, `//`,
 * a backslash or `%00` — the classic traversal and filter-bypass spellings.
 */
export function normalisePath(rawPath: string): NormalisedPath {
  const question = rawPath.indexOf('?');
  const end = question === -1 ? rawPath.length : question;
  if (end === 0 || rawPath.charCodeAt(0) !== SLASH) return refuse(NO_LEADING_SLASH);
  const segments: string[] = [];
  let path = '';
  let segment = '';
  let lowerHex = false;
  let runStart = 1; // start of the run of characters copied unchanged
  for (let i = 1; i <= end; i++) {
    const code = i === end ? SLASH : rawPath.charCodeAt(i); // the end closes the last segment
    if (code === SLASH) {
      segment += rawPath.slice(runStart, i);
      const problem = segmentProblem(segment, i === end);
      if (problem !== null) return refuse(problem);
      segments.push(segment);
      path += '/' + segment;
      segment = '';
      runStart = i + 1;
    } else if (code === PERCENT) {
      const byte = escapedByte(rawPath, i, end);
      if (byte < 0) return refuse(BAD_ESCAPE);
      if (byte === 0) return refuse(NUL);
      if (byte === BACKSLASH) return refuse(BACKSLASH_IN_PATH);
      const decoded = DECODED[byte]!;
      if (decoded !== null) {
        segment += rawPath.slice(runStart, i) + decoded;
        runStart = i + 3;
      } else if (isLowerHexLetter(rawPath.charCodeAt(i + 1)) || isLowerHexLetter(rawPath.charCodeAt(i + 2))) {
        lowerHex = true; // kept in the run as sent
      }
      i += 2;
    } else if (code === BACKSLASH) {
      // Some servers treat `\` as `/`; refusing it keeps our view and theirs equal.
      return refuse(BACKSLASH_IN_PATH);
    }
  }
  return { ok: true, path, segments, keys: lowerHex ? upperCaseEscapes(segments) : segments };
}
