// The fake cluster's etcd: objects by resource/namespace/name, one global,
// monotonically increasing resourceVersion, and a bounded history of events
// for watches to replay. A watch from a resourceVersion older than the
// retained history is "too old" (410), as after an etcd compaction.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { awaitChange } from './await-change.js';
import { clone, conflict, KubeError, notFound, RESOURCES, type KubeObject, type ResourceName } from './resources.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly rv: number;
  readonly resource: ResourceName;
  readonly type: EventType;
  /** The object after the change (for DELETED: its last state, carrying the deletion's resourceVersion). */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  readonly previous: KubeObject | undefined;
}

export type StoreListener = (event: StoreEvent) => void;

const keyOf = (resource: ResourceName, namespace: string, name: string): string => `${resource}/${namespace}/${name}`;
const randomSuffix = (): string => Math.random().toString(36).slice(2, 7).padEnd(5, 'x');

/** JSON of an object without the fields a write sets itself, to detect no-op writes. */
const content = (object: KubeObject): string => JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: undefined, generation: undefined } });

export class ObjectStore {
  #rv = 1000;
  /** Watches from a resourceVersion below this get 410: the events after it are gone. */
  #oldestWatchable = 0;
  readonly #objects = new Map<string, KubeObject>();
  #history: StoreEvent[] = [];
  readonly #listeners = new Set<StoreListener>();
  readonly #pending: StoreEvent[] = [];
  #dispatching = false;

  constructor(readonly historyLimit = 10_000) {}

  /** The latest resourceVersion issued (what a LIST reports). */
  get resourceVersion(): number {
    return this.#rv;
  }

  get(resource: ResourceName, namespace: string, name: string): KubeObject | undefined {
    const found = this.#objects.get(keyOf(resource, namespace, name));
    return found && clone(found);
  }

  /** Objects of `resource` (in `namespace`, or all), ordered by namespace then name as etcd keys are. */
  list(resource: ResourceName, namespace?: string): KubeObject[] {
    const prefix = namespace === undefined ? `${resource}/` : `${resource}/${namespace}/`;
    return [...this.#objects.entries()].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, object]) => clone(object));
  }

  create(resource: ResourceName, input: KubeObject): KubeObject {
    const def = RESOURCES[resource];
    const object = clone(input);
    const meta = object.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (!meta.name) throw new KubeError(422, 'Invalid', `${def.kind} is invalid: metadata.name: Required value`);
    if (!meta.namespace) throw new KubeError(422, 'Invalid', `${def.kind} is invalid: metadata.namespace: Required value`);
    if (this.#objects.has(keyOf(resource, meta.namespace, meta.name))) {
      throw new KubeError(409, 'AlreadyExists', `${resource} "${meta.name}" already exists`, { name: meta.name, group: def.group, kind: resource });
    }
    object.apiVersion = def.apiVersion;
    object.kind = def.kind;
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    meta.generation = 1;
    return this.#commit(resource, 'ADDED', object, undefined);
  }

  /**
   * Replaces an object (PUT semantics): a resourceVersion in `input` must be
   * the current one (409 otherwise); uid and creationTimestamp are kept; a
   * spec change bumps metadata.generation; a no-op write issues no event.
   */
  replace(resource: ResourceName, input: KubeObject): KubeObject {
    const { namespace = '', name = '' } = input.metadata;
    const current = this.#objects.get(keyOf(resource, namespace, name));
    if (!current) throw notFound(RESOURCES[resource], name);
    if (input.metadata.resourceVersion && input.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(RESOURCES[resource], name);
    const object = clone(input);
    object.apiVersion = current.apiVersion;
    object.kind = current.kind;
    object.metadata = { ...object.metadata, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp, resourceVersion: current.metadata.resourceVersion };
    object.metadata.generation = (current.metadata.generation ?? 1) + (JSON.stringify(object.spec) === JSON.stringify(current.spec) ? 0 : 1);
    if (content(object) === content(current)) return clone(current);
    return this.#commit(resource, 'MODIFIED', object, current);
  }

  /** Read-modify-write for the simulated controllers and for tests. */
  mutate(resource: ResourceName, namespace: string, name: string, change: (object: KubeObject) => void): KubeObject {
    const current = this.get(resource, namespace, name);
    if (!current) throw notFound(RESOURCES[resource], name);
    change(current);
    return this.replace(resource, current);
  }

  delete(resource: ResourceName, namespace: string, name: string): KubeObject {
    const current = this.#objects.get(keyOf(resource, namespace, name));
    if (!current) throw notFound(RESOURCES[resource], name);
    this.#objects.delete(keyOf(resource, namespace, name));
    return this.#commit(resource, 'DELETED', clone(current), current);
  }

  /** The events after `rv`, or 'expired' when some of them are no longer retained. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.#oldestWatchable) return 'expired';
    return this.#history.filter((event) => event.rv > rv);
  }

  /**
   * Forgets all history and moves the resourceVersion on (as if other writes
   * happened and etcd compacted): every resourceVersion issued so far is now
   * too old to watch from; a fresh LIST gives one that is not.
   */
  expireHistory(): void {
    this.#rv++;
    this.#oldestWatchable = this.#rv;
    this.#history = [];
  }

  /** Resolves with the object once `predicate` holds for it, re-checked at each write of any object. */
  waitFor(resource: ResourceName, namespace: string, name: string, predicate: (object: KubeObject) => boolean, timeoutMs = 10_000): Promise<KubeObject> {
    const writes = new EventEmitter();
    const unsubscribe = this.subscribe(() => writes.emit('write'));
    return awaitChange(writes, 'write', `${resource} ${namespace}/${name} to match ${predicate.toString()}`, () => {
      const object = this.get(resource, namespace, name);
      return object && predicate(object) ? object : undefined;
    }, timeoutMs).finally(unsubscribe);
  }

  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #commit(resource: ResourceName, type: EventType, object: KubeObject, previous: KubeObject | undefined): KubeObject {
    const rv = ++this.#rv;
    object.metadata.resourceVersion = String(rv);
    if (type !== 'DELETED') this.#objects.set(keyOf(resource, object.metadata.namespace ?? '', object.metadata.name ?? ''), object);
    const event: StoreEvent = { rv, resource, type, object: clone(object), previous: previous && clone(previous) };
    this.#history.push(event);
    if (this.#history.length > this.historyLimit) {
      const dropped = this.#history.shift();
      if (dropped) this.#oldestWatchable = dropped.rv;
    }
    this.#dispatch(event);
    return clone(object);
  }

  /** Every listener sees events in resourceVersion order, even when a listener writes. */
  #dispatch(event: StoreEvent): void {
    this.#pending.push(event);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let next = this.#pending.shift(); next; next = this.#pending.shift()) {
        for (const listener of [...this.#listeners]) listener(next);
      }
    } finally {
      this.#dispatching = false;
    }
  }
}
