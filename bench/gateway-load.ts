// The real gateway under load, for bench/ratelimit.ts: a `gatehouse serve` child
// pinned to core 0 (taskset), a tiny upstream and a keep-alive load generator in
// this process (pin it to core 1: `taskset -c 1 npm run bench`). Bounded: a fixed
// number of requests, 127.0.0.1 only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const GATEWAY_CORE = '0';
const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

export interface BenchGateway {
  readonly port: number;
  /** How it was pinned, for the report. */
  readonly pinned: boolean;
  stop(): Promise<void>;
}

/** A config dir with these routes and policies (YAML text), and a gateway serving it. */
export async function startBenchGateway(routesYaml: string, policiesYaml: string, extraArgs: string[] = []): Promise<BenchGateway> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-rl-'));
  mkdirSync(path.join(root, 'routes'));
  mkdirSync(path.join(root, 'policies'));
  writeFileSync(path.join(root, 'routes', 'bench.yaml'), routesYaml);
  writeFileSync(path.join(root, 'policies', 'bench.yaml'), policiesYaml);
  writeFileSync(path.join(root, 'functions.yaml'), 'functions: {}\n');
  const args = [
    path.resolve('dist/cli.js'),
    'serve',
    '--port=0',
    '--admin-port=-1',
    '--host=127.0.0.1',
    `--routes=${path.join(root, 'routes')}`,
    `--policies=${path.join(root, 'policies')}`,
    `--functions=${path.join(root, 'functions.yaml')}`,
    '--log-level=warn',
    '--shutdown-timeout=5s',
    ...extraArgs,
  ];
  const child = hasTaskset ? spawn('taskset', ['-c', GATEWAY_CORE, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const port = await listeningPort(child);
    return {
      port,
      pinned: hasTaskset,
      async stop() {
        child.kill('SIGTERM');
        await exited;
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway did not listen within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`the gateway exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      if (!text.includes('"event":"listening"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(text) as { port: number }).port);
    });
  });
}

/** The smallest upstream: 200 "ok" to everything, keep-alive. */
export async function startTinyUpstream(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }).end('ok'));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * `total` GETs over `connections` keep-alive connections (one request in flight on
 * each); requests per second. Every answer must have `expectStatus`.
 */
export async function load(url: string, total: number, connections: number, expectStatus = 200): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  let wrong = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { agent }, (res) => {
        if (res.statusCode !== expectStatus) wrong++;
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
    });
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      await one();
    }
  };
  const t0 = performance.now();
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - t0) / 1000;
  if (wrong > 0) throw new Error(`${wrong} of ${total} answers to ${url} were not ${expectStatus}`);
  return total / seconds;
}
