// Identity headers for the function (SPEC §4): X-Gatehouse-Consumer,
// X-Gatehouse-Auth and the policy's forwardClaims. Incoming copies were already
// removed by header hygiene, so these are the only ones the function sees.
import type { Claims } from './jwt/claims.js';

/** A header value must not carry control characters (node would refuse to send it). */
const SAFE_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function identityHeaders(consumer: string, policy: string, forwardClaims: Readonly<Record<string, string>>, claims: Claims | null): Record<string, string> {
  const headers: Record<string, string> = { 'x-gatehouse-consumer': consumer, 'x-gatehouse-auth': policy };
  if (claims === null) return headers;
  for (const claim in forwardClaims) {
    const value = claims[claim];
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (SAFE_VALUE.test(text)) headers[forwardClaims[claim] as string] = text;
  }
  return headers;
}
