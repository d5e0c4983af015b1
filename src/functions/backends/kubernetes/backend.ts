// The Kubernetes backend (SPEC §5): a function is a Service; its endpoints come
// from EndpointSlice informers (never a poll per request); it wakes through the
// scale subresource (or a hook) and sleeps when every replica agrees it is idle.
// It feeds the same registry and activator as the local backend.
//
// Namespaces: one informer pair (Services + EndpointSlices) per listed namespace,
// or one cluster-wide pair for `*`. A function's registry name (what routes,
// /admin/functions and the metrics label `function` say) is the bare Service name
// in the first listed namespace, so a single-namespace gateway is unchanged, and
// NAMESPACE/NAME elsewhere; with `*` the "first" is the kubeconfig context's.
import type http from 'node:http';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { qualifiedName, type NamespaceScope } from '../../../config/function-namespaces.js';
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
  readonly namespace: string;
  /** The Service's own name (the wake hook and the logs say it with `namespace`). */
  readonly service: string;
  spec: ServiceFunction;
  readonly gate: ReadinessGate;
  readonly idle: IdleKeeper;
}

/** A slice is filed under its namespace and the Service it belongs to. */
const serviceKey = (namespace: string, service: string): string => `${namespace}/${service}`;
function sliceGroup(slice: V1EndpointSlice): string | undefined {
  const namespace = slice.metadata?.namespace;
  const service = serviceOf(slice);
  return namespace && service ? serviceKey(namespace, service) : undefined;
}

/** Services and slices of one namespace, or of all of them. */
interface Watch {
  readonly services: WatchedCollection<V1Service>;
  readonly slices: WatchedCollection<V1EndpointSlice>;
}

export interface KubernetesOptions {
  readonly kubeconfig: string | undefined;
  /** No names: the kubeconfig context's namespace, else `default`. */
  readonly namespaces: NamespaceScope;
}

export class KubernetesBackend implements FunctionBackend {
  readonly kind = 'kubernetes';
  readonly #client: KubeClient;
  readonly #scaler: Scaler;
  readonly #scope: NamespaceScope;
  /** The namespace whose functions have bare names. */
  readonly #home: string;
  /** By registry name. */
  readonly #functions = new Map<string, KnownFunction>();
  readonly #watches: Watch[] = [];
  #synced = false;
  #stopped = false;

  constructor(
    options: KubernetesOptions,
    private readonly registry: FunctionRegistry,
    private readonly logger: Logger,
    /** The proxy's upstream agent, for readiness-path probes (readiness.ts says why). */
    private readonly agent: http.Agent,
  ) {
    this.#client = connect(options.kubeconfig);
    this.#scaler = new Scaler(this.#client, logger);
    const listed = options.namespaces.kind === 'list' ? options.namespaces.names : [];
    this.#scope = options.namespaces.kind === 'all' || listed.length > 0 ? options.namespaces : { kind: 'list', names: [this.#client.contextNamespace] };
    this.#home = listed[0] ?? this.#client.contextNamespace;
  }

  /** The first listed namespace: bare function names are its Services. */
  get namespace(): string {
    return this.#home;
  }

  get synced(): boolean {
    return this.#synced;
  }

