// Wake overhead (issue "Benchmarks"): from the moment a woken function is Ready
// to the first response byte of the request that woke it, over COLD_STARTS cold
// starts per backend, through the real gateway (`node dist/cli.js serve`, pinned
// to core 0 with taskset when there is one; run this process on core 1:
// `taskset -c 1 node build/bench/run.js wake`). Traffic stays on 127.0.0.0/8.
//
// Kubernetes: the fake API server and the simulated kubelet run in this process
// (test/support/kube); pods are real processes (the test function) on 127.0.1.x,
// Ready through the kubelet's HTTP readiness probe (GET /healthz every 10 ms), so
// the app answers by the time it is Ready. Each cold start: the Deployment is
// scaled to 0 here, we wait until its pod has exited, the slice is empty and the
// gateway's /admin/functions shows no endpoint; then one GET. t_ready is taken in
// the store's event subscription, synchronously inside the write that lists the
// pod ready in the EndpointSlice (before any watch stream hears of it), for the
// pod that answered; t_first_byte when the client's 'response' event fires (status
// line and headers received). Between them: watch delivery, the informer, the
// activator's release, the gateway's connect to the pod, the function's answer.
//
// Local: no API says Ready. t_ready is when the instance began listening: the
// test function, with BENCH_HRTIME=1, takes process.hrtime.bigint() in its listen
// callback (it answers /healthz 2xx from then on, READY_DELAY_MS=0) and sends it
// back as x-function-listening-hrtime. Between it and the first byte: the
// gateway's readiness probe (GET /healthz: probe-schedule.ts, and at once when the
// function prints its "listening" line), the function's first answer, the
// activator's release, the request on the probe's connection, the function's
// answer. Twice: as is, and with SILENT=1 (no output, so the schedule alone finds
// it). Each cold start waits for the previous instance's idle stop (idleTimeout
// 100ms) and exit.
//
// Floor: wake-floor-client.ts, pinned to the gateway's core in its place, does
// the same cold starts with no gateway (probe at the first output, the request on
// the 2xx, same connection): the function's own share of the local overhead.
//
// Split (BENCH_HRTIME=1, both backends; headers, so no extra I/O on the way):
// x-function-received-hrtime, when the function's request handler began:
// t_ready → that is the gateway's part (discovery, release, connect, sending the
// request); that → t_first_byte is the function's answer and the way back through
// the gateway. Local also: x-function-first-healthz-hrtime, when the gateway's
// first 2xx readiness probe reached it (t_ready → that: waiting for the probe), and
// x-function-first-healthz-sent-hrtime, when its answer went out (the function's
// own first answer; from then to the request at the function is the gateway's), and
// x-function-listen-done-hrtime, when its listen callback returned, having printed
// its line: before that it could take no request, whoever probed.
//
// Clock: process.hrtime.bigint() everywhere. On Linux it is CLOCK_MONOTONIC, one
// clock for every process on the machine; checked at the start (a child's reading
// must fall between two of ours). Bounded: COLD_STARTS + WARMUP requests per
// backend, each with a deadline, and an overall deadline.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, startGatewayProcess } from '../test/support/gateway-process.js';
import { FakeApiServer } from '../test/support/kube/fake-apiserver.js';
import { writeKubeconfig, removeKubeconfig } from '../test/support/kube/kubeconfig.js';
import { Kubelet } from '../test/support/kube/kubelet.js';
import { deployment, service, SERVICE_NAME_LABEL } from '../test/support/kube/objects.js';
import { TEST_FUNCTION } from '../test/support/kube/pod.js';
import type { KubeObject } from '../test/support/kube/resources.js';

const COLD_STARTS = Number(process.env.GATEHOUSE_BENCH_WAKE_RUNS ?? 50);
const WARMUP = 2;
const FN = 'hello';
const NAMESPACE = 'bench';
const GATEWAY_CORE = '0';
const OTHER_CORE = '1';
const REQUEST_TIMEOUT_MS = 15_000;
const STEP_TIMEOUT_MS = 15_000;
/** The first sync: ~25 s among 10,000 functions (bench/scale.ts). */
const SYNC_TIMEOUT_MS = 120_000;
const TOTAL_DEADLINE_MS = 4 * 60_000;
const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

const nowNs = (): bigint => process.hrtime.bigint();
const ms = (ns: bigint): number => Number(ns) / 1e6;
const sleep = (t: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, t));

