// A fake kube-apiserver for tests: a real HTTP server on 127.0.0.1 that speaks
// enough of the Kubernetes REST API for the real @kubernetes/client-node 1.4.0
// (typed API calls, Watch, makeInformer) to run against it end to end.
//
// Emulated: bearer-token auth (401 Status); namespaced and all-namespace
// list/watch, get, create, update (PUT), patch and delete of core/v1 services,
// discovery.k8s.io/v1 endpointslices and apps/v1 deployments; the deployments
// `scale` subresource (autoscaling/v1 Scale; GET, PATCH, PUT); JSON Patch,
// JSON merge patch and strategic merge patch (see patch.ts for its limits);
// one global monotonically increasing resourceVersion, optimistic concurrency
// (409 on a stale resourceVersion), metadata.generation on spec changes;
// label selectors (equality and set-based), field selectors metadata.name and
// metadata.namespace; watches as JSON lines (ADDED/MODIFIED/DELETED, label
// changes as ADDED/DELETED, BOOKMARK when allowWatchBookmarks=true), replayed
// from a bounded history; a too-old resourceVersion answered with a watch
// ERROR event carrying a 410 Expired Status (as kube-apiserver does) or with
// HTTP 410 (setGoneMode); timeoutSeconds; injected 403s and other errors.
//
// NOT emulated: admission (defaulting, validation beyond replicas/names,
// webhooks), real RBAC and authentication (one static token; forbidden only
// what setForbidden says), server-side apply (415), strategic-merge list
// merging and $-directives, field selectors other than metadata.name /
// metadata.namespace, chunked lists (`limit` is ignored, no `continue`
// token), resourceVersion/resourceVersionMatch semantics of LIST (always the
// latest state), sendInitialEvents/watch-list, the deprecated /watch/ paths,
// the status subresource over HTTP, finalizers, graceful deletion and garbage
// collection (ownerReferences), the Table and protobuf/CBOR formats, discovery
// (/api, /apis, OpenAPI), HTTP/2 and TLS, priority and fairness (429s only
// when injected), audit, Namespace objects (every namespace exists), Pods (they
// live only in kubelet.ts), any other resource. A LIST is never answered from
// a stale cache, and no watch lags behind a write.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { awaitChange } from './await-change.js';
import { handleCall } from './handlers.js';
import { RequestLog, type RequestCounters, type RequestMatch, type RequestRecord } from './request-log.js';
import { KubeError, parseKubePath, rbacResource, statusBody, verbOf, type KubePath, type ResourceName, type Verb } from './resources.js';
import { objectFilter } from './selectors.js';
import { ObjectStore } from './store.js';
import { WatchStream, type GoneMode } from './watch-stream.js';

export interface FakeApiServerOptions {
  /** The bearer token every request must carry (default 'gatehouse-test-token'). */
  readonly token?: string;
  /** Events retained for watches to replay; older ones are compacted away (default 10 000). */
  readonly historyLimit?: number;
  /** How a too-old resourceVersion is answered (default 'event', as kube-apiserver). */
  readonly goneMode?: GoneMode;
  /** Send BOOKMARKs this often to watches that allow them (default 0: only on sendBookmarks()). */
  readonly bookmarkIntervalMs?: number;
  /** End each watch cleanly after this long when it has no timeoutSeconds (default 0: never). */
  readonly watchTimeoutMs?: number;
}

export type { RequestCounters, RequestMatch, RequestRecord } from './request-log.js';

