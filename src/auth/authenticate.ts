// The authentication step's contract (SPEC §3 `auth`, §4 identity). The pipeline
// calls `authenticate` once per request after route match; the outcome says who
// the consumer is and which identity headers go upstream.
import type { IncomingMessage } from 'node:http';
import type { RouteSpec } from '../config/types.js';

export type AuthOutcome =
  | {
      readonly kind: 'admitted';
      /** `POLICY:SUB` for JWT, the key id for API keys; null on public routes. */
      readonly consumer: string | null;
      readonly policy: string | null;
      /** Headers to set upstream (X-Gatehouse-Consumer, X-Gatehouse-Auth, forwardClaims). */
      readonly identityHeaders: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'refused';
      readonly status: 401 | 403;
      readonly detail: string;
      readonly headers: Readonly<Record<string, string>>;
    };

export interface Authenticator {
  authenticate(route: RouteSpec, req: IncomingMessage): AuthOutcome | Promise<AuthOutcome>;
}

const PUBLIC: AuthOutcome = Object.freeze({ kind: 'admitted', consumer: null, policy: null, identityHeaders: Object.freeze({}) });

/**
 * Public routes are admitted. Policy verification (JWT, API keys) is the
 * authentication issue's work; until it lands, a route naming a policy is
 * refused with 401 rather than let through unauthenticated.
 */
export class PublicOnlyAuthenticator implements Authenticator {
  authenticate(route: RouteSpec): AuthOutcome {
    if (route.auth.kind === 'public') return PUBLIC;
    return {
      kind: 'refused',
      status: 401,
      detail: 'authentication is required',
      headers: { 'www-authenticate': 'Bearer realm="gatehouse"' },
    };
  }
}
