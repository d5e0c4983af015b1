// Rate-limiting cost (issue "Rate limiting"), as a Markdown section for BENCHMARKS.md:
//  1. decisions per second of the real stores, in process, with 50 decide() calls
//     outstanding at a time (100k in memory, 50k in Redis: a redis-server this bench
//     starts on a free loopback port), each decision over the two limits of the
//     SPEC §3 example policy, 10,000 distinct keys, every decision admitted;
//  2. requests per second of a rate-limited route against a public one through the
//     real gateway (gateway-load.ts), memory and Redis, 20,000 requests each over 50
//     keep-alive connections, to an `upstream:` route on a tiny local server.
// After a warm-up; the store runs alternate (median of RUNS), the routes interleave.
import type { GcraLimit } from '../src/ratelimit/gcra.js';
import { MemoryStore } from '../src/ratelimit/memory-store.js';
import { RedisStore } from '../src/ratelimit/redis-store.js';
import type { BucketRequest, RateLimitStore } from '../src/ratelimit/store.js';
import { silentLogger } from '../src/observability/logger.js';
import { startRedisServer, targetOf, type RedisServer } from '../test/support/redis-server.js';
import { GATEWAY_CORE, load, startBenchGateway, startTinyUpstream } from './gateway-load.js';

const RUNS = 3;
const IN_FLIGHT = 50;
const KEYS = 10_000;
const MEMORY_DECISIONS = 100_000;
const REDIS_DECISIONS = 50_000;
const GATEWAY_REQUESTS = 20_000;
const GATEWAY_WARMUP = 2_000;
const CONNECTIONS = 50;
const SLICES = 10;

/** The SPEC §3 example's shape (a per-second limit with burst plus a daily one), sized so nothing is refused. */
const LIMITS: readonly GcraLimit[] = [
  { requests: 1_000_000, perMs: 1000, burst: 50 },
  { requests: 1_000_000_000, perMs: 86_400_000, burst: 0 },
];

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Decisions per second with `IN_FLIGHT` decide() calls outstanding at a time. */
async function decisionsPerSecond(store: RateLimitStore, total: number, run: number): Promise<number> {
  const requests: BucketRequest[][] = Array.from({ length: KEYS }, (_, k) => LIMITS.map((limit, i) => ({ space: `bench:${run}:${i}:`, subject: `ip:10.0.${k >> 8}.${k & 255}`, limit })));
  let next = 0;
  let refused = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const decision = await store.decide(requests[next++ % KEYS] as BucketRequest[]);
      if (!decision.allowed) refused++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const rate = total / ((performance.now() - t0) / 1000);
  if (refused > 0) throw new Error(`${refused} decisions refused: the bench measures admissions`);
  return rate;
}

async function storeRows(redis: RedisServer): Promise<string[]> {
  const memory = new MemoryStore();
  const shared = new RedisStore(targetOf(redis.url), silentLogger());
  try {
    await decisionsPerSecond(memory, MEMORY_DECISIONS / 10, -1); // warm-up
    await decisionsPerSecond(shared, REDIS_DECISIONS / 10, -1);
    const memoryRates: number[] = [];
    const redisRates: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      memoryRates.push(await decisionsPerSecond(memory, MEMORY_DECISIONS, run));
      redisRates.push(await decisionsPerSecond(shared, REDIS_DECISIONS, run));
    }
    return [
      `| memory store | ${fmt(MEMORY_DECISIONS)} | ${fmt(median(memoryRates))} | ${memoryRates.map(fmt).join(' / ')} |`,
      `| Redis store (one Lua script per decision) | ${fmt(REDIS_DECISIONS)} | ${fmt(median(redisRates))} | ${redisRates.map(fmt).join(' / ')} |`,
    ];
  } finally {
    await memory.close();
    await shared.close();
  }
}

const ROUTES = (origin: string): string =>
  'routes:\n' +
  `  - { name: public, match: { path: /public }, upstream: "${origin}", auth: public }\n` +
  `  - { name: limited, match: { path: /limited }, upstream: "${origin}", auth: public, rateLimit: per-client }\n`;
const POLICIES = 'rateLimits:\n  per-client:\n    key: ip\n    limits:\n      - { requests: 1000000, per: 1s, burst: 50 }\n      - { requests: 1000000000, per: 1d }\n';

async function gatewayRows(redis: RedisServer): Promise<{ rows: string[]; pinned: boolean }> {
  const upstream = await startTinyUpstream();
  const rows: string[] = [];
  let pinned = false;
  try {
    for (const [store, args] of [
      ['memory', []],
      ['Redis', [`--redis=${redis.url}`]],
    ] as Array<[string, string[]]>) {
      const gateway = await startBenchGateway(ROUTES(upstream.origin), POLICIES, args);
      pinned = gateway.pinned;
      try {
        const url = (p: string): string => `http://127.0.0.1:${gateway.port}${p}`;
        await load(url('/public'), GATEWAY_WARMUP, CONNECTIONS);
        await load(url('/limited'), GATEWAY_WARMUP, CONNECTIONS);
        // Interleaved in slices, alternating which goes first, so both routes meet the
        // same noise (this VM's runs of one case vary by ±25%); the rates are totals.
        const seconds = { public: 0, limited: 0 };
        for (let slice = 0; slice < SLICES; slice++) {
          for (const name of slice % 2 === 0 ? (['public', 'limited'] as const) : (['limited', 'public'] as const)) {
            seconds[name] += GATEWAY_REQUESTS / SLICES / (await load(url(`/${name}`), GATEWAY_REQUESTS / SLICES, CONNECTIONS));
          }
        }
        const [pub, lim] = [GATEWAY_REQUESTS / seconds.public, GATEWAY_REQUESTS / seconds.limited];
        const costUs = (1 / lim - 1 / pub) * 1e6;
        rows.push(`| ${store} | ${fmt(pub)} | ${fmt(lim)} | ${(lim / pub).toFixed(2)} | ${costUs.toFixed(0)} |`);
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await upstream.close();
  }
  return { rows, pinned };
}

export async function runRateLimitBench(): Promise<string> {
  const redis = await startRedisServer();
  try {
    const stores = await storeRows(redis);
    const gateway = await gatewayRows(redis);
    return [
      `Store decisions per second, in process, ${IN_FLIGHT} decide() calls in flight, ${fmt(KEYS)} keys, 2 limits per decision, all admitted (median of ${RUNS}):`,
      '',
      '| store | decisions per run | decisions/s (median) | runs |',
      '|---|---:|---:|---|',
      ...stores,
      '',
      `Through the gateway (${gateway.pinned ? `gateway pinned to core ${GATEWAY_CORE}` : 'taskset not found: unpinned'}), ${fmt(GATEWAY_REQUESTS)} GETs per route over ${CONNECTIONS} keep-alive connections to an \`upstream:\` route, every one admitted, in ${SLICES} interleaved slices:`,
      '',
      '| rate-limit store | public route req/s | rate-limited route req/s | limited / public | µs added per request |',
      '|---|---:|---:|---:|---:|',
      ...gateway.rows,
    ].join('\n');
  } finally {
    await redis.dispose();
  }
}
