// The Kubernetes backend (SPEC §5): a function is a Service; its endpoints come
// from EndpointSlice informers (never a poll per request); it wakes through the
// scale subresource (or a hook) and sleeps when every replica agrees it is idle.
// It feeds the same registry and activator as the local backend.
import type http from 'node:http';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { GatewayConfig } from '../../../config/types.js';
import type { Logger } from '../../../observability/logger.js';
import type { FunctionBackend } from '../../backend.js';
import type { FunctionRegistry } from '../../registry.js';
import type { Endpoint } from '../../types.js';
import { functionFromService, type ServiceFunction } from './annotations.js';
import { connect, type KubeClient } from './client.js';
import { endpointsOf, serviceOf } from './endpoints.js';
import { IdleKeeper } from './idle.js';
import { ReadinessGate } from './readiness-gate.js';
import { Scaler } from './scaler.js';
import { watchCollection, type WatchedCollection } from './watched.js';

interface KnownFunction {
  spec: ServiceFunction;
  readonly gate: ReadinessGate;
  readonly idle: IdleKeeper;
}

export interface KubernetesOptions {
  readonly kubeconfig: string | undefined;
  readonly namespace: string | undefined;
}

export class KubernetesBackend implements FunctionBackend {
  readonly kind = 'kubernetes';
  readonly #client: KubeClient;
  readonly #scaler: Scaler;
  readonly #functions = new Map<string, KnownFunction>();
  #services: WatchedCollection<V1Service> | null = null;
  #slices: WatchedCollection<V1EndpointSlice> | null = null;
  #synced = false;
  #stopped = false;

  constructor(
    options: KubernetesOptions,
    private readonly registry: FunctionRegistry,
    private readonly logger: Logger,
    /** The proxy's upstream agent, for readiness-path probes (readiness.ts says why). */
    private readonly agent: http.Agent,
  ) {
    this.#client = connect(options.kubeconfig, options.namespace);
    this.#scaler = new Scaler(this.#client, logger);
  }

  get namespace(): string {
    return this.#client.namespace;
  }

  get synced(): boolean {
    return this.#synced;
  }

  async start(): Promise<void> {
    const { config, namespace, core, discovery } = this.#client;
    this.#services = watchCollection<V1Service>(
      config,
      `/api/v1/namespaces/${namespace}/services`,
      () => core.listNamespacedService({ namespace }),
      (service) => this.#serviceChanged(service.metadata?.name),
      this.logger,
    );
    this.#slices = watchCollection<V1EndpointSlice>(
      config,
      `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
      () => discovery.listNamespacedEndpointSlice({ namespace }),
      (slice) => this.#publish(serviceOf(slice)),
      this.logger,
    );
    // Listeners start meanwhile; /readyz says 503 until both collections are synced.
    void Promise.all([this.#services.synced, this.#slices.synced]).then(() => {
      this.#synced = true;
      for (const service of this.#services?.list() ?? []) this.#serviceChanged(service.metadata?.name);
      this.logger.info({ namespace, functions: this.#functions.size }, 'Kubernetes backend synced');
    });
  }

  applyConfig(_config: GatewayConfig): void {
    // Functions come from the cluster, not from config.
  }

  async wake(name: string): Promise<'started' | 'at-limit'> {
    const fn = this.#functions.get(name);
    if (!fn || this.#stopped) throw new Error(`function ${name} is not a Service in namespace ${this.namespace}`);
    // Busy pods (concurrency) are the autoscaler's business: nothing to wake.
    if ((this.registry.get(name)?.endpoints.length ?? 0) > 0) return 'at-limit';
    // The held requests wait on the readiness probes: each gets a fresh cold-start
    // window. A pod Ready all along whose probe gave up would never be probed again
    // (the watch may never say anything new about it), so the next wake would time out.
    fn.gate.stop();
    this.#admit(name, fn);
    await this.#scaler.wake(name, fn.spec, Date.now() + fn.spec.settings.coldStartTimeoutMs);
    return 'started';
  }

  noteActivity(name: string): void {
    this.#functions.get(name)?.idle.noteActivity();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const fn of this.#functions.values()) {
      fn.gate.stop();
      fn.idle.stop();
    }
    await Promise.all([this.#services?.stop(), this.#slices?.stop()]);
  }

  #serviceChanged(name: string | undefined): void {
    if (!name) return;
    const service = this.#services?.list().find((s) => s.metadata?.name === name);
    if (!service) return this.#forget(name);
    const spec = functionFromService(name, service.metadata?.annotations);
    for (const problem of spec.problems) this.logger.warn({ function: name, problem }, 'bad gatehouse.io annotation; using the default');
    const known = this.#functions.get(name);
    if (known) known.spec = spec;
    else {
      const idle = new IdleKeeper(name, () => this.#functions.get(name)?.spec ?? null, () => this.registry.get(name), this.#scaler, this.logger);
      this.#functions.set(name, { spec, gate: new ReadinessGate(() => this.#publish(name), this.agent), idle });
    }
    this.registry.define(name, spec.settings, spec.problems);
    this.#functions.get(name)?.idle.reschedule();
    this.#publish(name);
  }

  /** Recompute a function's endpoints from every slice of its Service. */
  #publish(name: string | undefined): void {
    const fn = name === undefined ? undefined : this.#functions.get(name);
    if (!fn || name === undefined) return;
    this.registry.setEndpoints(name, this.#admit(name, fn));
  }

  /** The endpoints of its slices that passed the readiness gate; probes the others. */
  #admit(name: string, fn: KnownFunction): Endpoint[] {
    const slices = (this.#slices?.list() ?? []).filter((slice) => serviceOf(slice) === name);
    return fn.gate.admit(endpointsOf(slices), fn.spec.readinessPath, fn.spec.settings.coldStartTimeoutMs);
  }

  #forget(name: string): void {
    const fn = this.#functions.get(name);
    if (!fn) return;
    fn.gate.stop();
    fn.idle.stop();
    this.#functions.delete(name);
    this.registry.remove(name);
  }
}
