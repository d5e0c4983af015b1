// Builds one gateway from its options: config store, backend, function registry,
// pipeline, listeners. Nothing global: a test can run three in one process.
import type http from 'node:http';
import { createAdminServer } from './admin/server.js';
import { summarizeRoute } from './admin/route-summary.js';
import { tokenChecker } from './admin/token.js';
import { JwksRegistry } from './auth/jwt/jwks-registry.js';
import { formatProblem } from './config/problems.js';
import { ConfigStore, type BuildResult } from './config/store.js';
import type { NamespaceScope } from './config/function-namespaces.js';
import type { ConfigSources } from './config/types.js';
import { ConfigWatcher } from './config/watch.js';
import type { FunctionBackend } from './functions/backend.js';
import { LocalBackend } from './functions/backends/local.js';
import { FunctionRegistry } from './functions/registry.js';
import { parseTrustProxy } from './http/client-ip.js';
import { Pipeline, type PipelineDeps } from './http/pipeline.js';
import { createPublicServer, listen } from './http/server.js';
import type { GatewaySnapshot, SnapshotServices } from './http/snapshot.js';
import { AccessLog } from './http/access-log.js';
import { TrafficHistory } from './observability/history.js';
import { destinationOf, type Logger } from './observability/logger.js';
import { loadRequestTracer, type RequestTracer, type TracingSettings } from './observability/tracing.js';
import { GatewayMetrics } from './observability/metrics.js';
import { gatewayTraffic } from './observability/traffic-totals.js';
import { createUpstreamAgents, destroyUpstreamAgents, upstreamConnectionCounts } from './proxy/agents.js';
import { UpstreamProxy } from './proxy/upstream.js';
import { MemoryStore } from './ratelimit/memory-store.js';
import type { RedisTarget } from './ratelimit/redis-target.js';
import type { RateLimitStore } from './ratelimit/store.js';
import { normalisePath } from './routing/normalise.js';
import { ConfigRefused, loadSnapshot } from './snapshot-loader.js';

export { ConfigRefused, loadSnapshot, offlineServices } from './snapshot-loader.js';

export interface GatewayOptions {
  readonly port: number;
  readonly host: string;
  /** -1: no admin listener. */
  readonly adminPort: number;
  readonly adminHost: string;
  readonly sources: ConfigSources;
  readonly backend: 'local' | 'kubernetes';
  /** Kubernetes backend: a kubeconfig path (else in-cluster, else ~/.kube/config). */
  readonly kubeconfig?: string;
  /** Kubernetes backend: the namespaces watched (no names: the kubeconfig context's, else default). */
  readonly namespaces?: NamespaceScope;
  readonly trustProxy?: string;
  /** Shared rate-limit state (redis-target.ts, checked by the CLI); absent: process memory. */
  readonly redis?: RedisTarget;
  readonly adminToken: string | null;
  readonly shutdownTimeoutMs: number;
  readonly logger: Logger;
  /** One line per request (SPEC §6 `--access-log`; default on). */
  readonly accessLog?: boolean;
  /** OTLP span export (SPEC §1), or null/absent: none. */
  readonly tracing?: TracingSettings | null;
  /** Reload on file changes (default true). */
  readonly watch?: boolean;
}

/**
 * The Redis client, like the Kubernetes one, is imported only when asked for: the
 * local backend with memory limits (what `npm start` runs) never loads either
 * (@kubernetes/client-node alone was ~83 MB of a 144 MB idle RSS and ~340 ms of start-up).
 */
async function rateLimitStoreFor(options: GatewayOptions, memory: MemoryStore): Promise<RateLimitStore> {
  if (!options.redis) return memory;
  if (options.redis.mode === 'cluster') {
    const { RedisClusterStore } = await import('./ratelimit/redis-cluster-store.js');
    return new RedisClusterStore(options.redis, options.logger);
  }
  const { RedisStore } = await import('./ratelimit/redis-store.js');
  return new RedisStore(options.redis, options.logger);
}

/** The readiness probes share the proxy's keep-alive agent: the first held request reuses the probe's connection. */
type BackendFactory = (registry: FunctionRegistry, logger: Logger, agent: http.Agent) => FunctionBackend;

async function backendFactoryFor(options: GatewayOptions): Promise<BackendFactory> {
  if (options.backend !== 'kubernetes') return (registry, logger, agent) => new LocalBackend(registry, logger, agent);
  const { KubernetesBackend } = await import('./functions/backends/kubernetes/backend.js');
  return (registry, logger, agent) => new KubernetesBackend({ kubeconfig: options.kubeconfig, namespaces: options.namespaces ?? { kind: 'list', names: [] } }, registry, logger, agent);
}

