// Route `rateLimit` (SPEC §3): every limit of every policy the request meets
// takes a token, or none does. Compiled once per config; the store is shared.
import type { IncomingMessage } from 'node:http';
import type { RateLimitPolicySpec, RateLimitSpec, RouteSpec } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { GcraDecision } from './gcra.js';
import { policyHeaderValue, rateLimitHeaders, retryAfterSeconds, type ReportedLimit } from './headers.js';
import { ALLOWED, type RateDecision, type RateLimiter, type RateLimitSubject } from './limiter.js';
import type { MemoryStore } from './memory-store.js';
import type { BucketRequest, RateLimitStore } from './store.js';
import { subjectOf } from './subject.js';

export interface RateLimitObserver {
  decided(policy: string, decision: 'allowed' | 'limited'): void;
  storeFailed(mode: 'local' | 'allow' | 'deny'): void;
}

/** A policy's limits with their bucket-key prefixes prepared at load. */
interface CompiledPolicy {
  readonly spec: RateLimitPolicySpec;
  /** Per limit, its key space: `gh:rl:POLICY:I:REQUESTS/PER+BURST:` — a changed limit starts a fresh bucket. */
  readonly prefixes: readonly string[];
  /** Per limit, its RateLimit-Policy header value. */
  readonly policyHeaders: readonly string[];
}

/** When the store fails, the strictest mode among the policies met decides. */
const STRICTNESS = { allow: 0, local: 1, deny: 2 } as const;
const STORE_DOWN_RETRY_AFTER_S = 1;

export class PolicyRateLimiter implements RateLimiter {
  readonly #policies: ReadonlyMap<string, CompiledPolicy>;

  constructor(
    policies: ReadonlyMap<string, RateLimitPolicySpec>,
    private readonly store: RateLimitStore,
    private readonly fallback: MemoryStore,
    private readonly observer: RateLimitObserver,
    private readonly logger: Logger,
  ) {
    this.#policies = new Map(
      [...policies].map(([name, spec]) => [
        name,
        {
          spec,
          prefixes: spec.limits.map((limit, i) => `gh:rl:${name}:${i}:${limit.requests}/${limit.perMs}+${limit.burst}:`),
          policyHeaders: spec.limits.map((limit) => policyHeaderValue(name, limit)),
        },
      ]),
    );
  }

  /** A route without limits is answered synchronously: no promise, no await on the hot path. */
  check(route: RouteSpec, subject: RateLimitSubject, req: IncomingMessage): RateDecision | Promise<RateDecision> {
    // A key's plan replaces the route's policies; a route without any stays unlimited
    // for everyone (SPEC §3: the plan "replaces the route's policy").
    return route.rateLimit.length === 0 ? ALLOWED : this.#check(route, subject, req);
  }

  async #check(route: RouteSpec, subject: RateLimitSubject, req: IncomingMessage): Promise<RateDecision> {
    const names = subject.plan !== null ? [subject.plan] : route.rateLimit;
    if (names.length === 0) return ALLOWED;
    const met = names.map((name) => this.#policies.get(name) as CompiledPolicy); // names were checked at load
    const facts = { route, clientIp: subject.clientIp, consumer: subject.consumer, claims: subject.claims, req };
    const buckets: BucketRequest[] = [];
    for (const policy of met) {
      const who = subjectOf(policy.spec.key, facts);
      policy.spec.limits.forEach((limit, i) => buckets.push({ space: policy.prefixes[i] as string, subject: who, limit }));
    }
    const decision = await this.#decide(met, buckets);
    if (decision === 'allow') return ALLOWED;
    if (decision === 'deny') return { kind: 'limited', status: 503, retryAfterSeconds: STORE_DOWN_RETRY_AFTER_S, headers: {}, violatedPolicies: [] };
    return this.#answer(met, decision);
  }

  async #decide(met: readonly CompiledPolicy[], buckets: readonly BucketRequest[]): Promise<GcraDecision | 'allow' | 'deny'> {
    try {
      return await this.store.decide(buckets);
    } catch (error) {
      const mode = met.reduce<'allow' | 'local' | 'deny'>((worst, p) => (STRICTNESS[p.spec.onStoreError] > STRICTNESS[worst] ? p.spec.onStoreError : worst), 'allow');
      this.observer.storeFailed(mode);
      this.logger.debug({ err: error instanceof Error ? error.message : String(error), mode }, 'rate-limit store failed');
      return mode === 'local' ? this.fallback.decide(buckets) : mode;
    }
  }

  #answer(met: readonly CompiledPolicy[], decision: GcraDecision): RateDecision {
    const reported: ReportedLimit[] = [];
    const refusedBy = new Set<string>();
    let index = 0;
    for (const policy of met) {
      let refused = false;
      const limits = policy.spec.limits;
      for (let i = 0; i < limits.length; i++) {
        reported.push({ policy: policy.spec.name, limit: limits[i] as RateLimitSpec, report: decision.reports[index] as ReportedLimit['report'], policyHeader: policy.policyHeaders[i] as string });
        if (!decision.allowed && decision.refusing.includes(index)) refused = true;
        index++;
      }
      if (refused) refusedBy.add(policy.spec.name);
      // `limited` only for a policy that refused: one that still had tokens did not limit
      // the request (and gave none), so counting it too made a dashboard blame the wrong policy.
      if (decision.allowed || refused) this.observer.decided(policy.spec.name, decision.allowed ? 'allowed' : 'limited');
    }
    const headers = rateLimitHeaders(reported);
    if (decision.allowed) return { kind: 'allowed', headers };
    return { kind: 'limited', status: 429, retryAfterSeconds: retryAfterSeconds(decision.retryAfterMs), headers, violatedPolicies: [...refusedBy] };
  }
}
