// Records what a real @kubernetes/client-node informer reports, as
// 'connect', 'add NAME', 'update NAME', 'delete NAME', 'error CODE', so a test
// can await a state and compare traces.
import { EventEmitter } from 'node:events';
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import { awaitChange } from './await-change.js';

export interface InformerTrace<T extends KubernetesObject> {
  readonly events: readonly string[];
  readonly errors: readonly unknown[];
  /** Resolves once `check` gives a value, re-checked at each informer event. */
  until<V>(what: string, check: (trace: InformerTrace<T>) => V | undefined, timeoutMs?: number): Promise<V>;
  /** Resolves once the informer has reported `event` `times` times in all (counting from the start). */
  untilEvent(event: string, times?: number, timeoutMs?: number): Promise<void>;
  cache(): readonly T[];
}

/** What an error looks like in a trace: its HTTP status, else its code, else its message. */
function errorLabel(error: unknown): string {
  const { code, statusCode, message } = (error ?? {}) as { code?: unknown; statusCode?: unknown; message?: unknown };
  return `error ${String(statusCode ?? code ?? message)}`;
}

export function traceInformer<T extends KubernetesObject>(informer: Informer<T> & ObjectCache<T>): InformerTrace<T> {
  const events: string[] = [];
  const errors: unknown[] = [];
  const changes = new EventEmitter().setMaxListeners(0);
  const push = (entry: string): void => {
    events.push(entry);
    changes.emit('change');
  };
  for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, (object) => push(`${verb} ${object.metadata?.name ?? '?'}`));
  informer.on('connect', () => push('connect'));
  informer.on('error', (error) => {
    errors.push(error);
    push(errorLabel(error));
  });
  const trace: InformerTrace<T> = {
    events,
    errors,
    until: (what, check, timeoutMs = 10_000) => awaitChange(changes, 'change', `${what} (informer events so far: ${events.join(', ')})`, () => check(trace), timeoutMs),
    untilEvent: (event, times = 1, timeoutMs = 10_000) =>
      trace.until(`informer event '${event}' x${times}`, () => (events.filter((seen) => seen === event).length >= times ? true : undefined), timeoutMs).then(() => undefined),
    cache: () => informer.list(),
  };
  return trace;
}
