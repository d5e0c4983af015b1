// The public listener: node:http straight into the pipeline. No express here: it
// re-prototypes req/res and runs its router on every request, ~100 µs of the
// ~210 µs a bare express proxy spends per request on this machine (BENCHMARKS.md).
// Only routes that list middleware enter express (middleware/chain.ts). No body
// parsers: proxied bodies stream. node's parse errors and upgrades are answered our way.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pipeline, PipelineDeps } from './pipeline.js';
import { Problem } from './problem.js';
import { PublicRequest, PublicResponse } from './public-classes.js';
import { problemForClientError, writeRawProblem } from './raw-problem.js';
import { handleUpgrade } from './upgrade.js';

/** Uploads may take long; the route timeout governs the upstream, not the client's pace. */
const HEADERS_TIMEOUT_MS = 60_000;

export function createPublicServer(pipeline: Pipeline, deps: PipelineDeps): http.Server {
  const options = { requestTimeout: 0, headersTimeout: HEADERS_TIMEOUT_MS, IncomingMessage: PublicRequest, ServerResponse: PublicResponse };
  const server = http.createServer(options, (req, res) => {
    // node's parser takes `GET /a` without a version as HTTP/0.9; no gateway speaks it.
    if (req.httpVersionMajor === 0) return writeRawProblem(req.socket, new Problem(400, 'bad-request', 'HTTP/0.9 is not supported'));
    void pipeline.handle(req, res);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    writeRawProblem(socket, problemForClientError(error.code));
  });
  server.on('upgrade', (req, socket, head) => void handleUpgrade(deps, req, socket, head));
  return server;
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
