// 10,000 functions on one replica (`npm run bench -- scale`; run it on core 1:
// `taskset -c 1 node build/bench/run.js scale`). The fake API server of
// test/support/kube runs in this process with FUNCTIONS Services (no selector, so
// no controller touches them) and one EndpointSlice each listing 1–3 ready
// endpoints; the gateway (`node dist/cli.js serve --backend kubernetes
// --kubeconfig … --namespace bench`, a real process pinned to core 0) has one
// route per function. The endpoints are tiny loopback listeners of this process
// on 127.0.1.x (seeded) and 127.0.2.x (added by the churn), all on one port, each
// answering with its own address. Measured, in one run:
//  1. start → /readyz 200, and the gateway's RSS (/proc/PID/status VmRSS) then and
//     after the rest window;
//  2. the API requests made at rest (REST_S seconds, no traffic, no writes), and
//     LISTs after sync over the whole run (the fake server's request log);
//  3. churn: UPDATES_PER_S EndpointSlice updates/s for CHURN_S s, each adding a
//     new endpoint (a 127.0.2.x listener) to a function not churned before. t0 is
//     taken right after the store write returns: the watch stream's res.write of
//     the MODIFIED event runs synchronously inside that write. Then GETs to the
//     function's route, PROBE_EVERY_MS apart on keep-alive connections, until one is
//     answered by the new endpoint; t1 is when that listener's request handler
//     began (same process, same clock). t1 − t0 includes the watch delivery, the
//     informer, the route table update, up to n−1 requests balanced to the
//     function's older endpoints and ≤ PROBE_EVERY_MS (+ a request) of probe spacing;
//  4. meanwhile ACTIVE functions get an idle-timeout of IDLE_TIMEOUT and a GET
//     every 100 ms each: the Deployment annotation writes they cost;
//  5. the wake overhead of bench/wake.ts's Kubernetes section, alone and with
//     FUNCTIONS − 1 other functions (same seed) beside the sleeping one.
// Bounded: every wait has a deadline; listeners, gateways, the API server are
// closed and the gateway is stopped by its PID in `finally`.
import { readFileSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ADMIN_TOKEN, startGatewayProcess, type GatewayProcess } from '../test/support/gateway-process.js';
import { FakeApiServer } from '../test/support/kube/fake-apiserver.js';
import { removeKubeconfig, writeKubeconfig } from '../test/support/kube/kubeconfig.js';
import { deployment, endpointSlice, service } from '../test/support/kube/objects.js';
import type { KubeObject } from '../test/support/kube/resources.js';
import { kubernetesWakeOverheads, type WakeBackground } from './wake.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const FUNCTIONS = env('BENCH_SCALE_FUNCTIONS', 10_000);
const REST_S = env('BENCH_SCALE_REST_S', 60);
const CHURN_S = env('BENCH_SCALE_CHURN_S', 60);
const UPDATES_PER_S = env('BENCH_SCALE_UPDATES_PER_S', 100);
/** BENCH_SCALE_CPU_PROF=DIR: the gateway writes a CPU profile of its first BENCH_SCALE_CPU_PROF_MS (default 40,000) ms there (cpu-profile-preload.mjs). */
const CPU_PROF_DIR = process.env.BENCH_SCALE_CPU_PROF;
const ACTIVE = 10;
const IDLE_TIMEOUT_S = 20;
const NAMESPACE = 'bench';
const POOL = 250; // listeners per /24: 127.0.1.1–250 seeded, 127.0.2.1–250 for the churn
const PROBE_TIMEOUT_MS = 5000;
/** Between a probe's GETs: back to back, the probes of overlapping updates alone saturated the gateway's core. */
const PROBE_EVERY_MS = 2;
/** Progress on stderr: the tables go to stdout. */
const progress = (what: string): void => void process.stderr.write(`scale: ${what} (${new Date().toISOString().slice(11, 19)})\n`);
const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

const nowNs = (): bigint => process.hrtime.bigint();
const sleep = (t: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, t));
const fnName = (i: number): string => `fn-${i}`;
const seededAddress = (i: number, k: number): string => `127.0.1.${1 + ((i * 3 + k) % POOL)}`;
const churnAddress = (u: number): string => `127.0.2.${1 + (u % POOL)}`;

const cpuProfileEnv = (dir: string): Record<string, string> => ({
  NODE_OPTIONS: `--import=${path.resolve('bench/cpu-profile-preload.mjs')}`, GATEHOUSE_CPU_PROFILE_DIR: dir, GATEHOUSE_CPU_PROFILE_MS: process.env.BENCH_SCALE_CPU_PROF_MS ?? '40000',
});

// ---------------------------------------------------------------- endpoints

