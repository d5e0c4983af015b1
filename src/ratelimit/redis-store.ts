// Rate-limit state in Redis, shared by every replica (SPEC §3): one round trip
// per request for all its buckets (one Lua script, registered with defineCommand
// and run by EVALSHA), Redis's clock (TIME) rather than each gateway's, and keys
// that expire when their bucket is full again. Standalone and sentinel (one
// master holds every key); Redis Cluster is redis-cluster-store.ts.
import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { decide, emissionInterval, type GcraDecision } from './gcra.js';
import { RedisConnection } from './redis-client.js';
import { TAKE } from './redis-scripts.js';
import type { RedisTarget } from './redis-target.js';
import { bucketKey, type BucketRequest, type RateLimitStore } from './store.js';

type TakeCommand = (numKeys: number, ...args: Array<string | number>) => Promise<[number, string, ...string[]]>;

export class RedisStore implements RateLimitStore {
  readonly kind = 'redis';
  readonly #connection: RedisConnection;
  readonly #redis: Redis & { gatehouseTake: TakeCommand };

  constructor(target: RedisTarget, logger: Logger) {
    if (target.mode === 'cluster') throw new Error('RedisStore is for standalone and sentinel; cluster is RedisClusterStore');
    this.#connection = new RedisConnection(target, logger);
    const redis = this.#connection.client as Redis;
    redis.defineCommand('gatehouseTake', { lua: TAKE });
    this.#redis = redis as Redis & { gatehouseTake: TakeCommand };
  }

  async decide(buckets: readonly BucketRequest[]): Promise<GcraDecision> {
    const first = this.#connection.whenFirstConnected();
    if (first !== null) await first;
    // Today's key format in this mode, no hash tag: a fleet upgraded one replica at a
    // time keeps sharing its buckets (docs/ratelimit-redis.md, "Key layout").
    const args: Array<string | number> = buckets.map(bucketKey);
    for (const bucket of buckets) {
      const interval = emissionInterval(bucket.limit);
      args.push(interval, (bucket.limit.requests + bucket.limit.burst) * interval);
    }
    const [, now, ...before] = await this.#redis.gatehouseTake(buckets.length, ...args);
    return decide(
      buckets.map((bucket) => bucket.limit),
      before.map(Number),
      Number(now),
    );
  }

  async close(): Promise<void> {
    this.#connection.close();
  }
}
