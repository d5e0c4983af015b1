// A real redis-server for the rate-limit tests (issue "Rate limiting"): started
// by the test on a free loopback port with no persistence, used once it answers
// PING, stopped by PID; `restart()` brings it back on the same port (the outage
// tests). Never skipped: without redis-server the tests fail and say how to
// install it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseRedisTarget, type RedisTarget, type RedisTargetInput } from '../../src/ratelimit/redis-target.js';
import { listenOnLoopback } from './upstream-server.js';

export const REDIS_SERVER = process.env.GATEHOUSE_TEST_REDIS_SERVER ?? 'redis-server';
const INSTALL_HINT = 'the rate-limit tests need a real Redis: install it with `sudo apt-get install redis-server` on Debian/Ubuntu or `brew install redis` on macOS (npm test does it itself as root with apt-get), or set GATEHOUSE_TEST_REDIS_SERVER to its path';
const START_TIMEOUT_MS = 15_000;

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`, for `--redis`. */
  readonly url: string;
  /** The running process's PID (null while stopped). */
  pid(): number | null;
  /** Stop the process (SIGKILL simulates a crash) and wait for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Start again on the same port, empty (no persistence), once it answers PING. */
  restart(): Promise<void>;
  /** Stop (SIGTERM) and remove its directory: for after() hooks. */
  dispose(): Promise<void>;
}

/** For the cluster, sentinel and TLS runners (redis-cluster.ts, redis-sentinel.ts, redis-tls.ts). */
export interface RedisServerOptions {
  /** Added after the usual flags (`--cluster-enabled yes`, `--replicaof`, TLS files). */
  readonly extraArgs?: (port: number, dir: string) => string[];
  /** Replaces the whole argument list (a sentinel: its config file, then `--sentinel`). */
  readonly args?: (port: number, dir: string) => string[];
  /** Whether it answers yet (default: PING over plain TCP). */
  readonly ping?: (port: number) => Promise<boolean>;
  /** `url`'s scheme (default redis). */
  readonly scheme?: 'redis' | 'rediss';
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-redis-'));
  let port = 0;
  let child: ChildProcess | null = null;
  // A free port can be taken between our probe and redis's bind: try a few.
  for (let attempt = 1; child === null; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, options);
    } catch (error) {
      if (attempt >= 3 || (error as NodeJS.ErrnoException).code === 'ENOENT') {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let current: ChildProcess | null = child;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const running = current;
    current = null;
    if (running) await kill(running, signal);
  };
  return {
    port,
    url: `${options.scheme ?? 'redis'}://127.0.0.1:${port}`,
    pid: () => current?.pid ?? null,
    stop,
    async restart() {
      if (current) throw new Error('redis-server is still running');
      current = await launch(port, dir, options);
    },
    async dispose() {
      await stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listenOnLoopback(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function launch(port: number, dir: string, options: RedisServerOptions): Promise<ChildProcess> {
  const usual = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'];
  const args = options.args ? options.args(port, dir) : [...usual, ...(options.extraArgs?.(port, dir) ?? [])];
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const failed = new Promise<never>((_resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT';
      reject(Object.assign(new Error(missing ? `${REDIS_SERVER} not found: ${INSTALL_HINT}` : `${REDIS_SERVER} failed to start: ${error.message}`), { code: error.code }));
    });
    child.once('exit', (code, signal) => reject(new Error(`${REDIS_SERVER} exited (${code ?? signal}) before answering PING on port ${port}: ${output.join('').trim()}`)));
  });
  failed.catch(() => {}); // read by the race below; the exit after a later stop() must not be an unhandled rejection
  try {
    await Promise.race([untilPong(port, options.ping ?? ping), failed]);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) await kill(child, 'SIGKILL');
    throw error;
  }
  return child;
}

/** Bounded: PING over a raw socket until `+PONG`. */
async function untilPong(port: number, answers: (port: number) => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answers(port))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${START_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function ping(port: number): Promise<boolean> {
  return pingOn(net.connect(port, '127.0.0.1'), 'connect', ['+PONG']);
}

/**
 * Bounded: PING on `socket` once `ready` fires; true when the first reply line starts
 * with one of `accepted` (the TLS runner also takes `-NOAUTH` from a server whose default user is off).
 */
export function pingOn(socket: net.Socket, ready: 'connect' | 'secureConnect', accepted: readonly string[]): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once(ready, () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(accepted.some((prefix) => reply.startsWith(prefix)));
    });
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid as number, signal);
  return exited;
}

/** The RedisTarget a store takes, for URLs the test made (a problem is the test's bug: thrown). */
export function targetOf(urls: string, options: Omit<RedisTargetInput, 'urls'> = {}): RedisTarget {
  const result = parseRedisTarget({ urls, ...options });
  if (!result.ok) throw new Error(result.problem);
  return result.target;
}

export const REDIS_CLI = process.env.GATEHOUSE_TEST_REDIS_CLI ?? 'redis-cli';

/** `redis-cli -p PORT ARGS…` (redis-tools on Debian), its stdout trimmed; a failure throws with its stderr. */
export function redisCli(port: number, args: readonly string[], extra: readonly string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...extra, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', (error) => reject(new Error(`${REDIS_CLI} failed to start (${error.message}): install redis-tools`)));
    child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${REDIS_CLI} ${args.join(' ')} exited ${code}: ${err.trim() || out.trim()}`))));
  });
}
