// The real gateway as a child process (`node dist/cli.js serve`) on port 0:
// what a user runs. Waits for the `{"event":"listening"}` line, keeps the logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { ConfigDir } from './config-dir.js';

export interface GatewayProcess {
  readonly port: number;
  readonly adminPort: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Every stdout line parsed as JSON (log lines and the listening line). */
  readonly logs: Array<Record<string, unknown>>;
  /** Everything written to stderr so far. */
  stderrText(): string;
  url(pathAndQuery: string): string;
  adminUrl(pathAndQuery: string): string;
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Send a signal and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** `pinToCore`: run the gateway under `taskset -c CORE` (benchmarks). */
export async function startGatewayProcess(config: ConfigDir, extraArgs: string[] = [], env: Record<string, string> = {}, options: { pinToCore?: string } = {}): Promise<GatewayProcess> {
  const pin = options.pinToCore === undefined ? [] : ['-c', options.pinToCore, process.execPath];
  const child = spawn(
    pin.length > 0 ? 'taskset' : process.execPath,
    [
      ...pin,
      path.resolve('dist/cli.js'),
      'serve',
      '--port=0',
      '--admin-port=0',
      '--host=127.0.0.1',
      `--routes=${config.routesDir}`,
      `--policies=${config.policiesDir}`,
      `--functions=${config.functionsFile}`,
      '--log-level=info',
      ...extraArgs,
    ],
    { env: { ...process.env, GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: Array<Record<string, unknown>> = [];
  const waiters = new Set<{ predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }>();
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { text };
    }
    logs.push(line);
    for (const waiter of waiters) {
      if (waiter.predicate(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const waitForLog = (predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> => {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve: (line: Record<string, unknown>) => (clearTimeout(timer), resolve(line)) };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr.join('')}`));
      }, timeoutMs);
      waiters.add(waiter);
      void exited.then(() => {
        if (!waiters.has(waiter)) return;
        waiters.delete(waiter);
        clearTimeout(timer);
        reject(new Error(`gateway exited; stderr: ${stderr.join('')}`));
      });
    });
  };

  const listening = await waitForLog((line) => line.event === 'listening');
  const port = listening.port as number;
  const adminPort = listening.adminPort as number;
  return {
    port,
    adminPort,
    pid: child.pid as number,
    child,
    logs,
    stderrText: () => stderr.join(''),
    url: (p) => `http://127.0.0.1:${port}${p}`,
    adminUrl: (p) => `http://127.0.0.1:${adminPort}${p}`,
    waitForLog,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** A gateway that owns its config dir: stop() sends SIGTERM, asserts exit 0 and removes the dir. */
export interface OwnedGateway {
  readonly process: GatewayProcess;
  readonly config: ConfigDir;
  url(pathAndQuery: string): string;
  stop(): Promise<void>;
}

export async function startOwnedGateway(config: ConfigDir, args: string[], env?: Record<string, string>): Promise<OwnedGateway> {
  let process: GatewayProcess;
  try {
    process = await startGatewayProcess(config, args, env);
  } catch (error) {
    config.remove();
    throw error;
  }
  return {
    process,
    config,
    url: (p) => process.url(p),
    async stop() {
      const code = await process.stop('SIGTERM');
      config.remove();
      assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
    },
  };
}
