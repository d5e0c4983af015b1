// The token bucket of SPEC §3, computed as GCRA (the generic cell rate
// algorithm, ITU-T I.371): one stored "theoretical arrival time" (TAT) per key
// and limit instead of a token count and a timestamp. A limit of `requests` per
// `per` with `burst` holds B = requests + burst tokens, starts full, and refills
// one token every T = per / requests. A request is admitted when, after it,
// the debt TAT - now is at most B·T; it takes a token from every limit or none.
// Pure: the caller passes the clock (the process's, or Redis's TIME).

export interface GcraLimit {
  readonly requests: number;
  readonly perMs: number;
  readonly burst: number;
}

export interface LimitReport {
  /** Whole tokens left after this decision. */
  readonly remaining: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetMs: number;
}

export type GcraDecision =
  | { readonly allowed: true; readonly tats: readonly number[]; readonly reports: readonly LimitReport[] }
  | {
      readonly allowed: false;
      /** Which limits refused (indexes into the limits). */
      readonly refusing: readonly number[];
      /** Milliseconds until every refusing limit has a token again. */
      readonly retryAfterMs: number;
      readonly reports: readonly LimitReport[];
    };

export function emissionInterval(limit: GcraLimit): number {
  return limit.perMs / limit.requests;
}

/**
 * Decide one request against several limits at `nowMs`. `tats[i]` is the stored
 * TAT of limit i, or undefined for a full (never seen, or expired) bucket.
 */
export function decide(limits: readonly GcraLimit[], tats: readonly (number | undefined)[], nowMs: number): GcraDecision {
  const next: number[] = [];
  const refusing: number[] = [];
  let retryAfterMs = 0;
  for (let i = 0; i < limits.length; i++) {
    const limit = limits[i] as GcraLimit;
    const interval = emissionInterval(limit);
    const capacity = (limit.requests + limit.burst) * interval;
    const tat = Math.max(tats[i] ?? nowMs, nowMs);
    const after = tat + interval;
    if (after - nowMs > capacity) {
      refusing.push(i);
      retryAfterMs = Math.max(retryAfterMs, after - capacity - nowMs);
    }
    next.push(after);
  }
  if (refusing.length > 0) {
    // Refused: nothing is taken, so the reports describe the buckets as they are.
    const reports = limits.map((limit, i) => report(limit, Math.max(tats[i] ?? nowMs, nowMs), nowMs));
    return { allowed: false, refusing, retryAfterMs, reports };
  }
  return { allowed: true, tats: next, reports: limits.map((limit, i) => report(limit, next[i] as number, nowMs)) };
}

/** Tokens left = B − ceil(debt / T); full again after `debt` ms. */
export function report(limit: GcraLimit, tat: number, nowMs: number): LimitReport {
  const interval = emissionInterval(limit);
  const debt = Math.max(0, tat - nowMs);
  const remaining = Math.max(0, limit.requests + limit.burst - Math.ceil(debt / interval - 1e-9));
  return { remaining, resetMs: debt };
}
