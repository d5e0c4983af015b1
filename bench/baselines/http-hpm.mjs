// Baseline: node:http + http-proxy-middleware 3 with a keep-alive agent, no
// express: the middleware is the server's request listener. UPSTREAM=http://127.0.0.1:PORT;
// listens on 127.0.0.1 and a free port, prints {"event":"listening","port":P}.
import http from 'node:http';
import { createProxyMiddleware } from 'http-proxy-middleware';

const target = process.env.UPSTREAM;
if (!target) throw new Error('UPSTREAM=http://HOST:PORT is required');
const agent = new http.Agent({ keepAlive: true });

const server = http.createServer(createProxyMiddleware({ target, agent }));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.address().port })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
