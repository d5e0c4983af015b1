// A list+watch informer kept alive (SPEC §5). The client's informer restarts its
// own watch when the server closes it cleanly and relists on 410 Gone, but when
// a watch is cut abruptly (or the list fails) it reports an error and stays
// stopped: here it is started again after a backoff with jitter, capped so the
// gateway resumes within 2 s. Its cache survives, so endpoints are neither lost
// nor duplicated meanwhile (a restart watches on from the last resourceVersion,
// or relists and reconciles).
import { makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../../observability/logger.js';
import { describe } from './client.js';

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1500;
/** After this long without an error, the next one starts the backoff afresh. */
const CALM_AFTER_MS = 30_000;

export interface WatchedCollection<T extends KubernetesObject> {
  /** Resolves at the first full sync (list done, watch started). */
  readonly synced: Promise<void>;
  /** From the informer's cache, indexed by namespace then name: no scan. */
  get(name: string, namespace: string): T | undefined;
  /** Every object, or one namespace's (a cluster-wide watch holds them all). */
  list(namespace?: string): readonly T[];
  /** The objects whose `groupOf` is `key`, from an index kept with the cache: no scan. */
  group(key: string): readonly T[];
  stop(): Promise<void>;
}

export function watchCollection<T extends KubernetesObject>(
  config: KubeConfig,
  path: string,
  listFn: () => Promise<KubernetesListObject<T>>,
  onChange: (object: T) => void,
  logger: Logger,
  /** A key to look objects up by (a slice's namespace and Service): one lookup per event, not a scan. */
  groupOf: (object: T) => string | undefined = () => undefined,
): WatchedCollection<T> {
  const informer = makeInformer<T>(config, path, listFn);
  const groups = new GroupIndex<T>(groupOf);
  let stopped = false;
  let attempt = 0;
  let lastError = 0;
  let errors = 0;
  let timer: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  // start() resolves even when its list failed (the failure goes to 'error'), so a
  // start counts as a sync only when no error was reported while it ran.
  const start = async (): Promise<void> => {
    if (stopped) return;
    const errorsBefore = errors;
    try {
      await informer.start();
    } catch {
      return; // reported through 'error', which schedules the next try
    }
    if (errors === errorsBefore) markSynced();
  };

  // The index first: onChange reads it.
  informer.on('add', (object: T) => groups.put(object));
  informer.on('update', (object: T) => groups.put(object));
  informer.on('delete', (object: T) => groups.remove(object));
  for (const event of ['add', 'update', 'delete'] as const) informer.on(event, onChange);
  informer.on('error', (error: unknown) => {
    errors++;
    if (stopped) return;
    const now = Date.now();
    if (now - lastError > CALM_AFTER_MS) attempt = 0;
    lastError = now;
    const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt++);
    const delay = Math.round(base * (0.5 + Math.random() / 2)); // jitter: replicas do not stampede
    logger.warn({ path, err: describe(error), retryInMs: delay }, 'Kubernetes watch failed; restarting');
    clearTimeout(timer);
    timer = setTimeout(() => void start(), delay);
  });
  void start();
  return {
    synced,
    get: (name, namespace) => informer.get(name, namespace),
    list: (namespace) => informer.list(namespace),
    group: (key) => groups.get(key),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await informer.stop();
    },
  };
}

/**
 * Objects by a key of theirs, kept from the informer's own add/update/delete events
 * (a relist after 410 Gone reconciles through the same events). With 10,000
 * Services, scanning the namespace's slices for each event made the first sync
 * quadratic: 28 s to /readyz in `npm run bench -- scale`.
 */
class GroupIndex<T extends KubernetesObject> {
  /** key → identity (namespace/name) → object. */
  readonly #groups = new Map<string, Map<string, T>>();
  /** identity → the key it is filed under. */
  readonly #keyOf = new Map<string, string>();

  constructor(private readonly groupOf: (object: T) => string | undefined) {}

  put(object: T): void {
    const id = identity(object);
    const key = this.groupOf(object);
    const previous = this.#keyOf.get(id);
    if (previous !== undefined && previous !== key) this.#drop(previous, id);
    if (key === undefined) return;
    let group = this.#groups.get(key);
    if (group === undefined) this.#groups.set(key, (group = new Map()));
    group.set(id, object);
    this.#keyOf.set(id, key);
  }

  remove(object: T): void {
    const id = identity(object);
    const previous = this.#keyOf.get(id);
    if (previous !== undefined) this.#drop(previous, id);
  }

  get(key: string): readonly T[] {
    const group = this.#groups.get(key);
    return group === undefined ? [] : [...group.values()];
  }

  #drop(key: string, id: string): void {
    this.#keyOf.delete(id);
    const group = this.#groups.get(key);
    group?.delete(id);
    if (group?.size === 0) this.#groups.delete(key);
  }
}

function identity(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
