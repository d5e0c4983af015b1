// The proxy engine: http-proxy-middleware, built once per gateway (not per route,
// not per request), with our own plugin instead of its defaults (its error plugin
// answers text/plain and maps ECONNREFUSED to 504, STYLE §10). Routing is ours, so
// each attempt goes straight to the http-proxy server the middleware configured
// (our plugin is handed it), with options prepared once per endpoint: the
// middleware's own per-request path — an options copy, `router` and `pathRewrite`
// awaited, the target URL parsed again — redid per request what is fixed per
// endpoint (it showed in node --cpu-prof; BENCHMARKS.md).
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import { parse as parseUrl } from 'node:url';
import type * as HttpProxyMiddleware from 'http-proxy-middleware';
import type { Plugin } from 'http-proxy-middleware';
import type { UpstreamAgents } from './agents.js';

/** Where an attempt goes: an endpoint object, the same one for every request to it. */
export interface UpstreamEndpoint {
  /** `http://host:port` or `https://...`. */
  readonly origin: string;
}

/** What one try at one upstream needs from the proxy engine, and hears back. */
export interface AttemptHooks {
  readonly endpoint: UpstreamEndpoint;
  /** Path and query to send. */
  readonly path: string;
  /** The body to send, or null to let the request stream itself (no body, or upgrade). */
  readonly body: { openAttempt(): NodeJS.ReadableStream } | null;
  onProxyRequest(proxyReq: ClientRequest): void;
  onResponse(proxyRes: IncomingMessage): void;
  onError(error: NodeJS.ErrnoException): void;
}

const requireCommonJs = createRequire(import.meta.url);

/** The http-proxy server http-proxy-middleware built and handed our plugin. */
type ProxyServer = Parameters<Plugin<IncomingMessage, ServerResponse>>[0];
type ProxyOptions = Parameters<ProxyServer['web']>[2];

const kAttempt = Symbol('gatehouse.attempt');
type WithAttempt = IncomingMessage & { [kAttempt]?: AttemptHooks };

function attemptOf(req: IncomingMessage): AttemptHooks {
  const attempt = (req as WithAttempt)[kAttempt];
  if (!attempt) throw new Error('proxy called without an attempt');
  return attempt;
}

/**
 * http-proxy pipes `options.buffer || req` into the upstream request, and has no
 * per-request `buffer` we could hand a fresh stream per attempt. A held or retried
 * body must come from our replayable source, so `pipe` is shadowed on that request only.
 */
function pipeAttemptBody(this: IncomingMessage, destination: NodeJS.WritableStream): NodeJS.WritableStream {
  const body = attemptOf(this).body;
  if (!body) throw new Error('pipeAttemptBody without a body');
  return body.openAttempt().pipe(destination);
}

export class UpstreamProxy {
  #server: ProxyServer | null = null;
  readonly #agents: UpstreamAgents;
  /** Per endpoint object: its http-proxy options, built on its first request. */
  readonly #options = new WeakMap<UpstreamEndpoint, ProxyOptions>();

  constructor(agents: UpstreamAgents) {
    this.#agents = agents;
  }

  /** Start one attempt; its outcome arrives through the hooks. */
  forward(req: IncomingMessage, res: ServerResponse, attempt: AttemptHooks): void {
    (req as WithAttempt)[kAttempt] = attempt;
    if (attempt.body && req.pipe !== pipeAttemptBody) {
      Object.defineProperty(req, 'pipe', { value: pipeAttemptBody, configurable: true, writable: true });
    }
    req.url = attempt.path; // `toProxy`: sent as is, never re-parsed
    this.#engine().web(req, res, this.#optionsFor(attempt.endpoint));
  }

  /** Proxy a WebSocket upgrade (the socket is the client's). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, attempt: AttemptHooks): void {
    (req as WithAttempt)[kAttempt] = attempt;
    req.url = attempt.path;
    this.#engine().ws(req, socket as Socket, head, this.#optionsFor(attempt.endpoint));
  }

  #listen(server: ProxyServer): void {
    this.#server = server;
    server.on('proxyReq', (proxyReq, req) => attemptOf(req).onProxyRequest(proxyReq));
    server.on('proxyReqWs', (proxyReq, req) => attemptOf(req).onProxyRequest(proxyReq));
    server.on('proxyRes', (proxyRes, req) => attemptOf(req).onResponse(proxyRes));
    server.on('error', (error, req) => attemptOf(req).onError(asErrno(error)));
    server.on('econnreset', (error, req) => attemptOf(req).onError(asErrno(error)));
  }

  /**
   * Built with the first attempt, not at start: a gateway that has proxied nothing
   * yet (one just started, on the example config) does not hold http-proxy-middleware
   * and its dependencies (~2 MB of a ~72 MB idle RSS, measured). It is CommonJS, so the
   * first request loads it synchronously, once.
   */
  #engine(): ProxyServer {
    if (this.#server === null) {
      const { createProxyMiddleware } = requireCommonJs('http-proxy-middleware') as typeof HttpProxyMiddleware;
      createProxyMiddleware<IncomingMessage, ServerResponse>({
        // It insists on a target or a router; ours are per attempt, so this one never runs.
        router: notRouted,
        changeOrigin: true,
        xfwd: false, // X-Forwarded-* are set by header hygiene, once, our way
        followRedirects: false,
        ejectPlugins: true,
        plugins: [(server) => this.#listen(server)],
      });
    }
    if (this.#server === null) throw new Error('http-proxy-middleware did not run its plugins');
    return this.#server;
  }

  #optionsFor(endpoint: UpstreamEndpoint): ProxyOptions {
    let options = this.#options.get(endpoint);
    if (options === undefined) {
      // Parsed here as http-proxy would parse a string target on every request
      // (its url.parse, so IPv6 brackets and default ports come out the same).
      const target = parseUrl(endpoint.origin);
      const secure = target.protocol === 'https:';
      options = Object.freeze({
        target,
        agent: secure ? this.#agents.https : this.#agents.http,
        changeOrigin: true,
        xfwd: false,
        // The path is ours (rewrite applied, escapes as sent): sent as is, not run
        // through url.parse per request.
        toProxy: true,
        prependPath: false,
      });
      this.#options.set(endpoint, options);
    }
    return options;
  }
}

function notRouted(): never {
  throw new Error('routing is the gateway\'s own: attempts go to the proxy server directly');
}

function asErrno(error: unknown): NodeJS.ErrnoException {
  return error instanceof Error ? error : new Error(String(error));
}
