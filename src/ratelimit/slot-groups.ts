// Redis Cluster key layout and the pure parts of the cross-slot protocol
// (docs/ratelimit-redis.md): which buckets share a hash slot, and how the
// per-slot decisions become the request's one decision for the headers of SPEC §4.
import { decide, report, type GcraDecision, type GcraLimit, type LimitReport } from './gcra.js';
import type { BucketRequest } from './store.js';

/**
 * `SPACE{SUBJECT}`: the hash tag is the subject, so every limit of every policy a
 * request meets with one subject (one policy's limits for one key, always) lives
 * in one slot. Subjects start with a kind word (`ip:`, `consumer:`, subject.ts),
 * so the tag is never empty. Redis takes the first `{` of a key as the tag's start:
 * a `{` in a policy name (in the space) is escaped so that it cannot be.
 */
export function clusterKey(bucket: BucketRequest): string {
  const space = bucket.space.includes('{') || bucket.space.includes('%') ? escapeSpace(bucket.space) : bucket.space;
  return `${space}{${bucket.subject}}`;
}

/** The reservation set of a bucket: same tag, same slot. */
export const reservationKey = (bucketKey: string): string => `${bucketKey}:r`;

const escapeSpace = (space: string): string => space.replaceAll('%', '%25').replaceAll('{', '%7B');

/**
 * Bucket indexes grouped by subject, in first-seen order: one group per hash tag,
 * so one slot per group (two subjects may share a slot too; they are then two
 * groups on one slot, which is correct, merely not the cheapest).
 */
export function groupBySubject(buckets: readonly BucketRequest[]): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < buckets.length; i++) {
    const subject = (buckets[i] as BucketRequest).subject;
    const group = groups.find((g) => (buckets[g[0] as number] as BucketRequest).subject === subject);
    if (group) group.push(i);
    else groups.push([i]);
  }
  return groups;
}

/** One slot group's answer: its buckets' effective TATs on its node's clock. */
export interface GroupState {
  readonly indexes: readonly number[];
  readonly limits: readonly GcraLimit[];
  readonly tats: readonly number[];
  readonly nowMs: number;
}

/** gcra.ts's decision for one group, from the very state its script decided on. */
export const decideGroup = (group: GroupState): GcraDecision => decide(group.limits, group.tats, group.nowMs);

/**
 * The request's decision from its groups' decisions, in the original bucket
 * order. Admitted only if every group admitted; refused, every report describes
 * its bucket as it is (nothing was taken: the admitting groups were aborted),
 * and Retry-After waits for the slowest refusing limit.
 */
export function mergeDecisions(total: number, groups: readonly GroupState[], decisions: readonly GcraDecision[]): GcraDecision {
  const reports: LimitReport[] = new Array<LimitReport>(total);
  const allowed = decisions.every((d) => d.allowed);
  if (allowed) {
    const tats: number[] = new Array<number>(total);
    groups.forEach((group, g) => {
      const decision = decisions[g] as GcraDecision & { allowed: true };
      group.indexes.forEach((index, j) => {
        reports[index] = decision.reports[j] as LimitReport;
        tats[index] = decision.tats[j] as number;
      });
    });
    return { allowed: true, tats, reports };
  }
  const refusing: number[] = [];
  let retryAfterMs = 0;
  groups.forEach((group, g) => {
    const decision = decisions[g] as GcraDecision;
    group.indexes.forEach((index, j) => {
      const limit = group.limits[j] as GcraLimit;
      reports[index] = decision.allowed ? report(limit, Math.max(group.tats[j] as number, group.nowMs), group.nowMs) : (decision.reports[j] as LimitReport);
    });
    if (!decision.allowed) {
      for (const j of decision.refusing) refusing.push(group.indexes[j] as number);
      retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
    }
  });
  refusing.sort((a, b) => a - b);
  return { allowed: false, refusing, retryAfterMs, reports };
}
