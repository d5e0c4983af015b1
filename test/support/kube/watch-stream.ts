// One WATCH response: a chunked stream of JSON lines `{"type","object"}`,
// as kube-apiserver writes them for `?watch=true` (Content-Type
// application/json, one event per line). It replays the retained history after
// the requested resourceVersion, then follows the store live.
import type http from 'node:http';
import type { ObjectFilter } from './selectors.js';
import { statusBody, type KubeObject, type ResourceDef } from './resources.js';
import type { ObjectStore, StoreEvent } from './store.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** How a too-old resourceVersion is answered: a 200 stream carrying one ERROR event (what kube-apiserver does) or an HTTP 410. */
export type GoneMode = 'event' | 'http';

export interface WatchRequest {
  readonly resource: ResourceDef;
  readonly namespace: string | undefined;
  readonly filter: ObjectFilter;
  /** undefined, '' and '0' mean "from now", starting with a synthetic ADDED per current object. */
  readonly resourceVersion: string | undefined;
  readonly allowBookmarks: boolean;
  /** Ends the stream cleanly after this long (timeoutSeconds, else the server default; 0 = never). */
  readonly timeoutMs: number;
}

/** The event a watcher with `filter` sees for a store event (label changes turn into ADDED/DELETED, as in the watch cache). */
function project(event: StoreEvent, filter: ObjectFilter): { type: WatchEventType; object: KubeObject } | undefined {
  const before = event.previous !== undefined && filter(event.previous);
  const now = event.type !== 'DELETED' && filter(event.object);
  if (event.type === 'DELETED') return before ? { type: 'DELETED', object: event.object } : undefined;
  if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: event.object };
  return before ? { type: 'DELETED', object: event.object } : undefined;
}

export class WatchStream {
  readonly #res: http.ServerResponse;
  readonly #request: WatchRequest;
  readonly #store: ObjectStore;
  #unsubscribe: () => void = () => {};
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  readonly done: Promise<void>;

  constructor(res: http.ServerResponse, request: WatchRequest, store: ObjectStore) {
    this.#res = res;
    this.#request = request;
    this.#store = store;
    this.done = new Promise((resolve) => res.once('close', () => {
      this.#cleanup();
      resolve();
    }));
  }

  get resource(): ResourceDef {
    return this.#request.resource;
  }

  get namespace(): string | undefined {
    return this.#request.namespace;
  }

  /** Starts the stream; returns false (after answering) when the resourceVersion is too old. */
  start(goneMode: GoneMode): boolean {
    const { resourceVersion, resource, filter } = this.#request;
    const fromNow = resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0';
    const backlog = fromNow ? [] : this.#store.eventsSince(Number(resourceVersion));
    const gone = backlog === 'expired' || (!fromNow && !/^\d+$/.test(resourceVersion));
    const expired = statusBody(410, 'Expired', `too old resource version: ${resourceVersion} (${this.#store.resourceVersion})`);
    if (gone && goneMode === 'http') {
      this.#res.writeHead(410, { 'content-type': 'application/json' }).end(JSON.stringify(expired));
      return false;
    }
    this.#res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
    this.#res.flushHeaders();
    if (gone) {
      this.#send('ERROR', expired);
      this.end();
      return false;
    }
    if (fromNow) for (const object of this.#store.list(resource.name, this.#request.namespace).filter(filter)) this.#send('ADDED', object);
    for (const event of backlog) this.#deliver(event);
    this.#unsubscribe = this.#store.subscribe((event) => this.#deliver(event));
    if (this.#request.timeoutMs > 0) this.#timer = setTimeout(() => this.end(), this.#request.timeoutMs);
    return true;
  }

  /** A BOOKMARK at the current resourceVersion, if the client asked for them (allowWatchBookmarks). */
  bookmark(): boolean {
    if (!this.#request.allowBookmarks || this.#ended) return false;
    // Events are delivered synchronously with the store's writes, so the
    // current resourceVersion is one this stream has fully delivered.
    const { apiVersion, kind } = this.#request.resource;
    this.#send('BOOKMARK', { apiVersion, kind, metadata: { resourceVersion: String(this.#store.resourceVersion) } });
    return true;
  }

  /** Ends the response cleanly (a server-side timeout). */
  end(): void {
    if (this.#ended) return;
    this.#cleanup();
    this.#res.end();
  }

  /** Destroys the socket under the response (a network cut or a crashed apiserver). */
  cut(): void {
    this.#cleanup();
    this.#res.socket?.destroy();
  }

  #deliver(event: StoreEvent): void {
    if (event.resource !== this.#request.resource.name) return;
    const seen = project(event, this.#request.filter);
    if (seen) this.#send(seen.type, seen.object);
  }

  #send(type: WatchEventType, object: KubeObject | Record<string, unknown>): void {
    if (this.#ended) return;
    this.#res.write(`${JSON.stringify({ type, object })}\n`);
  }

  #cleanup(): void {
    this.#ended = true;
    this.#unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
  }
}
