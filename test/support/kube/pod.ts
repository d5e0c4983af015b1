// One simulated pod: a real process listening on its own loopback address
// (127.0.1.x — all of 127.0.0.0/8 is loopback on Linux, no setup needed) and
// the Deployment's port, with a readiness that is either a fixed delay after
// start (so "Ready" can come before the app answers, as it can in a cluster)
// or an HTTP probe like a kubelet readinessProbe.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Readiness =
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'probe'; readonly path?: string; readonly intervalMs?: number };

export interface PodTemplate {
  /** argv of the "container" (default: node test/support/functions/test-function.mjs). It gets HOST and PORT. */
  readonly command?: readonly string[];
  readonly cwd?: string;
  /** Added to the test runner's environment (e.g. READY_DELAY_MS). */
  readonly env?: Readonly<Record<string, string>>;
  /** Default: probe GET /healthz every 50 ms until a 2xx. */
  readonly readiness?: Readiness;
}

export type PodPhase = 'starting' | 'ready' | 'terminating' | 'exited';

export interface PodView {
  readonly name: string;
  readonly uid: string;
  readonly namespace: string;
  readonly deployment: string;
  readonly address: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly phase: PodPhase;
  /** Whether it was ready when it began terminating (EndpointSlice `serving`). */
  readonly serving: boolean;
  readonly startedAt: number;
  readonly exit: { readonly code: number | null; readonly signal: NodeJS.Signals | null } | undefined;
}

// The source tree's test function: build/test/support/kube → test/support/functions.
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const TEST_FUNCTION = path.resolve(HERE, '../../../../test/support/functions/test-function.mjs');
const OUTPUT_LIMIT = 64 * 1024;

let nextAddress = 0;
/** 127.0.1.1, 127.0.1.2, … 127.0.1.254, 127.0.2.1, …: distinct per pod within this test process. */
export function allocateAddress(): string {
  const n = nextAddress++;
  return `127.0.${1 + (Math.floor(n / 254) % 254)}.${1 + (n % 254)}`;
}

/** Resolves with `port` if it is free on `address` (or any free port when `port` is 0), else undefined. */
export function probePort(address: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, address, () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}

export class Pod {
  readonly name: string;
  readonly uid: string;
  readonly namespace: string;
  readonly deployment: string;
  readonly address: string;
  readonly port: number;
  readonly startedAt = Date.now();
  readonly exited: Promise<void>;
  #phase: PodPhase = 'starting';
  #serving = false;
  #exit: PodView['exit'];
  #output = '';
  readonly #child: ChildProcess;
  #timer: NodeJS.Timeout | undefined;
  #terminating = false;
  readonly #onChange: (pod: Pod) => void;

  /** `onChange` hears phase changes, `onOutput` each chunk of stdout/stderr. */
  constructor(init: { name: string; uid: string; namespace: string; deployment: string; address: string; port: number }, template: PodTemplate, onChange: (pod: Pod) => void, onOutput: () => void) {
    this.#onChange = onChange;
    ({ name: this.name, uid: this.uid, namespace: this.namespace, deployment: this.deployment, address: this.address, port: this.port } = init);
    const [command = process.execPath, ...args] = template.command ?? [process.execPath, TEST_FUNCTION];
    this.#child = spawn(command, args, {
      cwd: template.cwd,
      env: { ...process.env, ...template.env, HOST: this.address, PORT: String(this.port), POD_NAME: this.name, POD_NAMESPACE: this.namespace, POD_IP: this.address },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString()).slice(-OUTPUT_LIMIT);
      onOutput();
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.#exit) return;
        clearTimeout(this.#timer);
        this.#exit = { code, signal };
        this.#phase = 'exited';
        this.#onChange(this);
        resolve();
      };
      this.#child.once('exit', finish);
      this.#child.once('error', (error) => { keep(Buffer.from(`spawn failed: ${error.message}\n`)); finish(null, null); });
    });
    this.#watchReadiness(template.readiness ?? { kind: 'probe' });
  }

  get phase(): PodPhase { return this.#phase; }
  get pid(): number | undefined { return this.#child.pid; }
  get output(): string { return this.#output; }

  view(): PodView {
    const { name, uid, namespace, deployment, address, port, startedAt } = this;
    return { name, uid, namespace, deployment, address, port, pid: this.pid, phase: this.#phase, serving: this.#serving, startedAt, exit: this.#exit };
  }

  /** The first step of a graceful deletion: listed terminating; no signal yet. */
  markTerminating(): void {
    if (this.#phase !== 'starting' && this.#phase !== 'ready') return;
    this.#serving = this.#phase === 'ready';
    this.#phase = 'terminating';
    clearTimeout(this.#timer);
    this.#onChange(this);
  }

  /** Graceful deletion: terminating, SIGTERM, SIGKILL after `graceMs`; resolves at exit. */
  terminate(graceMs: number): Promise<void> {
    if (this.#phase === 'exited' || this.#terminating) return this.exited;
    this.markTerminating();
    this.#terminating = true;
    this.#signal('SIGTERM');
    this.#timer = setTimeout(() => this.#signal('SIGKILL'), graceMs);
    return this.exited;
  }

  /** The process dies without warning (a crash, an OOM kill); resolves at exit. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.#signal(signal);
    return this.exited;
  }

  #signal(signal: NodeJS.Signals): void {
    // By PID, and only our own child: never anything matched by name.
    if (this.#exit === undefined && this.#child.pid !== undefined) this.#child.kill(signal);
  }

  #watchReadiness(readiness: Readiness): void {
    const becomeReady = (): void => {
      if (this.#phase !== 'starting') return;
      this.#phase = 'ready';
      this.#onChange(this);
    };
    if (readiness.kind === 'delay') {
      this.#timer = setTimeout(becomeReady, readiness.ms);
      return;
    }
    const every = readiness.intervalMs ?? 50;
    const probe = (): void => {
      if (this.#phase !== 'starting') return;
      const req = http.get({ host: this.address, port: this.port, path: readiness.path ?? '/healthz', agent: false, timeout: 1000 }, (res) => {
        res.resume();
        if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) becomeReady();
        else this.#timer = setTimeout(probe, every);
      });
      req.once('timeout', () => req.destroy());
      req.once('error', () => { this.#timer = setTimeout(probe, every); });
    };
    this.#timer = setTimeout(probe, 0);
  }
}
