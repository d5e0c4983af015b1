// wrk, the load generator: found on PATH or installed (Debian's `wrk`, as root
// with apt-get), and run pinned to the load core with a small Lua `done` script
// that prints the summary and the latency percentiles (µs) as one JSON line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnPinned } from './processes.js';

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/**
 * wrk on PATH, else installed with apt-get when this runs as root; else stop
 * with one line saying how to install it.
 */
export function ensureWrk(): void {
  if (onPath('wrk')) return;
  const root = process.getuid?.() === 0;
  if (!root || !onPath('apt-get')) {
    process.stderr.write('the proxy bench needs wrk: install it with `apt-get install wrk` (Debian, Ubuntu) or `brew install wrk` (macOS), then run it again\n');
    process.exit(1);
  }
  process.stderr.write('wrk is not installed: installing the Debian package wrk (apt-get install -y wrk)\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): boolean => spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { env, stdio: 'ignore' }).status === 0;
  // An image without package lists has to fetch them first.
  if (!install() && (spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' }).status !== 0 || !install())) {
    process.stderr.write('apt-get could not install wrk: install it by hand (`apt-get install wrk`), then run the bench again\n');
    process.exit(1);
  }
  if (!onPath('wrk')) {
    process.stderr.write('wrk is still not on PATH after apt-get install wrk\n');
    process.exit(1);
  }
}

export function wrkVersion(): string {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return (`${out.stdout}${out.stderr}`.split('\n')[0] ?? '').replace(/\s+Copyright.*$/, '').trim();
}

const DONE_SCRIPT = `-- The proxy bench's report: one JSON line, latencies in microseconds.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
`;

export interface WrkResult {
  readonly requests: number;
  readonly durationUs: number;
  readonly requestsPerSecond: number;
  /** Responses with a status ≥ 400 (wrk's "Non-2xx or 3xx responses"). */
  readonly statusErrors: number;
  /** Connect, read and write errors and timeouts. */
  readonly socketErrors: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

export interface WrkRun {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly seconds: number;
  readonly core: string;
}

export class Wrk {
  readonly #dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-wrk-'));
  readonly #script = path.join(this.#dir, 'report.lua');

  constructor() {
    writeFileSync(this.#script, DONE_SCRIPT);
  }

  /** One wrk run: one thread, `connections` keep-alive connections, for `seconds`. */
  run(options: WrkRun): Promise<WrkResult> {
    const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '5s', '-s', this.#script];
    for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}: ${value}`);
    args.push(options.url);
    const child = spawnPinned(options.core, 'wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
        if (code !== 0 || line === undefined) return reject(new Error(`wrk ${args.join(' ')} failed (${code ?? signal}):\n${out}`));
        const r = JSON.parse(line.slice('WRK_JSON '.length)) as Record<string, number>;
        const n = (key: string): number => r[key] as number;
        resolve({
          requests: n('requests'),
          durationUs: n('durationUs'),
          requestsPerSecond: n('requests') / (n('durationUs') / 1e6),
          statusErrors: n('statusErrors'),
          socketErrors: n('connectErrors') + n('readErrors') + n('writeErrors') + n('timeouts'),
          p50Us: n('p50'),
          p90Us: n('p90'),
          p99Us: n('p99'),
          maxUs: n('max'),
        });
      });
    });
  }

  dispose(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
