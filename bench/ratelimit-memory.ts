// The memory rate-limit store at SPEC §3's bound (`npm run bench -- ratelimit-memory`):
//  1. a whole gateway holding 1,000,000 buckets: a child process
//     (ratelimit-memory-gateway.ts) that is only a gateway, filled through its own
//     rate limiter, once with a distinct client IP per bucket (`key: ip`) and once
//     with a distinct JWT subject (`key: claim:sub`, a string key); its RSS;
//  2. the sweep over 1,000,000 refilled buckets, in this process: how long until
//     they are all gone, and the longest the event loop was held meanwhile.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { GcraLimit } from '../src/ratelimit/gcra.js';
import { MemoryStore } from '../src/ratelimit/memory-store.js';

const KEYS = 1_000_000;

interface GatewayFill {
  readonly subject: string;
  readonly idleRssMb: number;
  readonly filledRssMb: number;
  readonly settledRssMb: number;
  readonly maxRssMb: number;
  readonly fillPerSecond: number;
  readonly checked: number;
  readonly refused: number;
  readonly statuses: readonly number[];
}

function fillGateway(subject: 'ip' | 'claim'): Promise<GatewayFill> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve('build/bench/ratelimit-memory-gateway.js')], {
      env: { ...process.env, BENCH_KEYS: String(KEYS), BENCH_SUBJECT: subject },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`the gateway child exited ${code}: ${out}`));
      resolve(JSON.parse(out) as GatewayFill);
    });
  });
}

interface Sweep {
  readonly fillSeconds: number;
  readonly sweptSeconds: number;
  readonly p99DelayMs: number;
  readonly maxDelayMs: number;
}

/** 1,000,000 buckets full again at once; the store's own timer sweeps them. */
async function sweep(): Promise<Sweep> {
  let now = 0;
  const store = new MemoryStore(() => now);
  const limit: GcraLimit = { requests: 1, perMs: 1_000, burst: 0 };
  try {
    const t0 = performance.now();
    for (let k = 0; k < KEYS; k++) store.decide([{ space: 'bench:', subject: `ip:10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, limit }]);
    const fillSeconds = (performance.now() - t0) / 1000;
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    now = 10_000;
    const t1 = performance.now();
    while (store.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    delay.disable();
    return { fillSeconds, sweptSeconds: (performance.now() - t1) / 1000, p99DelayMs: delay.percentile(99) / 1e6, maxDelayMs: delay.max / 1e6 };
  } finally {
    await store.close();
  }
}

export async function runRateLimitMemoryBench(): Promise<string> {
  const fills = [await fillGateway('ip'), await fillGateway('claim')];
  const swept = await sweep();
  const rows = fills.map(
    (f) =>
      `| ${f.subject === 'ip' ? '`key: ip`, a client IP each' : '`key: claim:sub`, `claim:user-N` each'} | ${f.idleRssMb} | ${f.filledRssMb} | ${f.settledRssMb} | ${f.maxRssMb} | ${Math.round(f.fillPerSecond).toLocaleString('en-US')} | ${f.refused.toLocaleString('en-US')} of ${f.checked.toLocaleString('en-US')} | ${f.statuses.join(', ')} |`,
  );
  return [
    `One gateway process (memory store, one route with a 1-per-hour limit) filled with ${KEYS.toLocaleString('en-US')} buckets through its rate limiter:`,
    '',
    '| subjects | RSS idle MB | RSS filled MB | RSS 15 s later MB | max RSS MB | buckets filled/s | sampled buckets still refused | two HTTP requests after |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `Sweep: ${KEYS.toLocaleString('en-US')} buckets (filled in ${swept.fillSeconds.toFixed(1)} s) all full again at once: gone after ${swept.sweptSeconds.toFixed(1)} s, event-loop delay meanwhile p99 ${swept.p99DelayMs.toFixed(1)} ms, max ${swept.maxDelayMs.toFixed(1)} ms (1 ms resolution; GC pauses included).`,
  ].join('\n');
}
