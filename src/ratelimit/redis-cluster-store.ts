// Rate-limit state in a Redis Cluster (SPEC §3, docs/ratelimit-redis.md). A
// request whose buckets share one subject has them in one hash slot: one script,
// one round trip, as in standalone. A request with buckets in several slots
// (two policies keyed differently) takes from every limit or from none in two
// phases: reserve in every slot group, then commit all or abort all.
import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { decide, emissionInterval, type GcraDecision } from './gcra.js';
import { RedisConnection } from './redis-client.js';
import { ABORT, CLUSTER_TAKE, COMMIT, RESERVE } from './redis-scripts.js';
import type { RedisTarget } from './redis-target.js';
import { clusterKey, decideGroup, groupBySubject, mergeDecisions, reservationKey, type GroupState } from './slot-groups.js';
import type { BucketRequest, RateLimitStore } from './store.js';

type Script<Reply> = (numKeys: number, ...args: Array<string | number>) => Promise<Reply>;
/** `{allowed, now, eff...}` (COMMIT: `{1}` or `{0, now, eff...}`): Lua integers arrive as numbers, the rest as text. */
type StateReply = [number, ...string[]];
interface Scripts {
  gatehouseClusterTake: Script<StateReply>;
  gatehouseReserve: Script<StateReply>;
  gatehouseCommit: Script<StateReply>;
  gatehouseAbort: Script<number>;
}

/**
 * How long a reservation holds its tokens without a commit. Far above a reserve →
 * commit window (two command timeouts at worst), short enough that a gateway dying
 * between the phases withholds nothing for long.
 */
export const RESERVATION_TTL_MS = 5000;

/** One slot group's keys and script arguments. */
interface PreparedGroup {
  readonly indexes: readonly number[];
  /** Its buckets' keys, then their reservation sets'. */
  readonly keys: readonly string[];
  /** I, C per bucket. */
  readonly limitArgs: readonly number[];
}

export class RedisClusterStore implements RateLimitStore {
  readonly kind = 'redis';
  readonly #connection: RedisConnection;
  readonly #cluster: Cluster & Scripts;
  /** Reservation ids: unique across gateways (random prefix) and requests (counter). */
  readonly #idPrefix = randomBytes(9).toString('base64url');
  #nextId = 0;

  constructor(target: RedisTarget, logger: Logger) {
    if (target.mode !== 'cluster') throw new Error('RedisClusterStore is for --redis-mode cluster');
    this.#connection = new RedisConnection(target, logger);
    const cluster = this.#connection.client as Cluster;
    cluster.defineCommand('gatehouseClusterTake', { lua: CLUSTER_TAKE });
    cluster.defineCommand('gatehouseReserve', { lua: RESERVE });
    cluster.defineCommand('gatehouseCommit', { lua: COMMIT });
    cluster.defineCommand('gatehouseAbort', { lua: ABORT });
    this.#cluster = cluster as Cluster & Scripts;
  }

  async decide(buckets: readonly BucketRequest[]): Promise<GcraDecision> {
    const first = this.#connection.whenFirstConnected();
    if (first !== null) await first;
    const groups = groupBySubject(buckets);
    if (groups.length === 1) return this.#take(buckets);
    return this.#reserveThenCommit(buckets, groups.map((indexes) => prepare(buckets, indexes)));
  }

  async close(): Promise<void> {
    this.#connection.close();
  }

  /** Every key in one slot: one round trip. */
  async #take(buckets: readonly BucketRequest[]): Promise<GcraDecision> {
    const group = prepare(buckets, buckets.map((_bucket, i) => i));
    const [, now, ...tats] = await this.#cluster.gatehouseClusterTake(group.keys.length, ...group.keys, ...group.limitArgs);
    return decide(
      buckets.map((bucket) => bucket.limit),
      tats.map(Number),
      Number(now),
    );
  }

  async #reserveThenCommit(buckets: readonly BucketRequest[], groups: readonly PreparedGroup[]): Promise<GcraDecision> {
    const id = `${this.#idPrefix}:${(this.#nextId++).toString(36)}`;
    const replies = await Promise.allSettled(groups.map((g) => this.#cluster.gatehouseReserve(g.keys.length, ...g.keys, id, RESERVATION_TTL_MS, ...g.limitArgs)));
    const states = groups.map((g, i) => {
      const reply = replies[i] as PromiseSettledResult<StateReply>;
      return reply.status === 'fulfilled' ? stateOf(buckets, g, reply.value.slice(1)) : null;
    });
    const reserved = groups.filter((_g, i) => replies[i]?.status === 'fulfilled' && (replies[i] as PromiseFulfilledResult<StateReply>).value[0] === 1);
    const failed = replies.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // A group unreachable: nothing may be taken anywhere. onStoreError decides.
      await this.#abort(reserved, id);
      throw failed.reason;
    }
    const decided = states as GroupState[];
    const decisions = decided.map(decideGroup);
    if (reserved.length < groups.length) {
      await this.#abort(reserved, id);
      return mergeDecisions(buckets.length, decided, decisions);
    }
    const commits = await Promise.all(groups.map((g, i) => this.#commit(g, id, (decided[i] as GroupState).nowMs)));
    // A commit refused afresh (its reservation had expired) refuses the request; the
    // groups that did commit keep their take: one token too many, never one too few.
    commits.forEach((late, i) => {
      if (late !== null) decisions[i] = decideGroup(stateOf(buckets, groups[i] as PreparedGroup, late));
    });
    return mergeDecisions(buckets.length, decided, decisions);
  }

  /** null: committed; else the fresh state a late commit was refused on. */
  async #commit(group: PreparedGroup, id: string, reservedAt: number): Promise<ReadonlyArray<string | number> | null> {
    const reply = await this.#cluster.gatehouseCommit(group.keys.length, ...group.keys, id, reservedAt, ...group.limitArgs);
    return reply[0] === 1 ? null : reply.slice(1);
  }

  /** Best effort: an abort that fails leaves a reservation that expires by itself. */
  async #abort(groups: readonly PreparedGroup[], id: string): Promise<void> {
    await Promise.allSettled(groups.map((g) => this.#cluster.gatehouseAbort(g.keys.length / 2, ...g.keys.slice(g.keys.length / 2), id)));
  }
}

function prepare(buckets: readonly BucketRequest[], indexes: readonly number[]): PreparedGroup {
  const bucketKeys = indexes.map((i) => clusterKey(buckets[i] as BucketRequest));
  const limitArgs: number[] = [];
  for (const i of indexes) {
    const limit = (buckets[i] as BucketRequest).limit;
    const interval = emissionInterval(limit);
    limitArgs.push(interval, (limit.requests + limit.burst) * interval);
  }
  return { indexes, keys: [...bucketKeys, ...bucketKeys.map(reservationKey)], limitArgs };
}

/** `[now, eff...]` from a script, as the group state gcra.ts decides on. */
function stateOf(buckets: readonly BucketRequest[], group: PreparedGroup, reply: ReadonlyArray<string | number>): GroupState {
  const [now, ...tats] = reply;
  return { indexes: group.indexes, limits: group.indexes.map((i) => (buckets[i] as BucketRequest).limit), tats: tats.map(Number), nowMs: Number(now) };
}
