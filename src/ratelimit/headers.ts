// RateLimit-Policy and RateLimit (SPEC §4; IETF httpapi ratelimit-headers draft,
// structured fields) for the limit with the fewest tokens left; ties go to the
// first policy in the route's list, then the first limit in the policy.
import type { RateLimitSpec } from '../config/types.js';
import type { LimitReport } from './gcra.js';

export interface ReportedLimit {
  readonly policy: string;
  readonly limit: RateLimitSpec;
  readonly report: LimitReport;
  /** The limit's RateLimit-Policy value, prepared at config load (policyHeaderValue). */
  readonly policyHeader: string;
}

/** RateLimit-Policy for one limit: it never changes, so the limiter prepares it once per config. */
export function policyHeaderValue(policy: string, limit: RateLimitSpec): string {
  const burst = limit.burst > 0 ? `;gatehouse-burst=${limit.burst}` : '';
  return `"${policy}";q=${limit.requests};w=${Math.ceil(limit.perMs / 1000)}${burst}`;
}

/** The reported limits are in route order (policy, then limit), so the first minimum wins ties. */
export function rateLimitHeaders(reported: readonly ReportedLimit[]): Record<string, string> {
  let tightest: ReportedLimit | undefined;
  for (const entry of reported) if (tightest === undefined || entry.report.remaining < tightest.report.remaining) tightest = entry;
  if (tightest === undefined) return {};
  const { policy, report } = tightest;
  return {
    'ratelimit-policy': tightest.policyHeader,
    ratelimit: `"${policy}";r=${report.remaining};t=${Math.ceil(report.resetMs / 1000)}`,
  };
}

/** Whole seconds, rounded up, until a token is available (at least 1: 0 would invite a retry storm). */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
