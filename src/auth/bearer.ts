// The JWT comes only from `Authorization: Bearer` (SPEC §3; RFC 6750 §2.1: the
// scheme is case-insensitive), never from a query parameter or a cookie.
import type { IncomingMessage } from 'node:http';
import { refuse, type Verdict } from './failure.js';

/** Tokens over 8 KiB are refused before any parsing (issue: auth). */
export const MAX_TOKEN_BYTES = 8 * 1024;
const BEARER = /^bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i;

/** 'missing' when there is no Authorization header or it is not Bearer. */
export function bearerToken(req: IncomingMessage): Verdict<string> {
  const header = req.headers.authorization;
  if (header === undefined) return refuse('missing');
  // node keeps only the first of duplicate Authorization headers; two are ambiguous.
  if (countHeader(req.rawHeaders, 'authorization') > 1) return refuse('malformed');
  if (header.length > MAX_TOKEN_BYTES + 16) return refuse('malformed');
  if (!/^bearer(\s|$)/i.test(header)) return refuse('missing');
  const match = BEARER.exec(header);
  return match ? { ok: true, value: match[1] as string } : refuse('malformed');
}

export function countHeader(rawHeaders: readonly string[], lowerName: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) count++;
  }
  return count;
}
