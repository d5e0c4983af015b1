// `npm run bench -- proxy` (issue "performance", point 6): requests per second,
// latency, CPU per request and memory of Gatehouse's proxy path against
// baselines (bare express + http-proxy-middleware and friends, bench/baselines/)
// and Express Gateway 1.16 with the same policies (bench/express-gateway/), all
// proxying to one Node upstream, loaded by wrk. Not part of `npm test`.
//
//   settings.ts          durations and connections (BENCH_* overrides)
//   wrk.ts               finding/installing wrk, one run → JSON via a Lua `done` script
//   processes.ts         pinned child processes, killed by pid at the end / on SIGINT
//   proc-stat.ts         CPU µs and RSS of a process from /proc
//   stacks.ts            the stacks: name, how to start, path and headers
//   gatehouse.ts         the Gatehouse config (routes, policies, keys) and its processes
//   express-gateway.ts   Express Gateway: install once, start, make a consumer
//   report.ts            the tables and ratios, written into BENCHMARKS.md
//
// Traffic goes to 127.0.0.1 only; every run is bounded by its duration.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { configIsValid, writeGatehouseConfig, type GatehouseConfig } from './gatehouse.js';
import { cpuMicros, residentBytes } from './proc-stat.js';
import { hasTaskset, killAll, killAllNow, startServer, type Server } from './processes.js';
import { formatReport, writeSection, type RunSample, type StackResult } from './report.js';
import { readSettings, SETTING_VARIABLES, type ProxyBenchSettings } from './settings.js';
import { expressGatewayVersion, MIDDLEWARE_ROUTE, STACKS, UPSTREAM_SCRIPT, type Target } from './stacks.js';
import { ensureWrk, Wrk, wrkVersion, type WrkResult } from './wrk.js';

const BODY = 'hello, world\n';

export async function runProxyBench(): Promise<string> {
  const settings = readSettings();
  ensureWrk();
  const stacks = STACKS.filter((s) => settings.only.length === 0 || s.id === 'direct' || settings.only.includes(s.id));
  const t0 = performance.now();
  const loadBefore = os.loadavg()[0] as number;
  const notes: string[] = [];
  const wrk = new Wrk();
  let config: GatehouseConfig | undefined;
  let upstream: Server | undefined;
  const targets = new Map<string, Target>();
  const results: StackResult[] = stacks.map((stack) => ({ stack, runs: [] }));
  // Also when this process dies some other way (an uncaught error, a closed stdout): 'exit' still runs.
  const onExit = (): void => {
    killAllNow();
    config?.dir.remove();
    wrk.dispose();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping the proxy bench's processes\n`);
    process.exit(130);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    upstream = await startServer('upstream', settings.serverCore, process.execPath, [UPSTREAM_SCRIPT]);
    const origin = `http://127.0.0.1:${upstream.port}`;
    config = writeGatehouseConfig(origin, { middleware: MIDDLEWARE_ROUTE });
    if (!MIDDLEWARE_ROUTE) notes.push(...middlewareHint(origin));
    const context = { origin, upstream, gatehouse: config, core: settings.serverCore };

    for (const result of results) {
      const { stack } = result;
      try {
        const target = await stack.start(context);
        try {
          await check(target);
        } catch (error) {
          await target.stop();
          throw error;
        }
        targets.set(stack.id, target);
        log(`started ${stack.id} (pid ${target.server.pid}, port ${target.server.port})`);
      } catch (error) {
        result.problem = firstLine(error);
        log(`${stack.id} not measured: ${error instanceof Error ? error.message : String(error)}`);
      }
    }

    const live = results.filter((r) => targets.has(r.stack.id));
    for (let run = 0; run < settings.runs; run++) {
      const order = run % 2 === 0 ? live : [...live].reverse();
      for (const result of order) {
        const target = targets.get(result.stack.id) as Target;
        if (run === 0) await loaded(wrk, settings, target, upstream, settings.warmupSeconds);
        const sample = await loaded(wrk, settings, target, upstream, settings.seconds);
        result.runs.push(sample);
        log(`run ${run + 1} ${result.stack.id}: ${Math.round(sample.requestsPerSecond)} req/s, p50 ${sample.p50Us} µs, p99 ${sample.p99Us} µs, ${(sample.proxyCpuUs / sample.requests).toFixed(1)} CPU µs/req${sample.statusErrors + sample.socketErrors > 0 ? `, ${sample.statusErrors} status and ${sample.socketErrors} socket errors` : ''}`);
      }
    }
    for (const result of live) result.rssBytes = residentBytes((targets.get(result.stack.id) as Target).server.pid);
    // Unloaded: each stack right after a direct run of its own, so that "added over
    // direct" compares two runs seconds apart, whatever the machine's load does meanwhile.
    const direct = live.find((r) => r.stack.kind === 'direct');
    const unloaded = (target: Target): Promise<WrkResult> => wrk.run({ url: url(target), headers: target.headers, connections: 1, seconds: settings.unloadedSeconds, core: settings.loadCore });
    const directRuns: WrkResult[] = [];
    for (const result of live) {
      if (result === direct) continue;
      if (direct) {
        result.unloadedDirect = await unloaded(targets.get(direct.stack.id) as Target);
        directRuns.push(result.unloadedDirect);
      }
      result.unloaded = await unloaded(targets.get(result.stack.id) as Target);
      log(`unloaded ${result.stack.id}: p50 ${result.unloaded.p50Us} µs, p99 ${result.unloaded.p99Us} µs${result.unloadedDirect ? ` (direct just before: p50 ${result.unloadedDirect.p50Us} µs)` : ''}`);
    }
    if (direct) {
      if (directRuns.length === 0) directRuns.push(await unloaded(targets.get(direct.stack.id) as Target));
      // The direct row: its run with the median p50.
      direct.unloaded = [...directRuns].sort((a, b) => a.p50Us - b.p50Us)[Math.floor((directRuns.length - 1) / 2)];
    }
  } finally {
    for (const target of targets.values()) await target.stop().catch(() => {});
    await upstream?.stop().catch(() => {});
    await killAll();
    config?.dir.remove();
    wrk.dispose();
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const report = formatReport(results, {
    settings,
    command: command(),
    machine: machine(),
    date: new Date().toISOString().replace(/:\d\d\.\d+Z$/, 'Z').replace('T', ' '),
    wrkVersion: wrkVersion(),
    expressGateway: results.some((r) => r.stack.kind === 'express-gateway' && r.problem === undefined) ? expressGatewayVersion() : '1.16',
    pinned: hasTaskset,
    loadBefore,
    loadAfter: os.loadavg()[0] as number,
    seconds: (performance.now() - t0) / 1000,
    notes,
  });
  if (settings.write) {
    writeSection(path.resolve('BENCHMARKS.md'), report);
    log('wrote the "Proxy throughput" section of BENCHMARKS.md');
  }
  return report;
}

const log = (line: string): void => void process.stderr.write(`proxy bench: ${line}\n`);

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] as string;

