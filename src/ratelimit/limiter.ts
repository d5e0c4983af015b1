// The rate-limit step's contract (SPEC §3 `rateLimits`, §4 headers). It runs
// after authentication and before the wake, so a limited request never wakes a
// function.
import type { IncomingMessage } from 'node:http';
import type { RouteSpec } from '../config/types.js';

export type RateDecision =
  | { readonly kind: 'allowed'; readonly headers: Readonly<Record<string, string>> }
  | {
      readonly kind: 'limited';
      readonly status: 429 | 503;
      readonly retryAfterSeconds: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly violatedPolicies: readonly string[];
    };

export interface RateLimitSubject {
  readonly consumer: string | null;
  readonly clientIp: string;
  /** Verified JWT claims, for `key: claim:NAME`. */
  readonly claims: Readonly<Record<string, unknown>> | null;
  /** An API key's own plan: replaces the route's policies for that key. */
  readonly plan: string | null;
}

export interface RateLimiter {
  check(route: RouteSpec, subject: RateLimitSubject, req: IncomingMessage): RateDecision | Promise<RateDecision>;
}

export const ALLOWED: RateDecision = Object.freeze({ kind: 'allowed', headers: Object.freeze({}) });
