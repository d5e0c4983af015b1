// A simulated kubelet + ReplicaSet + EndpointSlice controller for the fake
// cluster: it follows the store (in process, not over HTTP, so the request log
// holds only the client's traffic), runs a Deployment's spec.replicas as real
// processes (pod.ts), and keeps the EndpointSlice labelled
// kubernetes.io/service-name=SERVICE current for every Service whose selector
// matches the pods' labels: a new pod is listed not ready, then ready; a pod
// scaled away is first listed terminating (serving if it was ready), gets
// SIGTERM, and leaves the slice when its process has exited; a crashed pod
// leaves at once and is replaced. Deployment status follows.
import { EventEmitter } from 'node:events';
import { createHash, randomUUID } from 'node:crypto';
import { awaitChange } from './await-change.js';
import { endpointSlice, type EndpointState } from './objects.js';
import { allocateAddress, Pod, probePort, type PodTemplate, type PodView } from './pod.js';
import { isRecord, type KubeObject } from './resources.js';
import type { ObjectStore, StoreEvent } from './store.js';

export type { PodTemplate, PodView, Readiness } from './pod.js';

export interface KubeletOptions extends PodTemplate {
  /** SIGTERM → SIGKILL (terminationGracePeriodSeconds; default 5000 ms). */
  readonly terminationGraceMs?: number;
  /** Start a new pod when one exits on its own, as a ReplicaSet does (default true). */
  readonly replaceExited?: boolean;
}

export interface PodFilter {
  readonly namespace?: string;
  readonly deployment?: string;
  /** Include pods whose process has exited (default false). */
  readonly includeExited?: boolean;
}

const specOf = (object: KubeObject | undefined): Record<string, unknown> => (object && isRecord(object.spec) ? object.spec : {});
const podLabels = (deployment: KubeObject | undefined): Record<string, string> => {
  const template = specOf(deployment).template;
  const labels = isRecord(template) && isRecord(template.metadata) ? template.metadata.labels : undefined;
  return isRecord(labels) ? (labels as Record<string, string>) : {};
};
const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 9);

export class Kubelet {
  readonly #store: ObjectStore;
  readonly #options: KubeletOptions;
  readonly #templates = new Map<string, PodTemplate>();
  readonly #ports = new Map<string, number>();
  readonly #pods = new Map<string, Pod>();
  readonly #changes = new EventEmitter().setMaxListeners(0);
  readonly #unsubscribe: () => void;
  readonly #slicesPending = new Set<string>();
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;
  #lastError: unknown;

  constructor(store: ObjectStore, options: KubeletOptions = {}) {
    this.#store = store;
    this.#options = options;
    this.#unsubscribe = store.subscribe((event) => this.#onEvent(event));
    for (const existing of store.list('deployments')) this.#schedule(existing.metadata.namespace ?? '', existing.metadata.name ?? '');
    for (const existing of store.list('services')) this.#scheduleSlices(existing.metadata.namespace ?? '');
  }

  /** Per-Deployment command, env, cwd or readiness, for the pods started from now on. */
  configure(namespace: string, deployment: string, template: PodTemplate): void {
    this.#templates.set(`${namespace}/${deployment}`, template);
  }

