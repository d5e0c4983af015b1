// Baseline: node:http + plain http.request + pipe, no library (pipe.mjs).
// UPSTREAM=http://127.0.0.1:PORT; listens on 127.0.0.1 and a free port, prints
// {"event":"listening","port":P}.
import http from 'node:http';
import { pipeProxy } from './pipe.mjs';

const target = process.env.UPSTREAM;
if (!target) throw new Error('UPSTREAM=http://HOST:PORT is required');

const server = http.createServer(pipeProxy(target));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.address().port })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
