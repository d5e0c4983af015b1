// Scale of the route table (`npm run bench -- routes-scale`):
//  1. `gatehouse validate` of 10,000 and 100,000 generated routes (routes-scale-load.ts);
//  2. throughput of one public `upstream:` route with 10 routes configured against
//     the same route among 10,000: two real gateways (`node dist/cli.js serve`, each
//     pinned to core 1 with this process and its tiny upstream), wrk pinned to core
//     0 (`taskset -c 0 wrk -t1 -c20 -d8s`), the two alternating, RUNS runs each. Also
//     each gateway's CPU time per request (from /proc), which noise moves less.
// Needs wrk (`apt-get install -y wrk`); without it part 2 is skipped.
// GATEHOUSE_BENCH_SCALE_ONLY=validate or =throughput runs one part.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startGatewayProcess, type GatewayProcess } from '../test/support/gateway-process.js';
import { writeRouteCorpus, type RouteCorpus } from '../test/support/route-corpus.js';
import { startTinyUpstream } from './gateway-load.js';
import { canTimeValidate, formatValidateRows, validateRows } from './routes-scale-load.js';

const RUNS = Number(process.env['GATEHOUSE_BENCH_SCALE_RUNS'] ?? 2);
const ONLY = process.env['GATEHOUSE_BENCH_SCALE_ONLY'];
const WRK_SECONDS = 8;
const SIZES = [10, 10_000] as const;
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

const publicRoute = (origin: string): string => `  - name: bench-public\n    match: { path: /bench/hello, methods: [GET] }\n    upstream: ${origin}\n    auth: public\n`;

/** Clock ticks of CPU (user + system) the process has used so far. */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}
const TICKS_PER_SECOND = 100;

interface WrkRun {
  readonly routes: number;
  readonly requestsPerSecond: number;
  readonly cpuMicrosPerRequest: number;
}

function wrk(url: string): Promise<{ requests: number; perSecond: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '0', 'wrk', '-t1', '-c20', `-d${WRK_SECONDS}s`, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      const perSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      if (/Non-2xx/.test(out) || !(requests > 0)) reject(new Error(`wrk: ${out}`));
      else resolve({ requests, perSecond });
    });
  });
}

async function throughputRuns(): Promise<WrkRun[]> {
  const upstream = await startTinyUpstream();
  const corpora: RouteCorpus[] = [];
  const gateways: Array<{ routes: number; gateway: GatewayProcess }> = [];
  try {
    for (const routes of SIZES) {
      const corpus = writeRouteCorpus({ routes, leading: publicRoute(upstream.origin) });
      corpora.push(corpus);
      gateways.push({ routes, gateway: await startGatewayProcess(corpus, ['--log-level=warn', '--admin-port=-1'], {}, { pinToCore: '1' }) });
    }
    for (const { gateway } of gateways) await wrk(gateway.url('/bench/hello')); // warm-up
    const runs: WrkRun[] = [];
    for (let run = 0; run < RUNS; run++) {
      for (const { routes, gateway } of run % 2 === 0 ? gateways : [...gateways].reverse()) {
        const before = cpuTicks(gateway.pid);
        const { requests, perSecond } = await wrk(gateway.url('/bench/hello'));
        const cpuSeconds = (cpuTicks(gateway.pid) - before) / TICKS_PER_SECOND;
        runs.push({ routes, requestsPerSecond: perSecond, cpuMicrosPerRequest: (cpuSeconds / requests) * 1e6 });
      }
    }
    return runs;
  } finally {
    for (const { gateway } of gateways) await gateway.stop();
    for (const corpus of corpora) corpus.remove();
    await upstream.close();
  }
}

function formatThroughput(runs: readonly WrkRun[]): string {
  const lines = ['| run | 10 routes: req/s | 10,000 routes: req/s | ratio | 10 routes: gateway CPU µs/req | 10,000 routes: gateway CPU µs/req |', '|---|---:|---:|---:|---:|---:|'];
  const of = (run: number, routes: number): WrkRun | undefined => runs.filter((r) => r.routes === routes)[run];
  const sum = { few: 0, many: 0 };
  for (let run = 0; run < RUNS; run++) {
    const few = of(run, 10);
    const many = of(run, 10_000);
    if (few === undefined || many === undefined) continue;
    sum.few += few.requestsPerSecond;
    sum.many += many.requestsPerSecond;
    lines.push(
      `| ${run + 1} | ${Math.round(few.requestsPerSecond)} | ${Math.round(many.requestsPerSecond)} | ${(many.requestsPerSecond / few.requestsPerSecond).toFixed(3)} | ${few.cpuMicrosPerRequest.toFixed(0)} | ${many.cpuMicrosPerRequest.toFixed(0)} |`,
    );
  }
  lines.push(`| all | ${Math.round(sum.few / RUNS)} | ${Math.round(sum.many / RUNS)} | ${(sum.many / sum.few).toFixed(3)} | | |`);
  return lines.join('\n');
}

export async function runRoutesScaleBench(): Promise<string> {
  const out: string[] = [];
  if (ONLY === 'throughput') {
    // validate skipped
  } else if (canTimeValidate()) {
    out.push('`gatehouse validate`, a fresh process each run (routes, policies and functions from test/support/route-corpus.ts):', '');
    out.push(formatValidateRows(validateRows([[10_000, 5], [100_000, 2]])), '');
  } else {
    out.push('(no /usr/bin/time: validate timings skipped)', '');
  }
  if (ONLY === 'validate') {
    // throughput skipped
  } else if (hasWrk) {
    out.push(`Public \`upstream:\` route, ${RUNS} alternating runs of wrk -t1 -c20 -d${WRK_SECONDS}s per table size:`, '');
    out.push(formatThroughput(await throughputRuns()));
  } else {
    out.push('(no wrk: throughput skipped; `apt-get install -y wrk`)');
  }
  return out.join('\n');
}
