// Large bodies for tests, streamed with backpressure and hashed on the fly so
// neither side holds them whole: what is asserted is the sha256 of every byte.
// A transfer can be held at an offset until the other side has seen enough of
// it: proof that bytes flow through the gateway before the sender is done.
import { createHash } from 'node:crypto';
import http from 'node:http';

const CHUNK = 64 * 1024;

/** Counts bytes as they pass; `reached(n)` resolves once n have passed. */
export class ByteCounter {
  #bytes = 0;
  #waiters: Array<{ bytes: number; resolve: () => void }> = [];

  get bytes(): number {
    return this.#bytes;
  }

  add(n: number): void {
    this.#bytes += n;
    this.#waiters = this.#waiters.filter((w) => (w.bytes <= this.#bytes ? (w.resolve(), false) : true));
  }

  reached(bytes: number): Promise<void> {
    if (bytes <= this.#bytes) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ bytes, resolve }));
  }
}

/** Chunk `index` of a patterned body: distinct per chunk, so a dropped, doubled or
 * reordered chunk changes the hash. */
export function patternChunk(index: number, size: number): Buffer {
  const chunk = Buffer.alloc(size, index % 251);
  for (let at = 0; at + 4 <= size; at += 4096) chunk.writeUInt32BE(index, at);
  return chunk;
}

/** The sha256 of the patterned body of `total` bytes. */
export function patternSha256(total: number): string {
  const hash = createHash('sha256');
  for (let i = 0, left = total; left > 0; i++, left -= CHUNK) hash.update(patternChunk(i, Math.min(CHUNK, left)));
  return hash.digest('hex');
}

/** Hold the sender once it has sent `afterBytes` (rounded up to a 64 KiB chunk) until `until()` resolves. */
export interface Hold {
  readonly afterBytes: number;
  readonly until: () => Promise<void>;
}

/** Write the patterned body of `total` bytes to `out` (then end it), respecting backpressure. */
export async function writePattern(out: NodeJS.WritableStream, total: number, hold?: Hold): Promise<void> {
  let failed: Error | null = null;
  out.once('error', (error: Error) => (failed = error));
  let sent = 0;
  let held = hold === undefined;
  for (let index = 0; sent < total && failed === null; index++) {
    if (!held && sent >= (hold as Hold).afterBytes) {
      held = true;
      await (hold as Hold).until();
    }
    const piece = patternChunk(index, Math.min(CHUNK, total - sent));
    sent += piece.length;
    if (!out.write(piece)) await drainOrClose(out);
  }
  if (failed !== null) throw failed;
  out.end();
}

function drainOrClose(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

export interface StreamedReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly bytes: number;
  readonly sha256: string;
  /** The body as text when it is small (JSON replies), else ''. */
  readonly text: string;
}

/** Read a response body as it streams: count, hash, keep only a small one. */
export function readStreamed(res: http.IncomingMessage, counter = new ByteCounter()): Promise<StreamedReply> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    res.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      if (counter.bytes + chunk.length <= CHUNK) kept.push(chunk);
      counter.add(chunk.length);
    });
    res.once('end', () =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: counter.bytes, sha256: hash.digest('hex'), text: counter.bytes <= CHUNK ? Buffer.concat(kept).toString() : '' }),
    );
    res.once('error', reject);
  });
}

/** POST the patterned body: with Content-Length, or chunked (no length). */
export function uploadPattern(url: string, total: number, framing: 'content-length' | 'chunked', hold?: Hold): Promise<StreamedReply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/octet-stream' };
    if (framing === 'content-length') headers['content-length'] = total;
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => readStreamed(res).then(resolve, reject));
    req.once('error', reject);
    writePattern(req, total, hold).catch(reject);
  });
}

export function download(url: string, counter?: ByteCounter): Promise<StreamedReply> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => readStreamed(res, counter).then(resolve, reject)).once('error', reject);
  });
}
