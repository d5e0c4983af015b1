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

export function compileCors(spec: CorsPolicySpec): CompiledCors {
  const any = spec.origins.includes('*');
  const origins = new Set(spec.origins);
  const methods = new Set(spec.methods.map((m) => m.toUpperCase()));
  const allowMethods = [...methods].join(', ');
  const allowHeaders = spec.headers.join(', ');
  const maxAge = spec.maxAgeSeconds === null ? null : String(spec.maxAgeSeconds);
  // With `*` and no credentials the answer does not depend on Origin: say `*`, no Vary.
  const originValue = (origin: string): string => (any ? '*' : origin);
  const common = (origin: string): Record<string, string> => {
    const headers: Record<string, string> = { 'access-control-allow-origin': originValue(origin) };
    if (!any) headers.vary = 'Origin';
    if (spec.credentials) headers['access-control-allow-credentials'] = 'true';
    return headers;
  };
  return Object.freeze({
    name: spec.name,
    allowsOrigin: (origin: string) => any || origins.has(origin),
    allowsMethod: (method: string) => methods.has(method.toUpperCase()),
    preflightHeaders(origin: string) {
      const headers = common(origin);
      headers['access-control-allow-methods'] = allowMethods;
      if (allowHeaders) headers['access-control-allow-headers'] = allowHeaders;
      if (maxAge !== null) headers['access-control-max-age'] = maxAge;
      return headers;
    },
    responseHeaders: common,
  });
}
