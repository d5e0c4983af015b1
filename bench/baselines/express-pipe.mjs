// Baseline: express 5 + plain http.request + pipe (pipe.mjs): what express itself
// costs a proxy. UPSTREAM=http://127.0.0.1:PORT; listens on 127.0.0.1 and a free
// port, prints {"event":"listening","port":P}.
import express from 'express';
import { pipeProxy } from './pipe.mjs';

const target = process.env.UPSTREAM;
if (!target) throw new Error('UPSTREAM=http://HOST:PORT is required');

const app = express();
app.use(pipeProxy(target));

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.address().port })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
