// One request's trip upstream (SPEC §2 `timeout`, `retries`; §5 retry rules):
// tries an endpoint, retries a connection refused or reset before any response
// byte on the next endpoint (a non-idempotent request only if none of it was
// sent), gives up at the route timeout, and reports one outcome.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { RequestBody } from './request-body.js';
import type { AttemptHooks, UpstreamProxy } from './upstream.js';

/** The claim on an endpoint the proxy needs; functions' Lease fits it. */
export interface UpstreamLease {
  readonly endpoint: { readonly origin: string };
  /** Milliseconds the request waited for this endpoint (0 when it never waited). */
  readonly heldMs: number;
  release(): void;
  releaseRefused(): void;
}

export type ExchangeFailure = 'timeout' | 'connect' | 'body-too-large' | 'held-bytes-full' | 'client-error';

export interface ExchangePlan {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly idempotent: boolean;
  readonly body: RequestBody | null;
  /** Another endpoint for a retry (may wait for one); rejects when there is none. */
  nextLease(): Promise<UpstreamLease>;
  /** `heldMs`: every wait of this request for an endpoint, retries included. */
  onResponse(proxyRes: IncomingMessage, heldMs: number): void;
  onFailure(failure: ExchangeFailure, detail: string): void;
  /** The client left after the response began and before it ended; the upstream was cut. */
  onClientLeft(): void;
}

/** Failures where the upstream never produced a response byte and a retry may help. */
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

class Attempt implements AttemptHooks {
  readonly endpoint: UpstreamLease['endpoint'];
  proxyReq: ClientRequest | null = null;
  /** The connection to the upstream was up, so bytes may have been sent. */
  connected = false;
  done = false;

  constructor(
    readonly exchange: ProxyExchange,
    readonly lease: UpstreamLease,
  ) {
    this.endpoint = lease.endpoint;
  }

  get path(): string {
    return this.exchange.plan.path;
  }

  get body(): RequestBody | null {
    return this.exchange.plan.body;
  }

  onProxyRequest(proxyReq: ClientRequest): void {
    this.proxyReq = proxyReq;
    if (this.exchange.finished) {
      proxyReq.destroy();
      return;
    }
    // http-proxy joins the path with a regex pass that turns `http:/` into `http://`
    // (`/e/http:/x` went up as `/e/http://x`); SPEC §2 sends the path as normalised.
    // Its 'proxyReq' comes before the request line is written, for edits like this.
    proxyReq.path = this.path;
    const socket = proxyReq.socket;
    if (socket && !socket.connecting) this.#connected();
    else socket?.once('connect', () => this.#connected());
  }

  onResponse(proxyRes: IncomingMessage): void {
    if (this.done) return;
    this.exchange.responded(this, proxyRes);
  }

  onError(error: NodeJS.ErrnoException): void {
    if (this.done) return;
    this.done = true;
    this.exchange.attemptFailed(this, error);
  }

  #connected(): void {
    this.connected = true;
    this.body?.stopRetaining();
  }
}

const kExchange = Symbol('gatehouse.exchange');
type WithExchange = IncomingMessage & { [kExchange]?: ProxyExchange };

function onUpstreamBodyFailed(this: IncomingMessage): void {
  (this as WithExchange)[kExchange]?.upstreamDied();
}

/** Counts a response body without a declared length, for the access log's bytesOut. */
function onUpstreamData(this: IncomingMessage, chunk: Buffer): void {
  const exchange = (this as WithExchange)[kExchange];
  if (exchange) exchange.countedBytes = (exchange.countedBytes ?? 0) + chunk.length;
}

export class ProxyExchange {
  #attempt: Attempt | null = null;
  #triesLeft: number;
  #timer: NodeJS.Timeout | undefined;
  #responded = false;
  #heldMs = 0;
  #upstreamCut = false;
  finished = false;
  /** performance.now() of the first try and of the upstream's response headers (-1: none yet). */
  startedAt = -1;
  respondedAt = -1;
  upstreamStatus: number | null = null;
  upstreamOrigin: string | null = null;
  /** Response body bytes, counted only when the upstream declared no Content-Length. */
  countedBytes: number | null = null;

  constructor(
    readonly plan: ExchangePlan,
    private readonly proxy: UpstreamProxy,
  ) {
    this.#triesLeft = plan.retries;
  }

  /** Every wait of this request for an endpoint so far, retries included (ms). */
  get heldMs(): number {
    return this.#heldMs;
  }

