// Upstream servers a test controls, on 127.0.0.1 port 0: every request is
// recorded as it arrives (method, url, headers) and its body is tallied as it
// flows, so a test can assert what the upstream saw — and what it never saw.
import { createHash } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { ByteCounter } from './byte-streams.js';

export interface ReceivedBody {
  readonly bytes: number;
  readonly sha256: string;
  /** The body ended normally (false: the connection was cut mid-body). */
  readonly complete: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Which TCP connection it came on: 1 for the server's first, and so on. */
  readonly connection: number;
  /** Body bytes received so far; `received.reached(n)` waits for n. */
  readonly received: ByteCounter;
  /** Settles when the body ended or was cut. */
  readonly body: Promise<ReceivedBody>;
}

export type UpstreamHandler = (req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest) => void;

export interface UpstreamServer {
  readonly server: http.Server;
  readonly port: number;
  /** `http://127.0.0.1:PORT`, for `upstream:` in a route. */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Resolves with the next request to arrive after this call. */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/** The default handler: answer 200 JSON with what was received, once the body ended. */
export const echoRequest: UpstreamHandler = (req, res, record) => {
  void record.body.then((body) => {
    const text = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyBytes: body.bytes, bodySha256: body.sha256 });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  });
};

export async function startUpstream(handler: UpstreamHandler = echoRequest): Promise<UpstreamServer> {
  const requests: RecordedRequest[] = [];
  const waiters: Array<(record: RecordedRequest) => void> = [];
  let connections = 0;
  const connectionIds = new WeakMap<object, number>();
  const server = http.createServer((req, res) => {
    const record = recordRequest(req, connectionIds.get(req.socket) ?? 0);
    requests.push(record);
    for (const waiter of waiters.splice(0)) waiter(record);
    handler(req, res, record);
  });
  server.on('connection', (socket) => connectionIds.set(socket, ++connections));
  const port = await listenOnLoopback(server);
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => closeServer(server),
  };
}

function recordRequest(req: http.IncomingMessage, connection: number): RecordedRequest {
  const hash = createHash('sha256');
  const received = new ByteCounter();
  const body = new Promise<ReceivedBody>((resolve) => {
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      received.add(chunk.length);
    });
    req.once('end', () => resolve({ bytes: received.bytes, sha256: hash.digest('hex'), complete: true }));
    // 'close' without 'end': the sender cut the body off.
    req.once('close', () => resolve({ bytes: received.bytes, sha256: '', complete: false }));
  });
  return { method: req.method ?? '', url: req.url ?? '', headers: req.headers, connection, received, body };
}

export function listenOnLoopback(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Close a server and cut its open connections (a hung request must not keep it alive). */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A port that was listening and is closed now: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
