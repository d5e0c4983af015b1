// Rate-limit state in Redis, shared by every replica (SPEC §3): one round trip
// per request for all its buckets (one Lua script, registered with defineCommand
// and run by EVALSHA), Redis's clock (TIME) rather than each gateway's, and keys
// that expire when their bucket is full again.
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { decide, emissionInterval, type GcraDecision } from './gcra.js';
import { bucketKey, type BucketRequest, type RateLimitStore } from './store.js';

// The same GCRA as gcra.ts, on Redis's clock: admit only if every bucket admits,
// then store each new TAT with a TTL of its debt. Returns the admission, the time
// used, and each bucket's TAT before this request, so the gateway computes the
// headers with gcra.ts from exactly the state Redis decided on.
const TAKE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local before = {}
local allowed = 1
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local capacity = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  before[i] = tat
  if tat + interval - now > capacity then allowed = 0 end
end
local out = { allowed, string.format('%.6f', now) }
for i = 1, #KEYS do
  if allowed == 1 then
    local after = before[i] + tonumber(ARGV[2 * i - 1])
    redis.call('SET', KEYS[i], string.format('%.6f', after), 'PX', math.ceil(after - now))
  end
  out[#out + 1] = string.format('%.6f', before[i])
end
return out
`;

type TakeCommand = (numKeys: number, ...args: Array<string | number>) => Promise<[number, string, ...string[]]>;

/** How long the first requests wait for the first connection (a local Redis answers in ms). */
const FIRST_CONNECT_WAIT_MS = 2000;

export class RedisStore implements RateLimitStore {
  readonly kind = 'redis';
  readonly #redis: Redis & { gatehouseTake: TakeCommand };
  #reportedDown = false;
  /** Pending until the first connection attempt settles (ready, failed, or timed out); then null. */
  #firstConnect: Promise<void> | null;

  constructor(url: string, private readonly logger: Logger) {
    const redis = new Redis(url, {
      // Fail fast while Redis is away: onStoreError decides what a request gets,
      // nothing waits in an offline queue. ioredis reconnects by itself.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
    });
    redis.defineCommand('gatehouseTake', { lua: TAKE_SCRIPT });
    redis.on('error', (error: Error) => this.#down(error));
    redis.on('ready', () => {
      if (this.#reportedDown) logger.info({ store: 'redis' }, 'rate-limit store is back');
      this.#reportedDown = false;
    });
    this.#redis = redis as Redis & { gatehouseTake: TakeCommand };
    this.#firstConnect = firstConnection(redis).then(() => {
      this.#firstConnect = null;
    });
  }

  async decide(buckets: readonly BucketRequest[]): Promise<GcraDecision> {
    // Without the offline queue a command sent before the first 'ready' fails at once
    // ("Stream isn't writeable"), so requests reaching a gateway before its connection
    // was up were decided by onStoreError (`local`: a per-replica bucket, beyond the
    // shared limit) while Redis was fine. Wait for that first attempt only; once it
    // has settled, an outage fails fast as before.
    if (this.#firstConnect !== null) await this.#firstConnect;
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
    this.#redis.disconnect();
  }

  #down(error: Error): void {
    if (this.#reportedDown) return;
    this.#reportedDown = true;
    this.logger.warn({ store: 'redis', err: error.message }, 'rate-limit store unavailable');
  }
}

/** Resolves on the first 'ready', the first connection error, or after FIRST_CONNECT_WAIT_MS. */
function firstConnection(redis: Redis): Promise<void> {
  return new Promise((resolve) => {
    const settle = (): void => {
      clearTimeout(timer);
      redis.off('ready', settle).off('error', settle).off('end', settle);
      resolve();
    };
    const timer = setTimeout(settle, FIRST_CONNECT_WAIT_MS);
    timer.unref();
    redis.once('ready', settle).once('error', settle).once('end', settle);
  });
}
