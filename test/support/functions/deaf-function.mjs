// A function that goes deaf: after answering /deaf it closes its listener but
// keeps running, so the gateway still lists it as ready while every connection is
// refused — the "Ready, but the app does not listen" case of SPEC §5 retries.
// Any other path echoes { pid, url }.
import http from 'node:http';

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return void res.writeHead(200).end('ok');
  const body = JSON.stringify({ pid: process.pid, url: req.url });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
  if (req.url === '/deaf') res.once('finish', () => server.close());
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
