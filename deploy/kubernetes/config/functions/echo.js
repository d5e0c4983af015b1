// Example function: answers with the method, path, query, headers and body it
// received, as JSON. Plain Node, no dependencies (SPEC §5, local backend).
// Extras for trying the gateway out: GET /echo/stream/N streams N chunked lines,
// GET /echo/sse/N sends N server-sent events, and a WebSocket upgrade echoes frames.
import http from 'node:http';
import { createHash } from 'node:crypto';

let served = 0;

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200).end('ok');
    return;
  }
  served++;
  const url = new URL(req.url ?? '/', 'http://function');
  const stream = /^\/echo\/stream\/(\d+)$/.exec(url.pathname);
  if (stream) return streamLines(res, Number(stream[1]));
  const sse = /^\/echo\/sse\/(\d+)$/.exec(url.pathname);
  if (sse) return sendEvents(res, Number(sse[1]));
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const answer = JSON.stringify({
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: body.toString('utf8'),
      bodyBytes: body.length,
      pid: process.pid,
      served,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
  });
});

function streamLines(res, count) {
  res.writeHead(200, { 'content-type': 'text/plain' });
  let sent = 0;
  const timer = setInterval(() => {
    res.write(`line ${++sent}\n`);
    if (sent >= count) {
      clearInterval(timer);
      res.end();
    }
  }, 5);
}

function sendEvents(res, count) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sent = 0;
  const timer = setInterval(() => {
    res.write(`id: ${++sent}\ndata: event ${sent}\n\n`);
    if (sent >= count) {
      clearInterval(timer);
      res.end();
    }
  }, 5);
}

// A minimal RFC 6455 echo: enough to show upgrades pass through the gateway.
server.on('upgrade', (req, socket) => {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  socket.on('data', (frame) => {
    const text = decodeFrame(frame);
    if (text !== null) socket.write(encodeFrame(`echo: ${text}`));
  });
  socket.on('error', () => socket.destroy());
});

function decodeFrame(frame) {
  if (frame.length < 6 || (frame[0] & 0x0f) !== 0x1) return null;
  let length = frame[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    offset = 4;
  }
  const mask = frame.subarray(offset, offset + 4);
  const payload = frame.subarray(offset + 4, offset + 4 + length);
  return Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4])).toString('utf8');
}

function encodeFrame(text) {
  const payload = Buffer.from(text);
  const header = payload.length < 126 ? Buffer.from([0x81, payload.length]) : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
