// The public listener: an express 5 app hosting the pipeline (no body parsers:
// proxied bodies stream), node's parse errors and upgrades answered our way.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Pipeline, PipelineDeps } from './pipeline.js';
import { Problem, sendProblem } from './problem.js';
import { problemForClientError, writeRawProblem } from './raw-problem.js';
import { requestIdFor } from './request-id.js';
import { handleUpgrade } from './upgrade.js';

/** Uploads may take long; the route timeout governs the upstream, not the client's pace. */
const HEADERS_TIMEOUT_MS = 60_000;

export function createPublicServer(pipeline: Pipeline, deps: PipelineDeps): http.Server {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req: Request, res: Response) => {
    // node's parser takes `GET /a` without a version as HTTP/0.9; no gateway speaks it.
    if (req.httpVersionMajor === 0) return writeRawProblem(req.socket, new Problem(400, 'bad-request', 'HTTP/0.9 is not supported'));
    void pipeline.handle(req, res);
  });
  // express's own errors (malformed URI and the like) are problem+json too, never HTML.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    const problem = status >= 400 && status < 500 ? new Problem(status, 'bad-request', 'the request is malformed') : new Problem(500, 'internal', 'the gateway failed');
    const requestId = (res.getHeader('x-request-id') as string | undefined) ?? requestIdFor(req.headers['x-request-id']);
    sendProblem(res, problem, requestId);
  });

  const server = http.createServer({ requestTimeout: 0, headersTimeout: HEADERS_TIMEOUT_MS }, app);
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
