// The JOSE header of a compact JWS, read before any key is chosen (RFC 7515).
// Only `alg`, `kid` and `crit` matter: `jku`, `x5u` and `jwk` are never
// followed (SPEC §3), so a token cannot bring its own key.
import { MAX_TOKEN_BYTES } from '../bearer.js';
import { refuse, type Verdict } from '../failure.js';

export interface TokenHeader {
  readonly alg: string;
  readonly kid: string | null;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

export function readTokenHeader(token: string, allowed: ReadonlySet<string>): Verdict<TokenHeader> {
  if (token.length > MAX_TOKEN_BYTES) return refuse('malformed');
  const parts = token.split('.');
  if (parts.length !== 3) return refuse('malformed');
  const [head, body, signature] = parts as [string, string, string];
  // Base64url without padding (RFC 7515 §2).
  if (!SEGMENT.test(head) || !SEGMENT.test(body)) return refuse('malformed');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
  } catch {
    return refuse('malformed');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return refuse('malformed');
  const { alg, kid, crit } = header as Record<string, unknown>;
  if (typeof alg !== 'string' || !allowed.has(alg)) return refuse('algorithm');
  if (crit !== undefined) return refuse('algorithm'); // RFC 7515 §4.1.11: no extension is understood
  if (kid !== undefined && typeof kid !== 'string') return refuse('malformed');
  // The signature only after alg: an unsecured JWS (alg none, RFC 7519 §6) has an
  // empty one, and must count as 'algorithm' in the metrics, not 'malformed'.
  if (!SEGMENT.test(signature)) return refuse('malformed');
  return { ok: true, value: { alg, kid: kid ?? null } };
}
