// The authentication step's contract (SPEC §3 `auth`, §4 identity). The pipeline
// calls `authenticate` once per request after route match; the outcome says who
// the consumer is and which identity headers go upstream.
import type { IncomingMessage } from 'node:http';
import type { RouteSpec } from '../config/types.js';
import type { AuthFailureReason } from './failure.js';

export type AuthOutcome =
  | {
      readonly kind: 'admitted';
      /** `POLICY:SUB` for JWT, the key id for API keys; null on public routes. */
      readonly consumer: string | null;
      /** The policy that admitted, or null on public routes. */
      readonly policy: string | null;
      /** Headers to set upstream (X-Gatehouse-Consumer, X-Gatehouse-Auth, forwardClaims). */
      readonly identityHeaders: Readonly<Record<string, string>>;
      /** Verified JWT claims (for `claim:NAME` rate-limit keys), else null. */
      readonly claims: Readonly<Record<string, unknown>> | null;
      /** An API key's own rate-limit plan, replacing the route's policies. */
      readonly rateLimitPlan: string | null;
      /** Query parameters carrying the route's API keys, to drop before proxying. */
      readonly credentialQueryParams: readonly string[];
    }
  | {
      readonly kind: 'refused';
      readonly status: 401 | 403;
      readonly reason: AuthFailureReason;
      readonly detail: string;
      readonly headers: Readonly<Record<string, string>>;
    };

export type AdmittedIdentity = Extract<AuthOutcome, { kind: 'admitted' }>;

export interface Authenticator {
  authenticate(route: RouteSpec, req: IncomingMessage): AuthOutcome | Promise<AuthOutcome>;
}

export const PUBLIC_ADMISSION: AuthOutcome = Object.freeze({
  kind: 'admitted',
  consumer: null,
  policy: null,
  identityHeaders: Object.freeze({}),
  claims: null,
  rateLimitPlan: null,
  credentialQueryParams: Object.freeze([]),
});

