// The proxy bench's upstream (bench/proxy/): a Node http server answering every
// request 200 with 13 bytes, keep-alive, on 127.0.0.1 and a free port. Prints
// {"event":"listening","port":P} once listening. `node bench/proxy/upstream.mjs`
import http from 'node:http';

const BODY = Buffer.from('hello, world\n');
const HEADERS = { 'content-type': 'text/plain', 'content-length': String(BODY.length) };

const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, HEADERS).end(BODY);
});
// The proxies' pooled connections stay open between the bench's runs.
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.address().port })}\n`);
});
process.once('SIGTERM', () => process.exit(0));
