// CORS (SPEC §2, §3 `cors`), compiled once per config: every header value is a
// prepared string, so a request only looks up its Origin.
import type { CorsPolicySpec } from '../config/types.js';

/**
 * SPEC §3: what a browser page may read of every answer (the request id, the limits,
 * the cold-start timing). Without Access-Control-Expose-Headers a cross-origin fetch()
 * sees only the CORS-safelisted response headers (Fetch spec, "CORS-safelisted
 * response-header name"); without Timing-Allow-Origin, Resource Timing hides
 * serverTiming (the `wake` entry) from the page.
 */
export const DEFAULT_EXPOSED_HEADERS = Object.freeze(['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'Server-Timing']);

/** The defaults, then the policy's own, each name once (compared case-insensitively). */
function exposedHeaders(extra: readonly string[]): string {
  const byName = new Map<string, string>();
  for (const name of [...DEFAULT_EXPOSED_HEADERS, ...extra]) if (!byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), name);
  return [...byName.values()].join(', ');
}

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
  const expose = exposedHeaders(spec.exposeHeaders);
  const build = (originValue: string, vary: boolean): OriginHeaders => {
    const allow: Record<string, string> = { 'access-control-allow-origin': originValue };
    if (vary) allow.vary = 'Origin';
    if (spec.credentials) allow['access-control-allow-credentials'] = 'true';
    const preflight: Record<string, string> = { ...allow, 'access-control-allow-methods': [...methods].join(', ') };
    if (spec.headers.length > 0) preflight['access-control-allow-headers'] = spec.headers.join(', ');
    if (spec.maxAgeSeconds !== null) preflight['access-control-max-age'] = String(spec.maxAgeSeconds);
    const response = { ...allow, 'access-control-expose-headers': expose, 'timing-allow-origin': originValue };
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
