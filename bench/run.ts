// `npm run bench`: each bench module in turn, results as Markdown tables for
// BENCHMARKS.md. Pin it to one core (`taskset -c 1`) so runs compare; the rate-limit
// bench pins the gateway it starts to core 0 itself. `npm run bench -- ratelimit`
// runs only the benches named. `proxy` runs only when named (`npm run bench -- proxy`):
// it may install wrk, takes ~5 minutes, pins its own processes and writes its
// section of BENCHMARKS.md itself. `scale` (10,000 Kubernetes functions, ~5 minutes)
// runs only when named too: `taskset -c 1 node build/bench/run.js scale`.
import { formatRows, runAuthBench } from './auth.js';
import { runRateLimitBench } from './ratelimit.js';

const benches: ReadonlyArray<[string, string, () => Promise<string>, { explicit?: boolean }?]> = [
  ['auth', 'Authentication', async () => formatRows(await runAuthBench())],
  ['ratelimit', 'Rate limiting', runRateLimitBench],
  ['wake', 'Wake overhead', async () => (await import('./wake.js')).runWakeBench()],
  ['proxy', 'Proxy throughput', async () => (await import('./proxy/index.js')).runProxyBench(), { explicit: true }],
  ['routes-scale', 'Route table scale', async () => (await import('./routes-scale.js')).runRoutesScaleBench()],
  ['observability', 'Access log and trace context per request', async () => (await import('./observability.js')).runObservabilityBench()],
  ['scale', 'Scale: 10,000 functions', async () => (await import('./scale.js')).runScaleBench(), { explicit: true }],
  ['ratelimit-memory', 'Memory rate-limit store at 1,000,000 keys', async () => (await import('./ratelimit-memory.js')).runRateLimitMemoryBench()],
];

const only = process.argv.slice(2);
console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
for (const [id, title, run, options] of benches) {
  if (only.length > 0 ? !only.includes(id) : options?.explicit === true) continue;
  console.log(`\n## ${title}\n`);
  console.log(await run());
}