interface Listeners { readonly port: number; close(): Promise<void> }

/** One tiny server per address, all on one port: the answer names the address and when the request arrived. */
async function startListeners(addresses: readonly string[]): Promise<Listeners> {
  const servers: http.Server[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const at = nowNs();
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2, 'x-served-by': req.socket.localAddress ?? '', 'x-received-hrtime': String(at) }).end('ok');
  };
  let port = 0;
  for (const address of addresses) {
    const server = http.createServer(handler);
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    port = (server.address() as { port: number }).port;
    servers.push(server);
  }
  return {
    port,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

// ---------------------------------------------------------------- the cluster

function slice(i: number, port: number, extra: readonly string[] = []): KubeObject {
  const addresses = [...Array.from({ length: 1 + (i % 3) }, (_, k) => seededAddress(i, k)), ...extra];
  return endpointSlice(fnName(i), NAMESPACE, addresses.map((address) => ({ address, ready: true })), { name: `${fnName(i)}-slice`, port });
}

/** Functions fn-FROM … fn-(FUNCTIONS−1): Services without a selector and their slices. */
function seedFunctions(store: FakeApiServer['store'], port: number, from = 0): void {
  for (let i = from; i < FUNCTIONS; i++) {
    store.create('services', service(fnName(i), NAMESPACE, { selector: {} }));
    store.create('endpointslices', slice(i, port));
  }
}

const routeOf = (name: string): object => ({ name, match: { path: `/${name}/*` }, function: name, auth: 'public' });

function configDir(routes: readonly object[]): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-scale-'));
  mkdirSync(path.join(root, 'routes'));
  mkdirSync(path.join(root, 'policies'));
  writeFileSync(path.join(root, 'routes', 'scale.yaml'), JSON.stringify({ routes }));
  writeFileSync(path.join(root, 'functions.yaml'), 'functions: {}\n');
  return root;
}