  pods(filter: PodFilter = {}): PodView[] {
    return [...this.#pods.values()]
      .filter((pod) => (filter.includeExited || pod.phase !== 'exited') && (filter.namespace === undefined || pod.namespace === filter.namespace) && (filter.deployment === undefined || pod.deployment === filter.deployment))
      .map((pod) => pod.view());
  }

  /** The pod's stdout and stderr (the last 64 KiB). */
  output(name: string): string {
    return this.#pods.get(name)?.output ?? '';
  }

  /** Resolves with the pods once `predicate` holds for them, re-checked on every pod change and output. */
  waitForPods(what: string, filter: PodFilter, predicate: (pods: PodView[]) => boolean, timeoutMs = 15_000): Promise<PodView[]> {
    return awaitChange(this.#changes, 'change', what, () => {
      if (this.#lastError !== undefined) throw this.#lastError;
      const pods = this.pods(filter);
      return predicate(pods) ? pods : undefined;
    }, timeoutMs);
  }

  /** The pod's process dies abruptly (SIGKILL by default): it is still listed ready until its exit is seen. */
  killPod(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.#pod(name).kill(signal);
  }

  /** Graceful deletion (kubectl delete pod): terminating, SIGTERM, removed at exit; the ReplicaSet replaces it. */
  async deletePod(name: string): Promise<void> {
    const pod = this.#pod(name);
    await pod.terminate(this.#options.terminationGraceMs ?? 5000);
    this.#schedule(pod.namespace, pod.deployment);
  }

  /** Stops following the store and terminates every pod (SIGTERM, then SIGKILL after the grace period). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe();
    await this.#queue; // a step in flight starts no pod once stopped
    const grace = this.#options.terminationGraceMs ?? 5000;
    await Promise.all([...this.#pods.values()].map((pod) => pod.terminate(grace)));
  }

  #pod(name: string): Pod {
    const pod = this.#pods.get(name);
    if (!pod) throw new Error(`no pod named ${name}`);
    return pod;
  }

  #onEvent(event: StoreEvent): void {
    const namespace = event.object.metadata.namespace ?? '';
    if (event.resource === 'deployments') this.#schedule(namespace, event.object.metadata.name ?? '');
    if (event.resource === 'services') this.#scheduleSlices(namespace);
    // The slice is owned by its Service: garbage-collected with it.
    if (event.resource === 'services' && event.type === 'DELETED') {
      const slice = this.#sliceName(event.object.metadata.name ?? '');
      this.#enqueue(() => void (this.#store.get('endpointslices', namespace, slice) && this.#store.delete('endpointslices', namespace, slice)));
    }
  }

  #sliceName(service: string): string {
    return `${service}-${shortHash(service).slice(0, 5)}`;
  }

  /** All work runs one step at a time, never inside a store write (watch order stays intact). */
  #enqueue(step: () => Promise<void> | void): void {
    this.#queue = this.#queue.then(async () => {
      if (!this.#stopped) await step();
    }).catch((error: unknown) => {
      this.#lastError = error;
      this.#changes.emit('change');
    });
  }