async function onlineServices(options: GatewayOptions, metrics: GatewayMetrics): Promise<SnapshotServices> {
  const logger = options.logger;
  const fallbackStore = new MemoryStore();
  let fellBack = false;
  return {
    jwks: new JwksRegistry(logger),
    authObserver: { failed: (policy, reason) => metrics.authFailures.labels(policy, reason).inc() },
    rateLimitStore: await rateLimitStoreFor(options, fallbackStore),
    fallbackStore,
    rateLimitObserver: {
      decided: (policy, decision) => metrics.rateLimitDecisions.count(policy, decision),
      storeFailed: (mode) => {
        metrics.rateLimitStoreErrors.labels(mode).inc();
        if (!fellBack) logger.warn({ mode }, 'rate-limit store failed; onStoreError decides until it is back');
        fellBack = true;
      },
    },
    logger,
  };
}

export class Gateway {
  readonly functions: FunctionRegistry;
  readonly store: ConfigStore<GatewaySnapshot>;
  readonly #backend: FunctionBackend;
  readonly #agents = createUpstreamAgents();
  readonly #watcher: ConfigWatcher;
  readonly #public: http.Server;
  readonly #admin: http.Server | null;
  /** The dashboard's charts: sampled only while there is an admin listener to show them. */
  readonly #history: TrafficHistory;
  #version: number;
  #draining = false;

  static async create(options: GatewayOptions): Promise<Gateway> {
    const metrics = new GatewayMetrics();
    const services = await onlineServices(options, metrics);
    const first = await loadSnapshot(options.sources, 1, services);
    if (!first.ok) {
      await services.rateLimitStore.close();
      await services.fallbackStore.close();
      throw new ConfigRefused(first.problems);
    }
    // The OpenTelemetry SDK loads only when an exporter is configured (tracing.ts).
    const tracer = options.tracing ? await loadRequestTracer(options.tracing, options.logger) : null;
    return new Gateway(options, first.value, metrics, services, await backendFactoryFor(options), tracer);
  }

