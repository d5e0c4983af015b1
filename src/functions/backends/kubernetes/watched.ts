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
  stop(): Promise<void>;
}

export function watchCollection<T extends KubernetesObject>(
  config: KubeConfig,
  path: string,
  listFn: () => Promise<KubernetesListObject<T>>,
  onChange: (object: T) => void,
  logger: Logger,
): WatchedCollection<T> {
  const informer = makeInformer<T>(config, path, listFn);
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
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await informer.stop();
    },
  };
}