const url = (target: Target): string => `http://127.0.0.1:${target.server.port}${target.path}`;

/** One wrk run under load, with the proxy's and the upstream's CPU time around it. */
async function loaded(wrk: Wrk, settings: ProxyBenchSettings, target: Target, upstream: Server, seconds: number): Promise<RunSample> {
  const proxy0 = cpuMicros(target.server.pid);
  const upstream0 = cpuMicros(upstream.pid);
  const result = await wrk.run({ url: url(target), headers: target.headers, connections: settings.connections, seconds, core: settings.loadCore });
  return { ...result, proxyCpuUs: cpuMicros(target.server.pid) - proxy0, upstreamCpuUs: cpuMicros(upstream.pid) - upstream0 };
}

/** The stack answers 200 and the upstream's 13 bytes; an authenticating one refuses a request without credentials. */
async function check(target: Target): Promise<void> {
  const ok = await get(url(target), target.headers);
  if (ok.status !== 200 || ok.body !== BODY) throw new Error(`GET ${target.path} answered ${ok.status} ${JSON.stringify(ok.body.slice(0, 200))}, not 200 ${JSON.stringify(BODY)}`);
  if (target.withoutHeaders !== null) {
    const refused = await get(url(target), {});
    if (refused.status !== target.withoutHeaders) throw new Error(`GET ${target.path} without credentials answered ${refused.status}, not ${target.withoutHeaders}`);
  }
}

function get(address: string, headers: Readonly<Record<string, string>>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(address, { headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${address} timed out`)));
    req.once('error', reject);
  });
}

/** With the middleware stack off: say whether this checkout's schema would take it now. */
function middlewareHint(origin: string): string[] {
  const probe = writeGatehouseConfig(origin, { middleware: true });
  try {
    const { valid } = configIsValid(probe.dir);
    if (!valid) return [];
    log('this checkout accepts `middleware:` on a route: set MIDDLEWARE_ROUTE = true in bench/proxy/stacks.ts to measure that stack');
    return ['this checkout\'s schema accepts `middleware:`, but MIDDLEWARE_ROUTE in bench/proxy/stacks.ts is still false.'];
  } finally {
    probe.dir.remove();
  }
}

/** The command as run: the BENCH_* variables that were set, then the npm script. */
function command(): string {
  const set = SETTING_VARIABLES.filter((name) => process.env[name] !== undefined && process.env[name] !== '').map((name) => `${name}=${process.env[name]}`);
  return [...set, 'npm run bench -- proxy'].join(' ');
}

function machine(): string {
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(os.cpus().length);
  let model = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // not Linux: os.cpus() it is
  }
  return `${nproc} cores (${model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()} ${os.arch()}`;
}