interface Sample {
  /** t_first_byte − t_ready, ms. */
  readonly overheadMs: number;
  /** t_ready → the request reaches the function (its handler runs), ms. */
  readonly toFunctionMs: number;
  /** The request reaches the function → t_first_byte, ms. */
  readonly fromFunctionMs: number;
  /** t_first_byte − request sent, ms: the whole cold start as the client saw it. */
  readonly totalMs: number;
  /** Local: t_ready → the function's listen callback returned (it printed its line), ms. */
  readonly listenDoneMs?: number;
  /** Local: t_ready → the gateway's first 2xx readiness probe reaches the function, ms. */
  readonly pollGapMs?: number;
  /** Local: that probe reaches the function → its answer goes out, ms. */
  readonly probeAnswerMs?: number;
}

// ---------------------------------------------------------------- the gateway

interface Gateway {
  readonly port: number;
  readonly adminPort: number;
  readonly logs: Array<Record<string, unknown>>;
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

async function startGateway(root: string, extraArgs: string[]): Promise<Gateway> {
  const config = {
    root,
    routesDir: path.join(root, 'routes'),
    policiesDir: path.join(root, 'policies'),
    functionsFile: path.join(root, 'functions.yaml'),
    write: () => {},
    remove: () => {},
  };
  const gateway = await startGatewayProcess(config, ['--shutdown-timeout=5s', ...extraArgs], {}, { pinToCore: hasTaskset ? GATEWAY_CORE : undefined });
  return {
    port: gateway.port,
    adminPort: gateway.adminPort,
    logs: gateway.logs,
    waitForLog: (predicate, timeoutMs = STEP_TIMEOUT_MS) => gateway.waitForLog(predicate, timeoutMs),
    stop: async () => void (await gateway.stop()),
  };
}

function configDir(functionsYaml: string, extraRoutes: readonly object[] = []): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-wake-'));
  mkdirSync(path.join(root, 'routes'));
  mkdirSync(path.join(root, 'policies'));
  // YAML is a superset of JSON.
  const routes = [{ name: FN, match: { path: `/${FN}/*` }, function: FN, auth: 'public', rewrite: '/*' }, ...extraRoutes];
  writeFileSync(path.join(root, 'routes', 'wake.yaml'), JSON.stringify({ routes }));
  writeFileSync(path.join(root, 'functions.yaml'), functionsYaml);
  return root;
}

// ---------------------------------------------------------------- the client

interface Answer {
  readonly status: number;
  readonly firstByteNs: bigint;
  readonly headers: http.IncomingHttpHeaders;
}