  async start(): Promise<void> {
    const { config, core, discovery } = this.#client;
    const onService = (service: V1Service): void => this.#serviceChanged(service.metadata?.namespace, service.metadata?.name);
    const onSlice = (slice: V1EndpointSlice): void => this.#publishService(slice.metadata?.namespace, serviceOf(slice));
    const watch = (servicesPath: string, listServices: () => ReturnType<typeof core.listNamespacedService>, slicesPath: string, listSlices: () => ReturnType<typeof discovery.listNamespacedEndpointSlice>): Watch => ({
      services: watchCollection<V1Service>(config, servicesPath, listServices, onService, this.logger),
      slices: watchCollection<V1EndpointSlice>(config, slicesPath, listSlices, onSlice, this.logger, sliceGroup),
    });
    if (this.#scope.kind === 'all') {
      this.#watches.push(watch('/api/v1/services', () => core.listServiceForAllNamespaces(), '/apis/discovery.k8s.io/v1/endpointslices', () => discovery.listEndpointSliceForAllNamespaces()));
    } else {
      for (const namespace of this.#scope.names) {
        this.#watches.push(watch(
          `/api/v1/namespaces/${namespace}/services`, () => core.listNamespacedService({ namespace }),
          `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, () => discovery.listNamespacedEndpointSlice({ namespace }),
        ));
      }
    }
    // Listeners start meanwhile; /readyz says 503 until every collection is synced.
    void Promise.all(this.#watches.flatMap((w) => [w.services.synced, w.slices.synced])).then(() => {
      this.#synced = true;
      for (const service of this.#watches.flatMap((w) => w.services.list())) this.#serviceChanged(service.metadata?.namespace, service.metadata?.name);
      const namespaces = this.#scope.kind === 'all' ? '*' : this.#scope.names.join(',');
      this.logger.info({ namespaces, functions: this.#functions.size }, 'Kubernetes backend synced');
    });
  }

  /**
   * Functions come from the cluster, not from config. But a reload may point a route
   * elsewhere (another namespace): requests held for a function no route names any
   * more would wait out their cold-start timeout for nothing, so they get their 503 now.
   */
  applyConfig(config: GatewayConfig): void {
    const routed = new Set(config.routes.flatMap((route) => (route.target.kind === 'function' ? [route.target.name] : [])));
    for (const name of this.#functions.keys()) if (!routed.has(name)) this.registry.get(name)?.failHeld('unknown-function');
  }

  async wake(name: string): Promise<'started' | 'at-limit'> {
    const fn = this.#functions.get(name);
    if (!fn || this.#stopped) throw new Error(`function ${name} is not a Service in a watched namespace`);
    // Busy pods (concurrency) are the autoscaler's business: nothing to wake.
    if ((this.registry.get(name)?.endpoints.length ?? 0) > 0) return 'at-limit';
    // The held requests wait on the readiness probes: each gets a fresh cold-start
    // window. A pod Ready all along whose probe gave up would never be probed again
    // (the watch may never say anything new about it), so the next wake would time out.
    fn.gate.stop();
    this.#admit(fn);
    await this.#scaler.wake(fn.namespace, fn.service, fn.spec, Date.now() + fn.spec.settings.coldStartTimeoutMs);
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
    await Promise.all(this.#watches.flatMap((w) => [w.services.stop(), w.slices.stop()]));
  }

  #serviceChanged(namespace: string | undefined, service: string | undefined): void {
    if (!namespace || !service) return;
    const name = qualifiedName(namespace, service, this.#home);
    const object = this.#watches.map((w) => w.services.get(service, namespace)).find((found) => found !== undefined);
    if (!object) return this.#forget(name);
    const spec = functionFromService(service, object.metadata?.annotations);
    for (const problem of spec.problems) this.logger.warn({ function: name, problem }, 'bad gatehouse.io annotation; using the default');
    const known = this.#functions.get(name);
    if (known) known.spec = spec;
    else {
      const idle = new IdleKeeper(namespace, name, () => this.#functions.get(name)?.spec ?? null, () => this.registry.get(name), this.#scaler, this.logger);
      this.#functions.set(name, { namespace, service, spec, gate: new ReadinessGate(() => this.#publish(name), this.agent), idle });
    }
    this.registry.define(name, spec.settings, spec.problems, namespace);
    this.#functions.get(name)?.idle.reschedule();
    this.#publish(name);
  }

  #publishService(namespace: string | undefined, service: string | undefined): void {
    if (namespace && service) this.#publish(qualifiedName(namespace, service, this.#home));
  }

  /** Recompute a function's endpoints from every slice of its Service. */
  #publish(name: string): void {
    const fn = this.#functions.get(name);
    if (fn) this.registry.setEndpoints(name, this.#admit(fn));
  }

  /** The endpoints of its slices that passed the readiness gate; probes the others. */
  #admit(fn: KnownFunction): Endpoint[] {
    const slices = this.#watches.flatMap((w) => w.slices.group(serviceKey(fn.namespace, fn.service)));
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
