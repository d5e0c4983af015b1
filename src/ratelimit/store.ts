// Where bucket state lives. A store applies GCRA to every bucket a request meets,
// atomically: all take a token or none does.
import type { GcraDecision, GcraLimit } from './gcra.js';

export interface BucketRequest {
  /** Stable across replicas: policy, limit and subject (the same on every gateway). */
  readonly key: string;
  readonly limit: GcraLimit;
}

export interface RateLimitStore {
  readonly kind: 'memory' | 'redis';
  decide(buckets: readonly BucketRequest[]): GcraDecision | Promise<GcraDecision>;
  close(): Promise<void>;
}
