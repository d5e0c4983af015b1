// Example function: a JSON greeting. Plain Node, no dependencies; listens on
// HOST:PORT as the local backend tells it (SPEC §5).
import http from 'node:http';

const greeting = process.env.GREETING ?? 'hello';
const startedAt = new Date().toISOString();

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  const body = JSON.stringify({ message: `${greeting} from Gatehouse`, pid: process.pid, startedAt });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
});

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
