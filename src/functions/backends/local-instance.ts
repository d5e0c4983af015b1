// One child process running a function on loopback (SPEC §5, local backend). It
// gets HOST and a free PORT, is ready when GET readinessPath answers 2xx, and
// its stdout/stderr go to the gateway log tagged with the function's name.
import { spawn, type ChildProcess } from 'node:child_process';
import type http from 'node:http';
import { createInterface } from 'node:readline';
import type { LocalFunctionSpec } from '../../config/types.js';
import type { Logger } from '../../observability/logger.js';
import type { Endpoint } from '../types.js';
import { ReadinessProbe } from './readiness.js';

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 5000;

export class LocalInstance {
  readonly endpoint: Endpoint;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #exitCode: number | null | undefined = undefined;
  /** While waiting to be ready: output nudges it (most servers print a line once they listen). */
  #probe: ReadinessProbe | null = null;

  constructor(
    readonly spec: LocalFunctionSpec,
    readonly id: string,
    port: number,
    private readonly logger: Logger,
    private readonly agent: http.Agent,
  ) {
    this.endpoint = Object.freeze({ id, host: HOST, port, origin: `http://${HOST}:${port}` });
    const [command, ...args] = spec.command as [string, ...string[]];
    this.#child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env, HOST, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exitCode = code;
        this.logger.info({ function: spec.name, instance: id, code, signal }, 'function instance exited');
        resolve();
      });
      // spawn failures (ENOENT, EACCES) arrive as 'error' without 'exit'.
      this.#child.once('error', (error) => {
        this.#exitCode = null;
        this.logger.error({ function: spec.name, instance: id, err: error.message }, 'function instance failed to start');
        resolve();
      });
    });
    this.#forwardOutput('stdout');
    this.#forwardOutput('stderr');
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get hasExited(): boolean {
    return this.#exitCode !== undefined;
  }

  /** Resolves when the process has exited (or never started). */
  get exited(): Promise<void> {
    return this.#exited;
  }

  /** Ready within `timeoutMs`, or rejects (then the caller stops the instance). */
  async waitReady(timeoutMs: number): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    void this.#exited.then(() => controller.abort(new Error('exited before it was ready')));
    const probe = new ReadinessProbe({ host: HOST, port: this.endpoint.port, path: this.spec.readinessPath }, { agent: this.agent });
    this.#probe = probe;
    try {
      await probe.wait(controller.signal);
    } finally {
      this.#probe = null;
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL after a grace period. */
  async stop(): Promise<void> {
    if (this.hasExited) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Last resort when the gateway itself exits: no orphaned functions. */
  killNow(): void {
    if (!this.hasExited) this.#child.kill('SIGKILL');
  }

  #forwardOutput(stream: 'stdout' | 'stderr'): void {
    const source = this.#child[stream];
    if (!source) return;
    const level = stream === 'stdout' ? 'info' : 'warn';
    const fields = { function: this.spec.name, instance: this.id, stream };
    // Any output, even without a newline, may mean "listening": probe now rather than
    // at the next scheduled probe (~6% of the start time away, probe-schedule.ts).
    source.on('data', () => this.#probe?.nudge());
    createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => this.logger[level](fields, line));
  }
}
