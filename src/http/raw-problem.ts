// problem+json on a bare socket: for errors before a request object exists
// (node's own parse errors, oversized headers) and for refused WebSocket upgrades.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { Problem, problemBody } from './problem.js';
import { requestIdFor } from './request-id.js';

export function writeRawProblem(socket: Duplex, problem: Problem, requestId: string = requestIdFor(undefined)): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = problemBody(problem, requestId);
  const extra = Object.entries(problem.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n` +
      'content-type: application/problem+json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\n` +
      extra +
      'connection: close\r\n\r\n' +
      body,
  );
}

/** node's parser errors (RFC 9110 §15.5.20 431 for oversized headers, else 400). */
export function problemForClientError(code: string | undefined): Problem {
  if (code === 'HPE_HEADER_OVERFLOW') return new Problem(431, 'headers-too-large', 'the request headers are too large');
  return new Problem(400, 'bad-request', 'the request could not be parsed');
}
