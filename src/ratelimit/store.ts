// Where bucket state lives. A store applies GCRA to every bucket a request meets,
// atomically: all take a token or none does.
import type { GcraDecision, GcraLimit } from './gcra.js';

export interface BucketRequest {
  /** The limit's key space: policy, limit and its numbers (`gh:rl:POLICY:I:REQUESTS/PER+BURST:`). */
  readonly space: string;
  /** Whose bucket in that space (`ip:10.0.0.7`, `consumer:acme`). */
  readonly subject: string;
  readonly limit: GcraLimit;
}

/**
 * The bucket's key in a shared store, the same on every gateway: space then subject.
 * Only a shared store builds it; the memory store keys by space, then subject.
 */
export function bucketKey(bucket: BucketRequest): string {
  return bucket.space + bucket.subject;
}

export interface RateLimitStore {
  readonly kind: 'memory' | 'redis';
  decide(buckets: readonly BucketRequest[]): GcraDecision | Promise<GcraDecision>;
  close(): Promise<void>;
}
