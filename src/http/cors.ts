// CORS (SPEC §2, §3 `cors`), compiled once per config: every header value is a
// prepared string, so a request only looks up its Origin.
import type { CorsPolicySpec } from '../config/types.js';

export interface CompiledCors {
  readonly name: string;
  allowsOrigin(origin: string): boolean;
  allowsMethod(method: string): boolean;
  /** Headers for the answer to an allowed preflight. */
  preflightHeaders(origin: string): Readonly<Record<string, string>>;
  /** Headers added to an ordinary response for an allowed origin. */
  responseHeaders(origin: string): Readonly<Record<string, string>>;
}

/** Both header sets for one Origin value, built at load and frozen. */
interface OriginHeaders {
  readonly response: Readonly<Record<string, string>>;
  readonly preflight: Readonly<Record<string, string>>;
}

export function compileCors(spec: CorsPolicySpec): CompiledCors {
  const methods = new Set(spec.methods.map((m) => m.toUpperCase()));
  const build = (originValue: string, vary: boolean): OriginHeaders => {
    const response: Record<string, string> = { 'access-control-allow-origin': originValue };
    if (vary) response.vary = 'Origin';
    if (spec.credentials) response['access-control-allow-credentials'] = 'true';
    const preflight: Record<string, string> = { ...response, 'access-control-allow-methods': [...methods].join(', ') };
    if (spec.headers.length > 0) preflight['access-control-allow-headers'] = spec.headers.join(', ');
    if (spec.maxAgeSeconds !== null) preflight['access-control-max-age'] = String(spec.maxAgeSeconds);
    return Object.freeze({ response: Object.freeze(response), preflight: Object.freeze(preflight) });
  };
  // Every answer is prepared here, one per allowed origin: a request only looks up its
  // Origin. With `*` (never with credentials) it does not depend on Origin: `*`, no Vary.
  const wildcard = spec.origins.includes('*') ? build('*', false) : null;
  const byOrigin = new Map(spec.origins.filter((o) => o !== '*').map((origin) => [origin, build(origin, true)]));
  const headersFor = (origin: string): OriginHeaders | undefined => wildcard ?? byOrigin.get(origin);
  return Object.freeze({
    name: spec.name,
    allowsOrigin: (origin: string) => headersFor(origin) !== undefined,
    allowsMethod: (method: string) => methods.has(method.toUpperCase()),
    preflightHeaders: (origin: string) => headersFor(origin)?.preflight ?? {},
    responseHeaders: (origin: string) => headersFor(origin)?.response ?? {},
  });
}