const PUBLIC_PATHS: Readonly<Record<string, unknown>> = { '/version': { major: '1', minor: '31', gitVersion: 'v1.31.0-gatehouse-fake' }, '/healthz': 'ok', '/readyz': 'ok', '/livez': 'ok' };
const REASONS: Readonly<Record<number, string>> = { 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

export class FakeApiServer {
  readonly store: ObjectStore;
  readonly #server: http.Server;
  readonly #options: FakeApiServerOptions;
  readonly #log = new RequestLog();
  readonly #watches = new Set<WatchStream>();
  readonly #faults = new Map<string, { code: number; remaining: number }>();
  #token: string;
  #goneMode: GoneMode;
  #port = 0;
  #bookmarks: NodeJS.Timeout | undefined;

  private constructor(options: FakeApiServerOptions) {
    this.#options = options;
    this.#token = options.token ?? 'gatehouse-test-token';
    this.#goneMode = options.goneMode ?? 'event';
    this.store = new ObjectStore(options.historyLimit);
    this.#server = http.createServer((req, res) => void this.#serve(req, res).catch(() => res.destroy()));
  }

  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const server = new FakeApiServer(options);
    await server.#listen(0);
    return server;
  }

  get port(): number { return this.#port; }
  get url(): string { return `http://127.0.0.1:${this.#port}`; }
  get token(): string { return this.#token; }
  get listening(): boolean { return this.#server.listening; }

  /** Accept only this token from now on (a rotated ServiceAccount token). */
  setToken(token: string): void { this.#token = token; }
  setGoneMode(mode: GoneMode): void { this.#goneMode = mode; }

  /** Answer `verb` on `resource` ('deployments/scale', 'services', …) with 403 until called with false. */
  setForbidden(resource: string, verb: Verb, forbidden = true): void {
    if (forbidden) this.#faults.set(`${resource} ${verb}`, { code: 403, remaining: Infinity });
    else this.#faults.delete(`${resource} ${verb}`);
  }

  /** Answer the next `times` requests for `verb` on `resource` with `code` (500, 503, 429, …). */
  failNext(resource: string, verb: Verb, code: number, times = 1): void {
    this.#faults.set(`${resource} ${verb}`, { code, remaining: times });
  }

  requests(match: RequestMatch = {}): RequestRecord[] { return this.#log.find(match); }
  count(match: RequestMatch = {}): number { return this.#log.find(match).length; }
  counters(): RequestCounters { return this.#log.counters(); }

  /** Resolves with the matching requests once there are at least `n` (each is logged when answered). */
  waitForRequests(match: RequestMatch, n = 1, timeoutMs = 10_000): Promise<RequestRecord[]> {
    return this.#log.waitFor(match, n, timeoutMs);
  }

  openWatches(resource?: ResourceName): number {
    return [...this.#watches].filter((watch) => resource === undefined || watch.resource.name === resource).length;
  }

  /** Resolves once exactly `n` watches (on `resource`, or on any) are open. */
  waitForOpenWatches(n: number, resource?: ResourceName, timeoutMs = 10_000): Promise<number> {
    return awaitChange(this.#log.changes, 'change', `${n} open watch(es) on ${resource ?? 'any resource'}`, () => {
      const open = this.openWatches(resource);
      return open === n ? open : undefined;
    }, timeoutMs);
  }

  /** Destroys every open watch's socket (a network cut); returns how many. */
  cutWatches(): number { return this.#eachWatch((watch) => watch.cut()); }
  /** Ends every open watch cleanly (a server-side watch timeout); returns how many. */
  closeWatches(): number { return this.#eachWatch((watch) => watch.end()); }
  /** A BOOKMARK now on every watch that allows them; returns how many got one. */
  sendBookmarks(): number { return [...this.#watches].filter((watch) => watch.bookmark()).length; }
  /** Every resourceVersion issued so far becomes too old: the next watch from one gets 410. */
  expireHistory(): void { this.store.expireHistory(); }

  /** The API server goes away: stop listening and cut every connection. Objects survive (etcd). */
  async stop(): Promise<void> {
    clearInterval(this.#bookmarks);
    if (!this.#server.listening) return;
    this.cutWatches();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** Comes back on the same port, with the same objects and history. */
  async restart(): Promise<void> {
    if (this.#server.listening) throw new Error('the fake apiserver is still running');
    await this.#listen(this.#port);
  }

  async #listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    const every = this.#options.bookmarkIntervalMs ?? 0;
    if (every > 0) this.#bookmarks = setInterval(() => this.sendBookmarks(), every).unref();
  }

  #eachWatch(action: (watch: WatchStream) => void): number {
    const watches = [...this.#watches];
    watches.forEach(action);
    this.#watches.clear();
    this.#log.changes.emit('change');
    return watches.length;
  }

  async #serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-apiserver');
    const text = await readBody(req);
    const contentType = req.headers['content-type'];
    const path = parseKubePath(url.pathname);
    const watch = TRUE.has(url.searchParams.get('watch') ?? '');
    const verb = path && verbOf(req.method ?? 'GET', path, watch);
    const body = parseBody(text, contentType);
    const record = (status: number, expired = false): void => this.#log.add({
      at: Date.now(), method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), verb,
      resource: path && rbacResource(path), namespace: path?.namespace, name: path?.name, contentType, body: body.value, status, expired,
    });
    const reply = (code: number, payload: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      record(code);
    };
    try {
      if (req.method === 'GET' && url.pathname in PUBLIC_PATHS) return reply(200, PUBLIC_PATHS[url.pathname]);
      if (req.headers.authorization !== `Bearer ${this.#token}`) throw new KubeError(401, 'Unauthorized', 'Unauthorized');
      if (!path) throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
      if (!verb) throw new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: ${req.method ?? ''}`);
      this.#injectFault(path, verb);
      if (body.error) throw body.error;
      if (verb === 'watch') return this.#watch(res, path, url.searchParams, record);
      const answer = handleCall(this.store, { method: req.method ?? 'GET', path, query: url.searchParams, contentType, body: body.value });
      reply(answer.code, answer.body);
    } catch (error) {
      const failure = error instanceof KubeError ? error : new KubeError(500, 'InternalError', `fake apiserver: ${String(error)}`);
      reply(failure.code, statusBody(failure.code, failure.reason, failure.message, failure.details));
    }
  }

  #injectFault(path: KubePath, verb: Verb): void {
    const resource = rbacResource(path);
    const fault = this.#faults.get(`${resource} ${verb}`);
    if (!fault) return;
    if (--fault.remaining <= 0) this.#faults.delete(`${resource} ${verb}`);
    if (fault.code === 403) {
      const what = path.name === undefined ? '' : `${path.resource.name}${path.resource.group ? `.${path.resource.group}` : ''} "${path.name}" is forbidden: `;
      const where = path.namespace === undefined ? 'at the cluster scope' : `in the namespace "${path.namespace}"`;
      throw new KubeError(403, 'Forbidden', `${what || `${resource} is forbidden: `}User "system:serviceaccount:gatehouse:gatehouse" cannot ${verb} resource "${resource}" in API group "${path.resource.group}" ${where}`, { name: path.name, group: path.resource.group, kind: path.resource.name });
    }
    throw new KubeError(fault.code, REASONS[fault.code] ?? 'InternalError', `injected failure ${fault.code} for ${verb} ${resource}`);
  }

  #watch(res: http.ServerResponse, path: KubePath, query: URLSearchParams, record: (status: number, expired: boolean) => void): void {
    const byQuery = objectFilter(path.namespace, query);
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
    const stream = new WatchStream(res, {
      resource: path.resource,
      namespace: path.namespace,
      filter: (object) => byQuery(object) && (path.name === undefined || object.metadata.name === path.name),
      resourceVersion: query.get('resourceVersion') ?? undefined,
      allowBookmarks: TRUE.has(query.get('allowWatchBookmarks') ?? ''),
      timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : this.#options.watchTimeoutMs ?? 0,
    }, this.store);
    const started = stream.start(this.#goneMode);
    record(started || this.#goneMode === 'event' ? 200 : 410, !started);
    if (!started) return;
    this.#watches.add(stream);
    this.#log.changes.emit('change');
    void stream.done.then(() => {
      this.#watches.delete(stream);
      this.#log.changes.emit('change');
    });
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function parseBody(text: string, contentType: string | undefined): { value: unknown; error?: KubeError } {
  if (text === '') return { value: undefined };
  if (!/json/i.test(contentType ?? '')) return { value: text };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { value: text, error: new KubeError(400, 'BadRequest', 'the request body is not valid JSON') };
  }
}
