// A function for tests, run by the local backend (plain Node, no dependencies).
//   READY_DELAY_MS   answer /healthz only after this long (a slow cold start)
//   NEVER_READY=1    never answer /healthz with 2xx (a cold-start timeout)
//   EXIT_AT_START=1  exit at once (a wake that fails)
//   READY_WHEN_FILE  answer /healthz only once this file exists (a cold start the test ends)
//   BENCH_HRTIME=1   for bench/wake.ts: every answer also carries process.hrtime.bigint() (ns;
//                    CLOCK_MONOTONIC on Linux, comparable across processes) of when this request
//                    came in (x-function-received-hrtime), when the server began listening
//                    (x-function-listening-hrtime) and when /healthz first answered 2xx
//                    (x-function-first-healthz-hrtime), and when that answer was handed to the
//                    kernel (x-function-first-healthz-sent-hrtime), and when its listen callback
//                    returned, having printed its line: the earliest it could take a request
//                    (x-function-listen-done-hrtime); headers, so no extra I/O on the way
//   SILENT=1         print nothing when listening (a function whose only sign of life is its
//                    readiness path: the gateway cannot take its output as a hint)
// It prints one line to stdout when listening (unless SILENT=1). Every answer carries x-function-pid
// and x-function-in-flight (requests this process was handling when it began, itself included).
// Paths:
//   /delay/MS        answer after MS milliseconds
//   /await-file?path=P  answer once file P exists (a barrier the test lifts)
//   /log/TEXT        print TEXT to stdout and to stderr
//   /crash           exit the process without answering
//   /bytes/N         stream N bytes (chunked) of 'x'
//   /endless         stream 'x' forever (chunked, with backpressure)
//   /sse             a text/event-stream event every 20 ms, forever
//                    (both print `stream closed at MS after N bytes` when the connection
//                    goes: MS is Date.now(), so a test can tell how soon it went)
//   /status/CODE     answer with that status
//   anything else    echo: method, path, headers, body (as JSON with its sha256)
import http from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';

if (process.env.EXIT_AT_START === '1') process.exit(3);
const readyAt = Date.now() + Number(process.env.READY_DELAY_MS ?? 0);
let served = 0;
const BENCH_HRTIME = process.env.BENCH_HRTIME === '1';
let listeningHrtime = null;
let listenDoneHrtime = null;
let firstHealthzHrtime = null;
let firstHealthzSentHrtime = null;
let inFlight = 0;

const isReady = () =>
  process.env.NEVER_READY !== '1' && Date.now() >= readyAt && (!process.env.READY_WHEN_FILE || existsSync(process.env.READY_WHEN_FILE));

/** Resolves once `file` exists; polled, as fs.watch is unreliable for a file not created yet. */
const fileExists = (file) => new Promise((resolve) => {
  const check = () => (existsSync(file) ? resolve() : setTimeout(check, 10));
  check();
});

const server = http.createServer((req, res) => {
  if (BENCH_HRTIME) {
    res.setHeader('x-function-received-hrtime', String(process.hrtime.bigint()));
    res.setHeader('x-function-listening-hrtime', String(listeningHrtime));
    res.setHeader('x-function-listen-done-hrtime', String(listenDoneHrtime));
    if (firstHealthzHrtime !== null) res.setHeader('x-function-first-healthz-hrtime', String(firstHealthzHrtime));
    if (firstHealthzSentHrtime !== null) res.setHeader('x-function-first-healthz-sent-hrtime', String(firstHealthzSentHrtime));
  }
  const url = new URL(req.url ?? '/', 'http://function');
  inFlight++;
  res.once('close', () => inFlight--);
  res.setHeader('x-function-pid', String(process.pid));
  res.setHeader('x-function-in-flight', String(inFlight));
  if (url.pathname === '/healthz') {
    const ready = isReady();
    if (ready && BENCH_HRTIME && firstHealthzHrtime === null) {
      firstHealthzHrtime = process.hrtime.bigint();
      res.once('finish', () => (firstHealthzSentHrtime = process.hrtime.bigint()));
    }
    res.writeHead(ready ? 200 : 503).end(ready ? 'ok' : 'starting');
    return;
  }
  served++;
  const parts = url.pathname.split('/');
  if (parts[1] === 'crash') process.exit(1);
  if (parts[1] === 'delay') {
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(`waited ${parts[2]}`), Number(parts[2]));
    return;
  }
  if (parts[1] === 'await-file') {
    void fileExists(url.searchParams.get('path') ?? '').then(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('file exists'));
    return;
  }
  if (parts[1] === 'log') {
    const text = decodeURIComponent(parts.slice(2).join('/'));
    console.log(text);
    console.error(text);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('logged');
    return;
  }
  if (parts[1] === 'status') {
    res.writeHead(Number(parts[2]), { 'content-type': 'text/plain' }).end(`status ${parts[2]}`);
    return;
  }
  if (parts[1] === 'bytes') return streamBytes(res, Number(parts[2]));
  if (parts[1] === 'endless') return streamForever(res);
  if (parts[1] === 'sse') return sendEvents(res);
  const hash = createHash('sha256');
  let bytes = 0;
  const kept = [];
  req.on('data', (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
    if (bytes <= 65536) kept.push(chunk);
  });
  req.on('end', () => {
    const body = JSON.stringify({
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyBytes: bytes,
      bodySha256: hash.digest('hex'),
      body: bytes <= 65536 ? Buffer.concat(kept).toString('utf8') : null,
      pid: process.pid,
      served,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
});

function streamBytes(res, total) {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let left = total;
  const pump = () => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) return res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

function reportClose(res, sent) {
  res.once('close', () => console.log(`stream closed at ${Date.now()} after ${sent()} bytes`));
}

function streamForever(res) {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  reportClose(res, () => sent);
  const pump = () => {
    while (!res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return res.once('drain', pump);
    }
  };
  pump();
}

function sendEvents(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sent = 0;
  let id = 0;
  reportClose(res, () => sent);
  const timer = setInterval(() => {
    const event = `id: ${++id}\ndata: tick ${id}\n\n`;
    sent += event.length;
    res.write(event);
  }, 20);
  res.once('close', () => clearInterval(timer));
}

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1', () => {
  if (BENCH_HRTIME) listeningHrtime = process.hrtime.bigint();
  if (process.env.SILENT !== '1') console.log(`test function listening on ${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT} (pid ${process.pid})`);
  if (BENCH_HRTIME) listenDoneHrtime = process.hrtime.bigint();
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