/** One GET on a new connection; t_first_byte when the status line and headers are in. */
function get(port: number, pathAndQuery: string, headers: http.OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, agent: false, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const firstByteNs = nowNs();
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, firstByteNs, headers: res.headers }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer to ${pathAndQuery} within ${REQUEST_TIMEOUT_MS} ms`)));
    req.once('error', reject);
  });
}

function getJson(port: number, pathAndQuery: string, headers: http.OutgoingHttpHeaders): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, agent: false, headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.once('timeout', () => req.destroy(new Error('admin request timed out')));
    req.once('error', reject);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = STEP_TIMEOUT_MS, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The gateway's own view: the function has no endpoint, nothing held or in flight, no wake going. */
async function gatewaySeesZero(gateway: Gateway): Promise<void> {
  await until(`the gateway to see ${FN} at zero`, async () => {
    const body = (await getJson(gateway.adminPort, '/admin/functions', { authorization: `Bearer ${ADMIN_TOKEN}` })) as { functions?: Array<{ name: string; endpoints: unknown[]; inFlight: number; pending: number; lastWake: { outcome: string } | null }> };
    const fn = body.functions?.find((f) => f.name === FN);
    return fn && fn.endpoints.length === 0 && fn.inFlight === 0 && fn.pending === 0 && fn.lastWake?.outcome !== 'in-progress' ? true : undefined;
  });
}

function serverTimingWakeMs(headers: http.IncomingHttpHeaders): number | null {
  const value = headers['server-timing'];
  const match = /wake;dur=([\d.]+)/.exec(Array.isArray(value) ? value.join(',') : (value ?? ''));
  return match ? Number(match[1]) : null;
}

interface FunctionTimes {
  readonly pid: string;
  readonly receivedNs: bigint;
  readonly listeningNs: bigint;
  readonly firstHealthzNs: bigint;
  readonly firstHealthzSentNs: bigint | null;
  readonly listenDoneNs: bigint | null;
}

function checkedAnswer(answer: Answer): FunctionTimes {
  if (answer.status !== 200) throw new Error(`the cold-start request got ${answer.status}, not 200`);
  if (serverTimingWakeMs(answer.headers) === null) throw new Error('the answer carries no Server-Timing wake: it did not wait for a wake');
  const header = (name: string): string => {
    const value = answer.headers[name];
    if (typeof value !== 'string' || value === '') throw new Error(`the answer carries no ${name} (is BENCH_HRTIME=1 reaching the function?)`);
    return value;
  };
  return {
    pid: header('x-function-pid'),
    receivedNs: BigInt(header('x-function-received-hrtime')),
    listeningNs: BigInt(header('x-function-listening-hrtime')),
    firstHealthzNs: BigInt(header('x-function-first-healthz-hrtime')),
    firstHealthzSentNs: optionalNs(answer, 'x-function-first-healthz-sent-hrtime'),
    listenDoneNs: optionalNs(answer, 'x-function-listen-done-hrtime'),
  };
}

function optionalNs(answer: Answer, name: string): bigint | null {
  const value = answer.headers[name];
  return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : null;
}

interface Probed {
  /** The function's listen callback returned. */
  readonly listenDoneNs: bigint;
  /** The gateway's first 2xx probe reached the function. */
  readonly atNs: bigint;
  /** Its answer went out. */
  readonly sentNs: bigint;
}

function sample(readyNs: bigint, sentNs: bigint, receivedNs: bigint, answer: Answer, probed?: Probed): Sample {
  if (!(sentNs < readyNs && readyNs <= receivedNs && receivedNs < answer.firstByteNs)) throw new Error(`timestamps out of order: sent ${sentNs}, ready ${readyNs}, at the function ${receivedNs}, first byte ${answer.firstByteNs}`);
  if (probed !== undefined && !(readyNs <= probed.atNs && probed.atNs <= probed.sentNs && probed.sentNs <= receivedNs)) throw new Error(`probe at ${probed.atNs}, answered ${probed.sentNs}, outside ${readyNs}…${receivedNs}`);
  return {
    overheadMs: ms(answer.firstByteNs - readyNs),
    toFunctionMs: ms(receivedNs - readyNs),
    fromFunctionMs: ms(answer.firstByteNs - receivedNs),
    totalMs: ms(answer.firstByteNs - sentNs),
    ...(probed === undefined ? {} : { listenDoneMs: ms(probed.listenDoneNs - readyNs), pollGapMs: ms(probed.atNs - readyNs), probeAnswerMs: ms(probed.sentNs - probed.atNs) }),
  };
}

// ---------------------------------------------------------------- Kubernetes

/** Other functions FN sleeps among (bench/scale.ts): seeded before the gateway starts, with their routes. */
export interface WakeBackground {
  readonly routes: readonly object[];
  seed(store: FakeApiServer['store'], namespace: string): void;
}

/** The Kubernetes cold starts (the section below), alone or among `background`: the overheads, ms. */
export async function kubernetesWakeOverheads(deadline: number, background?: WakeBackground): Promise<number[]> {
  return (await kubernetesSamples(deadline, background)).map((s) => s.overheadMs);
}

async function kubernetesSamples(deadline: number, background?: WakeBackground): Promise<Sample[]> {
  const apiserver = await FakeApiServer.start();
  const store = apiserver.store;
  // Subscribed before any watch stream: this runs first within the write that lists the pod ready.
  const readyAt = new Map<string, bigint>();
  const unsubscribe = store.subscribe((event) => {
    if (event.resource !== 'endpointslices' || event.type === 'DELETED' || event.object.metadata.labels?.[SERVICE_NAME_LABEL] !== FN) return;
    const t = nowNs();
    const endpoints = (event.object.endpoints ?? []) as Array<{ addresses?: string[]; conditions?: { ready?: boolean; terminating?: boolean } }>;
    for (const endpoint of endpoints) {
      if (endpoint.conditions?.ready !== true || endpoint.conditions.terminating === true) continue;
      for (const address of endpoint.addresses ?? []) if (!readyAt.has(address)) readyAt.set(address, t);
    }
  });
  const kubelet = new Kubelet(store, { terminationGraceMs: 3000, readiness: { kind: 'probe', path: '/healthz', intervalMs: 10 }, env: { BENCH_HRTIME: '1' } });
  const kubeconfig = writeKubeconfig({ server: apiserver.url, token: apiserver.token, namespace: NAMESPACE });
  store.create('services', service(FN, NAMESPACE));
  store.create('deployments', deployment(FN, NAMESPACE, { replicas: 0 }));
  background?.seed(store, NAMESPACE);
  const root = configDir('functions: {}\n', background?.routes);
  let gateway: Gateway | undefined;
  try {
    gateway = await startGateway(root, ['--backend=kubernetes', `--kubeconfig=${kubeconfig}`, `--namespace=${NAMESPACE}`]);
    const g = gateway;
    await until('the gateway to sync', async () => ((await getStatus(g.adminPort, '/readyz')) === 200 ? true : undefined), SYNC_TIMEOUT_MS);
    await until(`the gateway to know ${FN}`, async () => {
      const body = (await getJson(g.adminPort, '/admin/functions', { authorization: `Bearer ${ADMIN_TOKEN}` })) as { functions?: Array<{ name: string }> };
      return body.functions?.some((f) => f.name === FN) ? true : undefined;
    });
    const samples: Sample[] = [];
    for (let run = 0; run < WARMUP + COLD_STARTS; run++) {
      if (Date.now() > deadline) throw new Error('the wake bench ran out of time');
      // At zero: scaled down, the pod gone, the slice empty, and the gateway knows.
      if ((store.get('deployments', NAMESPACE, FN)?.spec as { replicas?: number } | undefined)?.replicas !== 0) {
        store.mutate('deployments', NAMESPACE, FN, (object) => void ((object.spec as { replicas: number }).replicas = 0));
      }
      await kubelet.waitForPods(`${FN} at zero`, { namespace: NAMESPACE, deployment: FN }, (pods) => pods.length === 0, STEP_TIMEOUT_MS);
      await until('an empty EndpointSlice', () => (sliceOf(store).every((slice) => ((slice.endpoints as unknown[] | undefined) ?? []).length === 0) ? true : undefined));
      await gatewaySeesZero(g);
      readyAt.clear();
      const sent = nowNs();
      const answer = await get(g.port, `/${FN}/wake-bench/${run}`);
      const { pid, receivedNs } = checkedAnswer(answer);
      const pod = kubelet.pods({ namespace: NAMESPACE, deployment: FN }).find((p) => String(p.pid) === pid);
      if (!pod) throw new Error(`no live pod with pid ${pid}`);
      const ready = readyAt.get(pod.address);
      if (ready === undefined) throw new Error(`pod ${pod.name} answered before the slice listed it ready`);
      // (x-function-first-healthz-hrtime here is the kubelet's probe, which precedes t_ready: not used.)
      if (run >= WARMUP) samples.push(sample(ready, sent, receivedNs, answer));
    }
    return samples;
  } finally {
    unsubscribe();
    await gateway?.stop();
    await kubelet.stop();
    await apiserver.stop();
    removeKubeconfig(kubeconfig);
    rmSync(root, { recursive: true, force: true });
  }
}

function sliceOf(store: FakeApiServer['store']): KubeObject[] {
  return store.list('endpointslices', NAMESPACE).filter((slice) => slice.metadata.labels?.[SERVICE_NAME_LABEL] === FN);
}

function getStatus(port: number, pathAndQuery: string): Promise<number> {
  return get(port, pathAndQuery).then((answer) => answer.status, () => 0);
}

// ---------------------------------------------------------------- local

/** `silent`: the function prints nothing, so only the probe schedule can find it listening. */
async function localSamples(deadline: number, silent: boolean): Promise<Sample[]> {
  // The function runs on core 1, as the pods do (their kubelet is this process).
  const command = [...(hasTaskset ? ['taskset', '-c', OTHER_CORE] : []), process.execPath, TEST_FUNCTION];
  const env = { BENCH_HRTIME: '1', ...(silent ? { SILENT: '1' } : {}) };
  const functions = { functions: { [FN]: { command, env, idleTimeout: '100ms', coldStartTimeout: '10s', maxInstances: 1 } } };
  const root = configDir(JSON.stringify(functions));
  let gateway: Gateway | undefined;
  try {
    gateway = await startGateway(root, ['--backend=local']);
    const g = gateway;
    const samples: Sample[] = [];
    for (let run = 0; run < WARMUP + COLD_STARTS; run++) {
      if (Date.now() > deadline) throw new Error('the wake bench ran out of time');
      await gatewaySeesZero(g);
      const sent = nowNs();
      const answer = await get(g.port, `/${FN}/wake-bench/${run}`);
      const times = checkedAnswer(answer);
      // Only the gateway probes this instance: its first 2xx /healthz is the probe that found it ready.
      if (times.firstHealthzSentNs === null || times.listenDoneNs === null) throw new Error('the answer carries no x-function-first-healthz-sent-hrtime or x-function-listen-done-hrtime');
      const probed = { listenDoneNs: times.listenDoneNs, atNs: times.firstHealthzNs, sentNs: times.firstHealthzSentNs };
      if (run >= WARMUP) samples.push(sample(times.listeningNs, sent, times.receivedNs, answer, probed));
      const waking = await g.waitForLog((line) => line.msg === 'waking function' && String(line.pid) === times.pid);
      const instance = waking.instance as string;
      // The next cold start begins once this instance is stopped for idleness and has exited.
      await g.waitForLog((line) => line.msg === 'function instance exited' && line.instance === instance);
    }
    return samples;
  } finally {
    await gateway?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- floor

/** The test function with an ideal client in the gateway's place (wake-floor-client.ts):
 * how much of the local overhead is the function's own, whoever wakes it. */
async function floorSamples(deadline: number): Promise<Sample[]> {
  const fnCommand = [...(hasTaskset ? ['taskset', '-c', OTHER_CORE] : []), process.execPath, TEST_FUNCTION];
  const client = [fileURLToPath(new URL('./wake-floor-client.js', import.meta.url)), String(WARMUP + COLD_STARTS), JSON.stringify(fnCommand)];
  const child = spawn(hasTaskset ? 'taskset' : process.execPath, [...(hasTaskset ? ['-c', GATEWAY_CORE, process.execPath] : []), ...client], { stdio: ['ignore', 'pipe', 'inherit'] });
  const timer = setTimeout(() => child.kill(), Math.max(0, deadline - Date.now()));
  const samples: Sample[] = [];
  try {
    let run = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      const t = JSON.parse(line) as Record<string, string>;
      const ns = (key: string): bigint => BigInt(t[key] ?? '0');
      const answer: Answer = { status: 200, firstByteNs: ns('firstByteNs'), headers: {} };
      const probed = { listenDoneNs: ns('listenDoneNs'), atNs: ns('firstHealthzNs'), sentNs: ns('firstHealthzSentNs') };
      if (run++ >= WARMUP) samples.push(sample(ns('listeningNs'), ns('sentNs'), ns('receivedNs'), answer, probed));
    }
  } finally {
    clearTimeout(timer);
  }
  if (samples.length !== COLD_STARTS) throw new Error(`the floor client gave ${samples.length} of ${COLD_STARTS} samples`);
  return samples;
}

// ---------------------------------------------------------------- report

/** A child's hrtime reading falls between two of ours: one clock across processes. */
function checkSharedClock(): void {
  for (let i = 0; i < 3; i++) {
    const before = nowNs();
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.hrtime.bigint()))'], { encoding: 'utf8' });
    const after = nowNs();
    const theirs = BigInt(child.stdout.trim() || '0');
    if (theirs <= before || theirs >= after) throw new Error(`process.hrtime is not shared across processes here (${before} < ${theirs} < ${after} fails)`);
  }
}

interface Stats { p50: number; p99: number; min: number; max: number }

/** Nearest-rank percentiles: with 50 samples, p99 is the 50th (largest) value. */
function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  return { p50: rank(50), p99: rank(99), min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

const f = (n: number): string => n.toFixed(2);

interface Section {
  readonly id: 'kubernetes' | 'local' | 'silent' | 'floor';
  readonly name: string;
  readonly tReady: string;
  readonly run: (deadline: number) => Promise<Sample[]>;
}

const LISTENS = 'the instance listens (answers /healthz 2xx from then on)';
const SPLIT_LABELS: Record<Section['id'], string> = { kubernetes: '', local: 'gateway, the function prints a line', silent: 'gateway, silent function', floor: 'no gateway (floor)' };
const SECTIONS: readonly Section[] = [
  { id: 'kubernetes', name: 'Kubernetes (fake API server + simulated kubelet)', tReady: 'the EndpointSlice write lists the pod ready', run: kubernetesSamples },
  { id: 'local', name: 'local (the function prints a line when listening)', tReady: LISTENS, run: (deadline) => localSamples(deadline, false) },
  { id: 'silent', name: 'local, silent function (no output: the probe schedule alone)', tReady: LISTENS, run: (deadline) => localSamples(deadline, true) },
  { id: 'floor', name: 'floor: no gateway, an ideal client probes at the first output and sends the request on the 2xx', tReady: LISTENS, run: floorSamples },
];

/** `GATEHOUSE_BENCH_WAKE_ONLY=local,silent` runs only those sections (default: all four). */
export async function runWakeBench(): Promise<string> {
  checkSharedClock();
  const only = process.env.GATEHOUSE_BENCH_WAKE_ONLY?.split(',');
  const deadline = Date.now() + TOTAL_DEADLINE_MS;
  const started = performance.now();
  const results: Array<[Section, Sample[]]> = [];
  for (const section of SECTIONS) {
    if (only && !only.includes(section.id)) continue;
    try {
      results.push([section, await section.run(deadline)]);
    } catch (error) {
      throw new Error(`wake bench, ${section.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const lines = [
    `${COLD_STARTS} cold starts per backend after ${WARMUP} warm-up ones; gateway ${hasTaskset ? `pinned to core ${GATEWAY_CORE}, functions/pods on core ${OTHER_CORE}` : 'not pinned (no taskset)'}; ${seconds.toFixed(0)} s in all. ms; p99 is nearest-rank (with ${COLD_STARTS} samples, the largest).`,
    '',
    '| Backend | t_ready is when | p50 | p99 | min | max | t_ready → request at the function, p50 (max) | request at the function → first byte, p50 (max) | whole cold start, request sent → first byte, p50 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [section, samples] of results) {
    const o = stats(samples.map((s) => s.overheadMs));
    lines.push(`| ${section.name} | ${section.tReady} | ${f(o.p50)} | ${f(o.p99)} | ${f(o.min)} | ${f(o.max)} | ${p50max(samples, (s) => s.toFunctionMs)} | ${p50max(samples, (s) => s.fromFunctionMs)} | ${f(stats(samples.map((s) => s.totalMs)).p50)} |`);
  }
  const locals = results.filter(([section]) => section.id !== 'kubernetes');
  if (locals.length > 0) {
    lines.push(
      '',
      'Local, t_ready → request at the function, split, p50 (max), ms:',
      '',
      '| Local | t_ready → its listen callback returns (printing its line) | → the first 2xx probe reaches it | it answers that probe | its answer → request at the function (the gateway, or the floor client) |',
      '|---|---:|---:|---:|---:|',
      ...locals.map(([section, samples]) => localSplit(SPLIT_LABELS[section.id], samples)),
    );
  }
  lines.push(
    '',
    `Overheads, sorted (ms): ${results.map(([section, samples]) => `${section.id} ${sortedList(samples)}`).join('; ')}.`,
    '',
    `Slowest three, as t_ready → request at the function [local: of which → first 2xx probe at the function] + → first byte (ms): ${results.map(([section, samples]) => `${section.id} ${slowest(samples)}`).join('; ')}.`,
  );
  return lines.join('\n');
}

