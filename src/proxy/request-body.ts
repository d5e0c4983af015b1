// A proxied request body that can be replayed. Bodies stream (no buffering on the
// normal path), but two moments need the bytes again: a request held while its
// function wakes keeps its body here until released (SPEC §5), and a request
// whose upstream refused the connection is retried with the same body (nothing
// was sent). Chunks are retained only until the upstream connection is up.
// It also enforces maxBodySize on bodies without Content-Length (SPEC §2).
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export type BodyFailure = 'too-large' | 'held-bytes-full' | 'client-error';

export class BodyError extends Error {
  constructor(readonly failure: BodyFailure) {
    super(`request body: ${failure}`);
    this.name = 'BodyError';
  }
}

class AttemptStream extends Readable {
  constructor(private readonly body: RequestBody) {
    super();
    // pipe() puts no 'error' listener on its source, and an unhandled 'error' kills
    // the process: a chunked body past maxBodySize crashed the gateway. The failure
    // reaches the exchange through onFailure; here it only has to be observed.
    this.on('error', () => {});
  }
  override _read(): void {
    this.body.resumeSource();
  }
}

export class RequestBody {
  readonly #req: IncomingMessage;
  readonly #limit: number;
  #onFailure: ((failure: BodyFailure) => void) | null = null;
  #failure: BodyFailure | null = null;
  #retained: Buffer[] | null = [];
  #received = 0;
  #ended = false;
  #reading = false;
  #sink: AttemptStream | null = null;
  #reserve: ((bytes: number) => boolean) | null = null;
  #reserved = 0;

  constructor(req: IncomingMessage, limitBytes: number) {
    this.#req = req;
    this.#limit = limitBytes;
  }

  /** Body bytes read from the client so far (the access log's bytesIn). */
  get receivedBytes(): number {
    return this.#received;
  }

  /** How the body failed, or null. */
  get failure(): BodyFailure | null {
    return this.#failure;
  }

  /** Who hears of a failure: whoever holds the request now (middleware, the hold, the exchange). */
  onFailure(listener: (failure: BodyFailure) => void): void {
    this.#onFailure = listener;
    if (this.#failure !== null) listener(this.#failure);
  }

  /**
   * Route middleware may read the body (a JSON parser, a signature check). Whatever
   * it reads is retained too, so the function still gets the whole body: reading
   * starts with the first reader the middleware attaches, never before (a body
   * read ahead of it could end before a later middleware looked). Returns the
   * function that stops watching for readers.
   */
  retainWhatMiddlewareReads(): () => void {
    const onListener = (event: string | symbol): void => {
      if (event === 'data' || event === 'readable') this.#startReading();
    };
    this.#req.on('newListener', onListener);
    return () => this.#req.off('newListener', onListener);
  }

  /** Read the body into memory while the request is held; `reserve` accounts its bytes. */
  bufferWhileHeld(reserve: (bytes: number) => boolean): void {
    this.#reserve = reserve;
    this.#startReading();
  }

  /** Stop charging bytes to the held budget; returns how many were charged. */
  endHeldAccounting(): number {
    const reserved = this.#reserved;
    this.#reserve = null;
    this.#reserved = 0;
    return reserved;
  }

  /** A fresh stream for one upstream attempt: what was retained, then the rest as it comes. */
  openAttempt(): Readable {
    const stream = new AttemptStream(this);
    this.#sink = stream;
    for (const chunk of this.#retained ?? []) stream.push(chunk);
    if (this.#ended) stream.push(null);
    this.#startReading();
    return stream;
  }

  /** The upstream connection is up: the bytes need not be kept for a retry any more. */
  stopRetaining(): void {
    this.#retained = null;
  }

  /** Bytes kept for a replay (what a retry that must wait holds in memory). */
  get retainedBytes(): number {
    let bytes = 0;
    for (const chunk of this.#retained ?? []) bytes += chunk.length;
    return bytes;
  }

  get replayable(): boolean {
    return this.#retained !== null && this.#failure === null;
  }

  resumeSource(): void {
    if (this.#reading && !this.#ended) this.#req.resume();
  }

  #startReading(): void {
    if (this.#reading) return;
    this.#reading = true;
    this.#req.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#req.on('end', () => {
      this.#ended = true;
      this.#sink?.push(null);
    });
    this.#req.on('error', () => this.#fail('client-error'));
  }

  #onData(chunk: Buffer): void {
    if (this.#failure !== null) return;
    this.#received += chunk.length;
    if (this.#received > this.#limit) return this.#fail('too-large');
    if (this.#reserve !== null) {
      if (!this.#reserve(chunk.length)) return this.#fail('held-bytes-full');
      this.#reserved += chunk.length;
    }
    this.#retained?.push(chunk);
    if (this.#sink !== null && !this.#sink.push(chunk)) this.#req.pause();
  }

  #fail(failure: BodyFailure): void {
    if (this.#failure !== null) return;
    this.#failure = failure;
    this.#retained = null;
    this.#req.pause();
    // Destroying the attempt stream (never ending it) keeps the upstream from
    // receiving a complete oversized body.
    this.#sink?.destroy(new BodyError(failure));
    this.#onFailure?.(failure);
  }
}