  #schedule(namespace: string, name: string): void {
    this.#enqueue(() => this.#reconcile(namespace, name));
  }

  /** One pending sync per namespace: it reads the store when it runs, so it covers every
   * event before it (without this, seeding N Services queued N full syncs: O(N²)). */
  #scheduleSlices(namespace: string): void {
    if (this.#slicesPending.has(namespace)) return;
    this.#slicesPending.add(namespace);
    this.#enqueue(() => {
      this.#slicesPending.delete(namespace);
      this.#syncSlices(namespace);
    });
  }

  async #reconcile(namespace: string, name: string): Promise<void> {
    const deployment = this.#store.get('deployments', namespace, name);
    // Absent replicas default to 1 (as API defaulting does, and as the Scale reports); a deleted Deployment wants none.
    const replicas = specOf(deployment).replicas;
    const wanted = deployment === undefined ? 0 : typeof replicas === 'number' ? replicas : 1;
    const live = this.pods({ namespace, deployment: name }).filter((pod) => pod.phase === 'starting' || pod.phase === 'ready');
    for (let i = live.length; i < wanted; i++) await this.#startPod(namespace, name);
    // Like a ReplicaSet: scale down not-ready pods first, then the newest.
    const victims = live.sort((a, b) => Number(a.phase === 'ready') - Number(b.phase === 'ready') || b.startedAt - a.startedAt).slice(0, Math.max(0, live.length - wanted));
    // The slice shows them terminating before they get SIGTERM.
    for (const victim of victims) this.#pod(victim.name).markTerminating();
    this.#syncSlices(namespace);
    this.#syncStatus(namespace, name);
    for (const victim of victims) void this.#pod(victim.name).terminate(this.#options.terminationGraceMs ?? 5000);
  }

  async #startPod(namespace: string, deployment: string): Promise<void> {
    const key = `${namespace}/${deployment}`;
    let address = allocateAddress();
    let port = this.#ports.get(key) ?? (await probePort(address, 0));
    // All pods of a Deployment share its port (the slice has one port list); skip an address where it is taken.
    for (let tries = 0; port === undefined || (await probePort(address, port)) === undefined; tries++) {
      if (tries > 20) throw new Error(`no free loopback address for port ${String(port)} of ${key}`);
      address = allocateAddress();
      port ??= await probePort(address, 0);
    }
    if (this.#stopped) return;
    this.#ports.set(key, port);
    const name = `${deployment}-${shortHash(key)}-${randomUUID().slice(0, 5)}`;
    const template = { ...this.#options, ...this.#templates.get(key), env: { ...this.#options.env, ...this.#templates.get(key)?.env } };
    const pod = new Pod({ name, uid: randomUUID(), namespace, deployment, address, port }, template, (changed) => this.#podChanged(changed), () => this.#changes.emit('change'));
    this.#pods.set(name, pod);
    this.#changes.emit('change');
  }

  #podChanged(pod: Pod): void {
    this.#changes.emit('change');
    if (this.#stopped) return;
    this.#enqueue(() => {
      this.#syncSlices(pod.namespace);
      this.#syncStatus(pod.namespace, pod.deployment);
    });
    if (pod.phase === 'exited' && this.#options.replaceExited !== false) this.#schedule(pod.namespace, pod.deployment);
  }

  #syncSlices(namespace: string): void {
    for (const svc of this.#store.list('services', namespace)) {
      const selector = specOf(svc).selector;
      if (!isRecord(selector) || Object.keys(selector).length === 0) continue; // no selector: no managed slices
      const serviceName = svc.metadata.name ?? '';
      const selected = [...this.#pods.values()].filter((pod) => pod.namespace === namespace && pod.phase !== 'exited'
        && Object.entries(selector).every(([label, value]) => podLabels(this.#store.get('deployments', namespace, pod.deployment))[label] === value));
      const endpoints: EndpointState[] = selected.map((pod) => ({
        address: pod.address,
        ready: pod.phase === 'ready',
        serving: pod.phase === 'ready' || (pod.phase === 'terminating' && pod.view().serving),
        terminating: pod.phase === 'terminating',
        pod: { name: pod.name, uid: pod.uid },
      }));
      const sliceName = this.#sliceName(serviceName);
      const current = this.#store.get('endpointslices', namespace, sliceName);
      const port = selected[0]?.port ?? (Array.isArray(current?.ports) ? (current.ports[0] as { port?: number } | undefined)?.port : undefined);
      const desired = endpointSlice(serviceName, namespace, endpoints, { name: sliceName, port });
      if (!current) this.#store.create('endpointslices', desired);
      else this.#store.replace('endpointslices', { ...desired, metadata: { ...current.metadata, labels: desired.metadata.labels } });
    }
  }

  #syncStatus(namespace: string, name: string): void {
    if (!this.#store.get('deployments', namespace, name)) return;
    const pods = this.pods({ namespace, deployment: name });
    const live = pods.filter((pod) => pod.phase === 'starting' || pod.phase === 'ready').length;
    const ready = pods.filter((pod) => pod.phase === 'ready').length;
    this.#store.mutate('deployments', namespace, name, (object) => {
      object.status = { ...(isRecord(object.status) ? object.status : {}), observedGeneration: object.metadata.generation, replicas: live, updatedReplicas: live, readyReplicas: ready, availableReplicas: ready };
    });
  }
}