function p50max(samples: readonly Sample[], pick: (s: Sample) => number): string {
  const st = stats(samples.map(pick));
  return `${f(st.p50)} (${f(st.max)})`;
}

function localSplit(name: string, samples: readonly Sample[]): string {
  const done = (s: Sample): number => s.listenDoneMs as number;
  const gap = (s: Sample): number => s.pollGapMs as number;
  const answer = (s: Sample): number => s.probeAnswerMs as number;
  return `| ${name} | ${p50max(samples, done)} | ${p50max(samples, (s) => gap(s) - done(s))} | ${p50max(samples, answer)} | ${p50max(samples, (s) => s.toFunctionMs - gap(s) - answer(s))} |`;
}

function slowest(samples: readonly Sample[]): string {
  return [...samples].sort((a, b) => b.overheadMs - a.overheadMs).slice(0, 3)
    .map((s) => `${s.overheadMs.toFixed(1)} = ${s.toFunctionMs.toFixed(1)}${s.pollGapMs === undefined ? '' : ` [${s.pollGapMs.toFixed(1)}]`} + ${s.fromFunctionMs.toFixed(1)}`).join(', ');
}

function sortedList(samples: readonly Sample[]): string {
  return samples.map((s) => s.overheadMs).sort((a, b) => a - b).map((v) => v.toFixed(1)).join(', ');
}