// ---------------------------------------------------------------- HTTP

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(port: number, pathAndQuery: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, agent, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer to ${pathAndQuery}`)));
    req.once('error', reject);
  });
}

function rssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kib / 1024;
}

// ---------------------------------------------------------------- phases

interface Startup { readonly readyMs: number; readonly rssAtReadyMiB: number; readonly functionsSeen: number }

async function waitReady(gateway: GatewayProcess, startedNs: bigint): Promise<Startup> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const status = await get(gateway.adminPort, '/readyz').then((a) => a.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error('the gateway was not ready within 120 s');
    await sleep(20);
  }
  const readyMs = Number(nowNs() - startedNs) / 1e6;
  const rssAtReadyMiB = rssMiB(gateway.pid);
  const body = JSON.parse((await get(gateway.adminPort, '/admin/functions', { authorization: `Bearer ${ADMIN_TOKEN}` })).body) as { functions: Array<{ endpoints: unknown[] }> };
  const functionsSeen = body.functions.filter((f) => f.endpoints.length > 0).length;
  return { readyMs, rssAtReadyMiB, functionsSeen };
}

interface Churn { readonly latenciesMs: number[]; readonly failed: number; readonly updates: number; readonly seconds: number; readonly activeWrites: Map<string, number>; readonly activeRequests: number }

async function churn(apiserver: FakeApiServer, gateway: GatewayProcess, port: number): Promise<Churn> {
  const store = apiserver.store;
  const total = Math.round(CHURN_S * UPDATES_PER_S);
  if (ACTIVE + total > FUNCTIONS) throw new Error('more updates than functions to churn');
  const latenciesMs: number[] = [];
  let failed = 0;
  const probes: Array<Promise<void>> = [];
  const probe = async (name: string, address: string, t0: bigint): Promise<void> => {
    const deadline = Date.now() + PROBE_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const answer = await get(gateway.port, `/${name}/churn`).catch(() => undefined);
      if (answer?.status === 200 && answer.headers['x-served-by'] === address) {
        latenciesMs.push(Number(BigInt(answer.headers['x-received-hrtime'] as string) - t0) / 1e6);
        return;
      }
      await sleep(PROBE_EVERY_MS);
    }
    failed++;
  };
  // The active functions: an idle timeout from now on, and steady traffic.
  for (let i = 0; i < ACTIVE; i++) {
    store.mutate('services', NAMESPACE, fnName(i), (object) => void (object.metadata.annotations = { ...object.metadata.annotations, 'gatehouse.io/idle-timeout': `${IDLE_TIMEOUT_S}s` }));
  }
  const activeFrom = apiserver.requests().length;
  let activeRequests = 0;
  let churning = true;
  const traffic = (async () => {
    while (churning) {
      await Promise.all(Array.from({ length: ACTIVE }, (_, i) => get(gateway.port, `/${fnName(i)}/active`).then(() => void activeRequests++, () => {})));
      await sleep(100);
    }
  })();
  const started = performance.now();
  for (let u = 0; u < total; u++) {
    const due = started + (u * 1000) / UPDATES_PER_S;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const i = ACTIVE + u;
    const address = churnAddress(u);
    store.replace('endpointslices', { ...slice(i, port, [address]), metadata: store.get('endpointslices', NAMESPACE, `${fnName(i)}-slice`)!.metadata });
    const t0 = nowNs(); // the MODIFIED event is written to the watch inside replace()
    probes.push(probe(fnName(i), address, t0));
  }
  await Promise.all(probes);
  const seconds = (performance.now() - started) / 1000;
  churning = false;
  await traffic;
  const activeWrites = new Map<string, number>();
  for (const record of apiserver.requests().slice(activeFrom)) {
    if (record.resource === 'deployments' && record.verb === 'patch' && record.name !== undefined) activeWrites.set(record.name, (activeWrites.get(record.name) ?? 0) + 1);
  }
  return { latenciesMs, failed, updates: total, seconds, activeWrites, activeRequests };
}

// ---------------------------------------------------------------- report

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function tally(records: ReturnType<FakeApiServer['requests']>): string {
  const byKind = new Map<string, number>();
  for (const r of records) byKind.set(`${r.verb ?? r.method} ${r.resource ?? r.path}`, (byKind.get(`${r.verb ?? r.method} ${r.resource ?? r.path}`) ?? 0) + 1);
  return [...byKind].map(([kind, n]) => `${kind}: ${n}`).join(', ') || 'none';
}

export async function runScaleBench(): Promise<string> {
  const out: string[] = [];
  const began = performance.now();
  out.push(`Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, Linux ${os.release()}; ${new Date().toISOString().slice(0, 16)}Z; load average ${loadAverage()} at the start. Gateway ${hasTaskset ? 'pinned to core 0, this process (fake API server, endpoints, client) to core 1 if run under taskset -c 1' : 'not pinned'}. ${FUNCTIONS} functions, rest ${REST_S} s, churn ${UPDATES_PER_S}/s for ${CHURN_S} s.`, '');

  const listeners = await startListeners([...Array.from({ length: POOL }, (_, k) => `127.0.1.${k + 1}`), ...Array.from({ length: POOL }, (_, k) => `127.0.2.${k + 1}`)]);
  const apiserver = await FakeApiServer.start({ historyLimit: 50_000 });
  const kubeconfig = writeKubeconfig({ server: apiserver.url, token: apiserver.token, namespace: NAMESPACE });
  const seedStarted = performance.now();
  seedFunctions(apiserver.store, listeners.port);
  for (let i = 0; i < ACTIVE; i++) apiserver.store.create('deployments', deployment(fnName(i), NAMESPACE, { replicas: 1 }));
  const seedMs = performance.now() - seedStarted;
  progress(`seeded in ${seedMs.toFixed(0)} ms`);
  const root = configDir(Array.from({ length: FUNCTIONS }, (_, i) => routeOf(fnName(i))));
  let gateway: GatewayProcess | undefined;
  try {
    const startedNs = nowNs();
    const config = { root, routesDir: path.join(root, 'routes'), policiesDir: path.join(root, 'policies'), functionsFile: path.join(root, 'functions.yaml'), write: () => {}, remove: () => {} };
    gateway = await startGatewayProcess(config,
      ['--backend=kubernetes', `--kubeconfig=${kubeconfig}`, `--namespace=${NAMESPACE}`, '--log-level=warn', '--shutdown-timeout=5s'], CPU_PROF_DIR ? cpuProfileEnv(CPU_PROF_DIR) : {}, { pinToCore: hasTaskset ? '0' : undefined });
    progress('gateway started');
    const startup = await waitReady(gateway, startedNs);
    progress(`ready in ${startup.readyMs.toFixed(0)} ms`);
    const syncedAt = apiserver.requests().length;
    const check = await get(gateway.port, `/${fnName(FUNCTIONS - 1)}/check`);
    if (check.status !== 200 || !String(check.headers['x-served-by']).startsWith('127.0.1.')) throw new Error(`the last function's route answered ${check.status}`);

    const restFrom = apiserver.requests().length;
    await sleep(REST_S * 1000);
    const rest = apiserver.requests().slice(restFrom);
    const rssAfterRestMiB = rssMiB(gateway.pid);

    progress('rest done');
    const churned = await churn(apiserver, gateway, listeners.port);
    const rssAfterChurnMiB = rssMiB(gateway.pid);
    const listsAfterSync = apiserver.requests().slice(syncedAt).filter((r) => r.verb === 'list').length;
    const startRequests = apiserver.requests().slice(0, syncedAt);
    await gateway.stop();
    gateway = undefined;

    out.push('| measure | value | target |', '|---|---:|---|');
    out.push(`| seeding the fake API server (${FUNCTIONS} Services + EndpointSlices, 1–3 endpoints each) | ${seedMs.toFixed(0)} ms | |`);
    out.push(`| start (spawn) → /readyz 200 | ${startup.readyMs.toFixed(0)} ms | |`);
    out.push(`| functions with endpoints in /admin/functions at /readyz | ${startup.functionsSeen} | ${FUNCTIONS} |`);
    out.push(`| RSS at /readyz | ${startup.rssAtReadyMiB.toFixed(0)} MiB | ≤ 400 MB |`);
    out.push(`| RSS after ${REST_S} s at rest | ${rssAfterRestMiB.toFixed(0)} MiB | ≤ 400 MB |`);
    out.push(`| RSS after the churn | ${rssAfterChurnMiB.toFixed(0)} MiB | |`);
    out.push(`| API requests to sync (start → /readyz) | ${tally(startRequests)} | |`);
    out.push(`| API requests at rest, per minute | ${(rest.length * 60 / REST_S).toFixed(1)} (${tally(rest)}) | watches only |`);
    out.push(`| LISTs after sync (whole run) | ${listsAfterSync} | 0 |`);
    const lat = churned.latenciesMs;
    out.push(`| churn: updates done, s | ${churned.updates} in ${churned.seconds.toFixed(1)} s (${(churned.updates / churned.seconds).toFixed(0)}/s) | ${UPDATES_PER_S}/s |`);
    out.push(`| churn: update → first request at the new endpoint, p50 / p90 / p99 / max | ${[50, 90, 99, 100].map((p) => percentile(lat, p).toFixed(1)).join(' / ')} ms (${churned.failed} not reached in ${PROBE_TIMEOUT_MS} ms) | p99 ≤ 50 ms |`);
    const writes = [...churned.activeWrites.values()];
    const perMinute = (n: number): string => (n * 60 / churned.seconds).toFixed(1);
    out.push(`| active function (idle-timeout ${IDLE_TIMEOUT_S}s, a GET every 100 ms): Deployment annotation writes per minute, min / max over ${ACTIVE} | ${perMinute(Math.min(...writes, writes.length < ACTIVE ? 0 : Infinity))} / ${perMinute(Math.max(0, ...writes))} (${churned.activeRequests} requests) | ≤ ${60 / (IDLE_TIMEOUT_S / 4)} (1 per idle-timeout/4) |`);
    out.push('', `Load average after the churn: ${loadAverage()}.`);
  } finally {
    await gateway?.stop();
    await apiserver.stop();
    await listeners.close();
    removeKubeconfig(kubeconfig);
    rmSync(root, { recursive: true, force: true });
  }

  // Wake: bench/wake.ts's Kubernetes section, alone and among FUNCTIONS − 1 others, alternating.
  const wakeListeners = await startListeners(Array.from({ length: POOL }, (_, k) => `127.0.1.${k + 1}`));
  try {
    const background: WakeBackground = {
      routes: Array.from({ length: FUNCTIONS - 1 }, (_, i) => routeOf(fnName(i + 1))),
      seed: (store) => seedFunctions(store, wakeListeners.port, 1),
    };
    const deadline = Date.now() + 4 * 60_000;
    progress('wake, 1 function');
    const alone = await kubernetesWakeOverheads(deadline);
    progress(`wake, ${FUNCTIONS} functions`);
    const among = await kubernetesWakeOverheads(deadline, background);
    const row = (name: string, v: number[]): string => `| ${name} | ${v.length} | ${[50, 90, 99].map((p) => percentile(v, p).toFixed(2)).join(' | ')} |`;
    out.push('', 'Wake overhead (bench/wake.ts, Kubernetes: the EndpointSlice write listing the pod ready → first response byte), ms:', '', '| functions | cold starts | p50 | p90 | p99 |', '|---|---:|---:|---:|---:|');
    out.push(row('1', alone), row(String(FUNCTIONS), among));
    out.push('', `p50 ratio ${FUNCTIONS} / 1: ${(percentile(among, 50) / percentile(alone, 50)).toFixed(2)} (target 0.8–1.2).`);
  } finally {
    await wakeListeners.close();
  }
  out.push('', `Load average at the end: ${loadAverage()}; ${((performance.now() - began) / 1000).toFixed(0)} s in all.`);
  return out.join('\n');
}
