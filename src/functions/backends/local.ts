// The local backend (SPEC §5): functions from deploy/local/functions.yaml run as
// child processes on loopback, started on demand (never before the first
// request), stopped when idle, replaced when they crash.
import type http from 'node:http';
import type { GatewayConfig, LocalFunctionSpec } from '../../config/types.js';
import type { Logger } from '../../observability/logger.js';
import type { FunctionBackend } from '../backend.js';
import type { FunctionRegistry } from '../registry.js';
import { LocalInstance } from './local-instance.js';
import { sameLocalFunction } from './local-spec.js';
import { freeLoopbackPort } from './ports.js';

interface LocalFunction {
  spec: LocalFunctionSpec;
  readonly instances: Set<LocalInstance>;
  readonly ready: Set<LocalInstance>;
  idleSweep: NodeJS.Timeout | undefined;
}

export class LocalBackend implements FunctionBackend {
  readonly kind = 'local';
  /** Nothing to discover: functions are known from config. */
  readonly synced = true;
  readonly #functions = new Map<string, LocalFunction>();
  #nextInstance = 1;
  #stopped = false;

  constructor(
    private readonly registry: FunctionRegistry,
    private readonly logger: Logger,
    /** The proxy's upstream agent: readiness probes go through it (readiness.ts says why). */
    private readonly agent: http.Agent,
  ) {}

  async start(): Promise<void> {
    // Nothing to discover: functions are known from config and start at zero.
  }

  /**
   * SPEC §2: a reload that changes nothing a function depends on leaves its
   * instances, timers and state as they were. Restarting the idle sweep on every
   * reload kept instances alive forever under frequent reloads. A changed spec
   * applies to instances started from now on; running ones keep serving, and
   * idleness still counts from their last request, not from the reload.
   */
  applyConfig(config: GatewayConfig): void {
    for (const [name, spec] of config.functions) {
      const known = this.#functions.get(name);
      if (!known) {
        this.#functions.set(name, { spec, instances: new Set(), ready: new Set(), idleSweep: undefined });
        this.registry.define(name, spec);
        this.#scheduleIdleSweep(name);
        continue;
      }
      const previous = known.spec;
      known.spec = spec; // the same settings, maybe at another line of the file
      if (sameLocalFunction(previous, spec)) continue;
      this.registry.define(name, spec);
      if (previous.idleTimeoutMs !== spec.idleTimeoutMs) this.#scheduleIdleSweep(name);
    }
    for (const name of [...this.#functions.keys()]) {
      if (!config.functions.has(name)) void this.#removeFunction(name);
    }
  }

  async wake(name: string): Promise<'started' | 'at-limit'> {
    const fn = this.#functions.get(name);
    if (!fn || this.#stopped) throw new Error(`function ${name} cannot be woken`);
    if (fn.instances.size >= fn.spec.maxInstances) return 'at-limit';
    const port = await freeLoopbackPort();
    const instance = new LocalInstance(fn.spec, `${name}-${this.#nextInstance++}`, port, this.logger, this.agent);
    fn.instances.add(instance);
    this.logger.info({ function: name, instance: instance.id, port, pid: instance.pid }, 'waking function');
    void instance.exited.then(() => this.#onExit(name, fn, instance));
    try {
      await instance.waitReady(fn.spec.coldStartTimeoutMs);
    } catch (error) {
      await instance.stop();
      throw error;
    }
    if (instance.hasExited || this.#stopped) throw new Error(`function ${name} exited while waking`);
    fn.ready.add(instance);
    this.#publish(name, fn);
    return 'started';
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const stops: Promise<void>[] = [];
    for (const fn of this.#functions.values()) {
      clearInterval(fn.idleSweep);
      for (const instance of fn.instances) stops.push(instance.stop());
    }
    await Promise.all(stops);
  }

  /** Synchronous last resort for process exit. */
  killAll(): void {
    for (const fn of this.#functions.values()) for (const instance of fn.instances) instance.killNow();
  }

  #publish(name: string, fn: LocalFunction): void {
    this.registry.setEndpoints(name, [...fn.ready].map((instance) => instance.endpoint));
  }

  #onExit(name: string, fn: LocalFunction, instance: LocalInstance): void {
    fn.instances.delete(instance);
    if (fn.ready.delete(instance)) {
      if (!this.#stopped) this.logger.warn({ function: name, instance: instance.id }, 'function instance went away; the next request wakes a new one');
      this.#publish(name, fn);
    }
  }

  #scheduleIdleSweep(name: string): void {
    const fn = this.#functions.get(name);
    if (!fn) return;
    clearInterval(fn.idleSweep);
    fn.idleSweep = undefined;
    const idleMs = fn.spec.idleTimeoutMs;
    if (idleMs === null) return;
    const every = Math.min(5000, Math.max(25, Math.floor(idleMs / 4)));
    fn.idleSweep = setInterval(() => this.#stopIdle(name, fn), every);
    fn.idleSweep.unref();
  }

  /** Stop instances with nothing in flight for idleMs. Removed from endpoints first, so
   * no request can pick one between the check and the stop (both run in this tick). */
  #stopIdle(name: string, fn: LocalFunction): void {
    const activator = this.registry.get(name);
    const idleMs = fn.spec.idleTimeoutMs;
    if (!activator || idleMs === null) return;
    const now = performance.now();
    let changed = false;
    for (const instance of fn.ready) {
      const since = activator.idleSince(instance.id);
      if (since === null || now - since < idleMs) continue;
      fn.ready.delete(instance);
      fn.instances.delete(instance); // on its way out: it no longer counts toward maxInstances
      changed = true;
      this.logger.info({ function: name, instance: instance.id }, 'stopping idle function instance');
      void instance.stop();
    }
    if (changed) this.#publish(name, fn);
  }

  async #removeFunction(name: string): Promise<void> {
    const fn = this.#functions.get(name);
    if (!fn) return;
    this.#functions.delete(name);
    clearInterval(fn.idleSweep);
    this.registry.remove(name);
    await Promise.all([...fn.instances].map((instance) => instance.stop()));
  }
}
