// The function registry: one activator per function, created by gateway.ts and
// fed by a backend. The proxy pipeline only asks it for an activator by name.
import type { WakeSettings } from '../config/types.js';
import { FunctionActivator, type ActivatorDeps } from './activator.js';
import type { Endpoint, FunctionStatus } from './types.js';

export class FunctionRegistry {
  readonly #activators = new Map<string, FunctionActivator>();
  /** Kubernetes functions' namespaces, for /admin/functions (the local backend has none). */
  readonly #namespaces = new Map<string, string>();

  constructor(private readonly deps: ActivatorDeps) {}

  get(name: string): FunctionActivator | undefined {
    return this.#activators.get(name);
  }

  /** Create or update a function's settings; problems show in /admin/functions. */
  define(name: string, settings: WakeSettings, problems: readonly string[] = [], namespace?: string): FunctionActivator {
    if (namespace !== undefined) this.#namespaces.set(name, namespace);
    const existing = this.#activators.get(name);
    if (existing) {
      existing.updateSettings(settings, problems);
      return existing;
    }
    const activator = new FunctionActivator(name, settings, this.deps);
    if (problems.length > 0) activator.updateSettings(settings, problems);
    this.#activators.set(name, activator);
    return activator;
  }

  /** Forget a function; its held requests fail as unknown. */
  remove(name: string): void {
    const activator = this.#activators.get(name);
    if (!activator) return;
    activator.failHeld('unknown-function');
    this.#activators.delete(name);
    this.#namespaces.delete(name);
  }

  setEndpoints(name: string, endpoints: readonly Endpoint[]): void {
    this.#activators.get(name)?.setEndpoints(endpoints);
  }

  names(): string[] {
    return [...this.#activators.keys()].sort();
  }

  /** Each function's requests in flight to its endpoints (a metrics scrape: no status objects). */
  *inFlight(): IterableIterator<readonly [string, number]> {
    for (const [name, activator] of this.#activators) yield [name, activator.inFlight];
  }

  status(): FunctionStatus[] {
    return this.names().map((name) => {
      const status = (this.#activators.get(name) as FunctionActivator).status();
      const namespace = this.#namespaces.get(name);
      return namespace === undefined ? status : { ...status, namespace };
    });
  }

  /** Resolves once no function has anything held or in flight. */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.#activators.values()].map((activator) => activator.whenIdle()));
  }
}
