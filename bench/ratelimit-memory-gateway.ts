// The child process of bench/ratelimit-memory.ts: one real gateway (Gateway.create,
// listening, memory store) and nothing else loaded, so its RSS is the gateway's.
// It fills the store with KEYS buckets through the gateway's own rate limiter (the
// call the pipeline makes per request, with a distinct client IP each), checks them,
// sends two requests over HTTP, and prints one JSON line of measurements.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gateway } from '../src/gateway.js';
import { silentLogger } from '../src/observability/logger.js';
import { makeConfigDir } from '../test/support/config-dir.js';
import { fakeRequest } from '../test/support/fake-request.js';

const KEYS = Number(process.env['BENCH_KEYS'] ?? 1_000_000);
/** `ip`: a distinct client IP per key (`key: ip`); `claim`: a distinct JWT subject (`key: claim:sub`), a string key. */
const SUBJECT = process.env['BENCH_SUBJECT'] === 'claim' ? 'claim' : 'ip';
const CHECKED = 10_000;
const SETTLE_MS = 15_000;
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** `10.a.b.c` for k < 2^24: every key its own client. */
const ipOf = (k: number): string => `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;

async function main(): Promise<void> {
  const upstream = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
  const { port } = upstream.address() as AddressInfo;
  const config = makeConfigDir({
    routes: {
      'r.yaml': `routes:\n  - name: limited\n    match: { path: /limited }\n    upstream: http://127.0.0.1:${port}\n    auth: public\n    rateLimit: per-ip\n`,
    },
    policies: { 'p.yaml': `rateLimits:\n  per-ip:\n    key: ${SUBJECT === 'ip' ? 'ip' : 'claim:sub'}\n    limits: [{ requests: 1, per: 1h }]\n` },
  });
  const gateway = await Gateway.create({
    port: 0,
    host: '127.0.0.1',
    adminPort: -1,
    adminHost: '127.0.0.1',
    sources: { routesDir: config.routesDir, policiesDir: config.policiesDir, functionsFile: config.functionsFile },
    backend: 'local',
    adminToken: null,
    shutdownTimeoutMs: 1000,
    logger: silentLogger(),
    watch: false,
  });
  const { port: gatewayPort } = await gateway.start();
  const idleRss = process.memoryUsage().rss;

  const snapshot = gateway.store.current;
  const route = snapshot.config.routes.find((r) => r.name === 'limited');
  if (route === undefined) throw new Error('no route');
  const req = fakeRequest([]);
  const subjectOf = (k: number) =>
    SUBJECT === 'ip' ? { consumer: null, clientIp: ipOf(k), claims: null, plan: null } : { consumer: null, clientIp: '127.0.0.2', claims: { sub: `user-${k}` }, plan: null };
  const take = async (k: number): Promise<string> => (await snapshot.rateLimiter.check(route, subjectOf(k), req)).kind;

  const t0 = performance.now();
  for (let k = 0; k < KEYS; k++) if ((await take(k)) !== 'allowed') throw new Error(`key ${k} was refused on its first request`);
  const fillSeconds = (performance.now() - t0) / 1000;
  const filledRss = process.memoryUsage().rss;
  // V8's memory reducer collects and shrinks the young generation once allocation
  // calms down (some seconds): the RSS the gateway then holds with these buckets.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const settledRss = process.memoryUsage().rss;
  let refused = 0;
  for (let n = 0; n < CHECKED; n++) if ((await take(Math.floor((n * KEYS) / CHECKED))) === 'limited') refused++;

  const statuses: number[] = [];
  for (let n = 0; n < 2; n++) {
    statuses.push(
      await new Promise<number>((resolve, reject) => {
        http.get(`http://127.0.0.1:${gatewayPort}/limited`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      }),
    );
  }
  const heapUsed = process.memoryUsage().heapUsed;
  await gateway.shutdown();
  upstream.close();
  config.remove();
  process.stdout.write(
    JSON.stringify({
      keys: KEYS,
      subject: SUBJECT,
      idleRssMb: mb(idleRss),
      filledRssMb: mb(filledRss),
      settledRssMb: mb(settledRss),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      heapUsedMb: mb(heapUsed),
      fillPerSecond: Math.round(KEYS / fillSeconds),
      checked: CHECKED,
      refused,
      statuses,
    }) + '\n',
  );
}

await main();