  private constructor(
    private readonly options: GatewayOptions,
    initial: GatewaySnapshot,
    readonly metrics: GatewayMetrics,
    private readonly services: SnapshotServices,
    backendFor: BackendFactory,
    private readonly tracer: RequestTracer | null,
  ) {
    const logger = options.logger;
    this.#version = initial.version;
    this.functions = new FunctionRegistry({
      waker: { wake: (fn) => this.#backend.wake(fn) },
      observer: {
        pendingChanged: (fn, pending) => this.metrics.pendingRequests.labels(fn).set(pending),
        leased: (fn) => this.#backend.noteActivity?.(fn),
        readyChanged: (fn, ready) => this.metrics.readyEndpoints.labels(fn).set(ready),
        // Called inside setEndpoints, before the held requests are released: this log line
        // and these metrics took ~0.3–0.5 ms of the ~1.3 ms from the 2xx readiness probe to
        // the released request on the wire (local cold starts, BENCHMARKS.md "Wake overhead").
        // They run once the released requests are on their way (setImmediate: after this
        // turn's nextTicks, in which the requests are written), long before any answer.
        wakeEnded: (fn, outcome, ms, cause) =>
          void setImmediate(() => {
            this.metrics.wakes.labels(fn, outcome).inc();
            if (outcome === 'ready') this.metrics.wakeDuration.labels(fn).observe(ms / 1000);
            logger.info({ function: fn, outcome, durationMs: Math.round(ms), requestId: cause?.requestId, traceId: cause?.traceId }, 'wake ended');
          }),
      },
      now: () => performance.now(),
      random: Math.random,
      onWakeError: (fn, error, cause) => logger.error({ function: fn, err: error instanceof Error ? error.message : String(error), requestId: cause?.requestId, traceId: cause?.traceId }, 'wake failed'),
    });
    this.#backend = backendFor(this.functions, logger, this.#agents.http);
    metrics.readFrom({ inFlight: () => this.functions.inFlight(), upstreamConnections: () => upstreamConnectionCounts(this.#agents) });
    this.#backend.applyConfig(initial.config);
    // Both series from the start, at 0: increase() cannot see the first refused reload
    // of a series that did not exist before it, so an alert on errors would miss it.
    for (const result of ['ok', 'error'] as const) this.metrics.configReloads.labels(result).inc(0);
    services.jwks.retainOnly(initial.jwksInUse);
    this.store = new ConfigStore<GatewaySnapshot>(initial, () => loadSnapshot(options.sources, this.#version + 1, services), {
      swapped: (snapshot, reason) => {
        this.#version = snapshot.version;
        services.jwks.retainOnly(snapshot.jwksInUse);
        this.#backend.applyConfig(snapshot.config);
        this.#watchConfig(snapshot);
        this.metrics.configReloads.labels('ok').inc();
        logger.info({ reason, version: snapshot.version, routes: snapshot.config.routes.length }, 'config reloaded');
      },
      refused: (problems, reason) => {
        this.metrics.configReloads.labels('error').inc();
        services.jwks.retainOnly(this.store.current.jwksInUse); // drop sets only the refused config named
        this.#watchConfig(this.store.current); // a directory replaced mid-load is watched anew
        logger.error({ reason, problems: problems.map(formatProblem) }, 'config refused; the previous config stays live');
      },
    });
    const trust = parseTrustProxy(options.trustProxy);
    if (!trust.ok) throw new Error(trust.error);
    const deps: PipelineDeps = {
      snapshot: () => this.store.current,
      functions: this.functions,
      proxy: new UpstreamProxy(this.#agents),
      metrics: this.metrics,
      logger,
      accessLog: (options.accessLog ?? true) ? new AccessLog(destinationOf(logger)) : null,
      tracer,
      clientIp: trust.clientIp,
    };
    this.#public = createPublicServer(new Pipeline(deps), deps);
    // Ahead of the app: a request answered synchronously (a 404) has sent its headers by
    // the time a later listener runs, and a setHeader there threw and crashed a draining
    // gateway. A flag, not a header: sendProblem drops headers it did not set itself.
    this.#public.prependListener('request', (_req, res: http.ServerResponse) => {
      if (this.#draining) res.shouldKeepAlive = false; // Connection: close, then close
    });
    this.#history = new TrafficHistory(gatewayTraffic(this.metrics.routes, this.metrics.wakes));
    this.#admin = options.adminPort < 0 ? null : this.#createAdmin();
    this.#watcher = new ConfigWatcher(() => void this.reload('file change'));
  }

  /** Listen on both ports; returns the real ones (0 picks a free port). */
  async start(): Promise<{ port: number; adminPort: number | null }> {
    await this.#backend.start();
    if (this.options.watch ?? true) this.#watchConfig(this.store.current);
    const port = await listen(this.#public, this.options.port, this.options.host);
    const adminPort = this.#admin ? await listen(this.#admin, this.options.adminPort, this.options.adminHost) : null;
    if (this.#admin) this.#history.start();
    return { port, adminPort };
  }

  reload(reason: string): Promise<BuildResult<GatewaySnapshot>> {
    return this.store.reload(reason);
  }

  /** SPEC §7: not ready, stop accepting, let in-flight and held requests finish (bounded), stop functions. */
  async shutdown(): Promise<{ drained: boolean }> {
    this.#draining = true;
    this.#watcher.close();
    this.#history.stop();
    // close() ends only the connections idle right now; one whose response ends later
    // stays open for keepAliveTimeout plus node's own 1 s buffer (6 s) and holds up the
    // exit. At 1 ms it closes about 1 s after its last response (0 would mean never).
    this.#public.keepAliveTimeout = 1;
    const closed = new Promise<void>((resolve) => this.#public.close(() => resolve()));
    const drained = Promise.all([closed, this.functions.whenIdle()]).then(() => true);
    const timeout = new Promise<boolean>((resolve) => setTimeout(resolve, this.options.shutdownTimeoutMs, false).unref());
    const finished = await Promise.race([drained, timeout]);
    if (!finished) {
      this.options.logger.warn({ timeoutMs: this.options.shutdownTimeoutMs }, 'shutdown timeout: cutting remaining connections');
      this.#public.closeAllConnections();
    }
    await this.#backend.stop();
    // Every request has ended by now (or been cut): its spans are in the batch.
    await this.tracer?.shutdown().catch((error: unknown) => this.options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'span export at shutdown failed'));
    destroyUpstreamAgents(this.#agents);
    this.services.jwks.stopAll();
    await this.services.rateLimitStore.close();
    await this.services.fallbackStore.close();
    if (this.#admin) {
      this.#admin.closeAllConnections();
      await new Promise<void>((resolve) => this.#admin?.close(() => resolve()));
    }
    return { drained: finished };
  }

  /** Synchronous last resort on process exit: no orphaned function processes. */
  killFunctions(): void {
    if (this.#backend instanceof LocalBackend) this.#backend.killAll();
  }

  #watchConfig(snapshot: GatewaySnapshot): void {
    if (!(this.options.watch ?? true)) return;
    const { routesDir, policiesDir, functionsFile } = this.options.sources;
    // The functions file by name too: one that failed to read is not in `files`, and
    // creating it must still reload.
    const files = functionsFile === null ? snapshot.config.files : [...snapshot.config.files, functionsFile];
    this.#watcher.watchPaths({ yamlDirectories: [routesDir, policiesDir], files });
  }

  #createAdmin(): http.Server {
    return createAdminServer({
      ready: () =>
        this.#draining ? { ready: false, reason: 'draining' } : this.#backend.synced ? { ready: true, reason: 'config loaded, backend synced' } : { ready: false, reason: 'backend not synced yet' },
      metrics: async () => ({ contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() }),
      routes: () => this.store.current.table.routes.map(summarizeRoute),
      functions: () => this.functions.status(),
      history: () => this.#history.columns(),
      explain: (method, host, rawPath) => {
        const path = normalisePath(rawPath);
        if (!path.ok) return { error: `the path would be refused with 400: ${path.reason}` };
        return this.store.current.table.explain({ method, host, path, headers: {} });
      },
      reload: async () => {
        const result = await this.reload('admin API');
        return { ok: result.ok, problems: result.ok ? [] : result.problems.map(formatProblem) };
      },
      checkToken: tokenChecker(this.options.adminToken),
    });
  }
}