  /** The gateway cut the client's response because the upstream died mid-body. */
  get cutByUpstream(): boolean {
    return this.#upstreamCut;
  }

  start(lease: UpstreamLease): void {
    this.startedAt = performance.now();
    this.#timer = setTimeout(() => this.#timedOut(), this.plan.timeoutMs);
    this.#try(lease);
  }

  /** The body failed (too large, held budget, client error): stop the upstream, answer. */
  bodyFailed(failure: 'too-large' | 'held-bytes-full' | 'client-error'): void {
    this.#attempt?.proxyReq?.destroy();
    if (this.#attempt) this.#attempt.done = true;
    const kind = failure === 'too-large' ? 'body-too-large' : failure;
    this.#fail(kind, `request body: ${failure}`);
  }

  /**
   * The client's response closed, sent or not: release everything. A client that
   * left before the response ended (an endless stream, SSE, a long poll) stops the
   * upstream at once: its socket is destroyed, never pooled half-read, so the
   * function stops working for nobody and its in-flight slot is free again.
   */
  close(): void {
    const clientLeft = !this.plan.res.writableFinished;
    this.finished = true;
    clearTimeout(this.#timer);
    const attempt = this.#attempt;
    if (!attempt) return;
    attempt.done = true;
    if (clientLeft) {
      attempt.proxyReq?.destroy();
      if (this.#responded && !this.#upstreamCut) this.plan.onClientLeft();
    }
    attempt.lease.release();
  }

  responded(attempt: Attempt, proxyRes: IncomingMessage): void {
    this.#responded = true;
    this.respondedAt = performance.now();
    this.upstreamStatus = proxyRes.statusCode ?? null;
    this.upstreamOrigin = attempt.endpoint.origin;
    clearTimeout(this.#timer);
    // An upstream that dies mid-body must not leave the client hanging. Shared
    // listeners that find the exchange on the response: no closures per request.
    (proxyRes as WithExchange)[kExchange] = this;
    proxyRes.on('aborted', onUpstreamBodyFailed).on('error', onUpstreamBodyFailed);
    if (proxyRes.headers['content-length'] === undefined) {
      this.countedBytes = 0;
      proxyRes.on('data', onUpstreamData);
    }
    if (!attempt.done) this.plan.onResponse(proxyRes, this.#heldMs);
  }

  attemptFailed(attempt: Attempt, error: NodeJS.ErrnoException): void {
    if (this.finished) return;
    if (this.#responded) {
      this.upstreamDied(); // headers already went out: cutting is the only honest answer
      return;
    }
    if (this.#canRetry(attempt, error)) {
      this.#triesLeft--;
      attempt.lease.releaseRefused();
      this.#attempt = null;
      this.plan.nextLease().then(
        (lease) => (this.finished ? lease.release() : this.#try(lease)),
        () => this.#fail('connect', `upstream refused the connection (${error.code ?? error.message})`),
      );
      return;
    }
    this.#fail('connect', `upstream failed: ${error.code ?? error.message}`);
  }

  #canRetry(attempt: Attempt, error: NodeJS.ErrnoException): boolean {
    if (this.#triesLeft <= 0 || this.plan.res.headersSent) return false;
    if (!RETRYABLE_CODES.has(error.code ?? '')) return false;
    const body = this.plan.body;
    if (body !== null && !body.replayable) return false;
    // SPEC §2: a non-idempotent request is retried only when nothing was sent.
    return this.plan.idempotent || !attempt.connected;
  }

  /** The upstream died mid-response: cut the client's too (not the client leaving). */
  upstreamDied(): void {
    this.#upstreamCut = true;
    this.plan.res.destroy();
  }

  #try(lease: UpstreamLease): void {
    this.#heldMs += lease.heldMs;
    const attempt = new Attempt(this, lease);
    this.#attempt = attempt;
    this.proxy.forward(this.plan.req, this.plan.res, attempt);
  }

  #timedOut(): void {
    if (this.finished || this.#responded) return;
    if (this.#attempt) {
      this.#attempt.done = true;
      this.#attempt.proxyReq?.destroy();
    }
    this.#fail('timeout', `upstream did not answer within ${this.plan.timeoutMs} ms`);
  }

  #fail(failure: ExchangeFailure, detail: string): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.#timer);
    this.plan.onFailure(failure, detail);
  }
}
