// The proxy engine: http-proxy-middleware, built once per gateway (not per
// route, not per request), with our own plugin instead of its defaults (its
// error plugin answers text/plain and maps ECONNREFUSED to 504, STYLE §10).
// Routing is ours: the middleware gets the chosen endpoint through `router`
// and the upstream path through `pathRewrite`, both read from the attempt.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createProxyMiddleware, type RequestHandler } from 'http-proxy-middleware';
import type { UpstreamAgents } from './agents.js';

/** What one try at one upstream needs from the proxy engine, and hears back. */
export interface AttemptHooks {
  /** `http://host:port` of the endpoint. */
  readonly origin: string;
  /** Path and query to send. */
  readonly path: string;
  /** The body to send, or null to let the request stream itself (no body, or upgrade). */
  readonly body: { openAttempt(): NodeJS.ReadableStream } | null;
  onProxyRequest(proxyReq: ClientRequest): void;
  onResponse(proxyRes: IncomingMessage): void;
  onError(error: NodeJS.ErrnoException): void;
}

const kAttempt = Symbol('gatehouse.attempt');
type WithAttempt = IncomingMessage & { [kAttempt]?: AttemptHooks };

function attemptOf(req: IncomingMessage): AttemptHooks {
  const attempt = (req as WithAttempt)[kAttempt];
  if (!attempt) throw new Error('proxy called without an attempt');
  return attempt;
}

/**
 * http-proxy pipes `options.buffer || req` into the upstream request, and
 * http-proxy-middleware has no per-request `buffer`. A held or retried body must
 * come from our replayable source, so `pipe` is shadowed on that request only.
 */
function pipeAttemptBody(this: IncomingMessage, destination: NodeJS.WritableStream): NodeJS.WritableStream {
  const body = attemptOf(this).body;
  if (!body) throw new Error('pipeAttemptBody without a body');
  return body.openAttempt().pipe(destination);
}

export class UpstreamProxy {
  readonly #http: RequestHandler;
  readonly #https: RequestHandler;

  constructor(agents: UpstreamAgents) {
    this.#http = this.#create(agents.http);
    this.#https = this.#create(agents.https);
  }

  /** Start one attempt; its outcome arrives through the hooks. */
  forward(req: IncomingMessage, res: ServerResponse, attempt: AttemptHooks): void {
    (req as WithAttempt)[kAttempt] = attempt;
    if (attempt.body && req.pipe !== pipeAttemptBody) {
      Object.defineProperty(req, 'pipe', { value: pipeAttemptBody, configurable: true, writable: true });
    }
    const handler = attempt.origin.startsWith('https:') ? this.#https : this.#http;
    void handler(req, res, (error?: unknown) => attempt.onError(asErrno(error)));
  }

  /** Proxy a WebSocket upgrade (the socket is the client's). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, attempt: AttemptHooks): void {
    (req as WithAttempt)[kAttempt] = attempt;
    const handler = attempt.origin.startsWith('https:') ? this.#https : this.#http;
    handler.upgrade(req, socket as Socket, head);
  }

  #create(agent: UpstreamAgents['http']): RequestHandler {
    return createProxyMiddleware<IncomingMessage, ServerResponse>({
      router: (req) => attemptOf(req).origin,
      pathRewrite: (_path, req) => attemptOf(req).path,
      agent,
      changeOrigin: true,
      xfwd: false, // X-Forwarded-* are set by header hygiene, once, our way
      followRedirects: false,
      ejectPlugins: true,
      plugins: [
        (server) => {
          server.on('proxyReq', (proxyReq, req) => attemptOf(req).onProxyRequest(proxyReq));
          server.on('proxyReqWs', (proxyReq, req) => attemptOf(req).onProxyRequest(proxyReq));
          server.on('proxyRes', (proxyRes, req) => attemptOf(req).onResponse(proxyRes));
          server.on('error', (error, req) => attemptOf(req).onError(asErrno(error)));
          server.on('econnreset', (error, req) => attemptOf(req).onError(asErrno(error)));
        },
      ],
    });
  }
}

function asErrno(error: unknown): NodeJS.ErrnoException {
  return error instanceof Error ? error : new Error(String(error));
}
