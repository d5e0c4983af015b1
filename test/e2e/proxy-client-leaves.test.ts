// A client that leaves before the response ends stops the upstream at once: an
// endless download, an SSE stream or a WebSocket whose client is gone must not go
// on working for nobody, holding the function's in-flight slot and the gateway's
// memory. Tried before the fix: the upstream kept streaming 64 MB over 20 s.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { GatewayProcess } from '../support/gateway-process.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { listenOnLoopback } from '../support/upstream-server.js';
import { metric, untilStatus, useWakeGateway } from '../support/wake.js';

/** How soon the upstream must see its connection closed once the client left. */
const CLOSE_WITHIN_MS = 100;

/** GET `url` and read until `enough` bytes arrived, then stop reading; `leave()` cuts the connection. */
function readUntil(url: string, enough: number): Promise<{ status: number; leave(): number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes < enough || res.isPaused()) return;
        res.pause();
        resolve({
          status: res.statusCode ?? 0,
          leave: () => {
            req.destroy();
            return Date.now();
          },
        });
      });
    });
    req.once('error', (error) => (req.destroyed ? undefined : reject(error)));
  });
}

/** The function's own report of its stream closing (test-function.mjs), as the gateway logged it. */
async function streamClosed(gateway: GatewayProcess, after: number): Promise<{ at: number; bytes: number }> {
  const line = await gateway.waitForLog((l) => l.function === 'streamer' && typeof l.msg === 'string' && l.msg.startsWith('stream closed at ') && Number(l.msg.split(' ')[3]) >= after);
  const [, , , at, , bytes] = String(line.msg).split(' ');
  return { at: Number(at), bytes: Number(bytes) };
}

describe('proxy: the client leaves before the response ends', function () {
  this.timeout(30_000);

  describe('from a function', () => {
    const env = useWakeGateway(() => ({ streamer: {} }));

    for (const [stream, enough] of [
      ['an endless download, after 256 KiB', 256 * 1024],
      ['an SSE stream, after three events', 3 * 'id: 1\ndata: tick 1\n\n'.length],
    ] as const) {
      it(`${stream}: the function sees its connection closed within ${CLOSE_WITHIN_MS} ms and its in-flight count returns to 0`, async () => {
        const { gateway, url } = env();
        const path = stream.includes('SSE') ? '/sse' : '/endless';
        const reading = await readUntil(url('streamer', path), enough);
        assert.equal(reading.status, 200);
        const inFlight = await untilStatus(gateway, 'streamer', 'the stream in flight', (view) => view.inFlight === 1);
        assert.equal(inFlight.endpoints.length, 1);
        const leftAt = reading.leave();
        const closed = await streamClosed(gateway, leftAt - 1000);
        assert.ok(closed.at - leftAt < CLOSE_WITHIN_MS, `the function's stream closed ${closed.at - leftAt} ms after the client left`);
        await untilStatus(gateway, 'streamer', 'nothing in flight', (view) => view.inFlight === 0 && view.endpoints.every((e) => e.inFlight === 0));
        assert.equal(await metric(gateway, 'gatehouse_client_disconnects_total', { route: 'streamer' }), 1);
      });
    }

    it('counts nothing for a response the client read to its end', async () => {
      const { gateway, url } = env();
      const reply = await new Promise<number>((resolve, reject) => {
        http.get(url('streamer', '/bytes/300000'), { agent: false }, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.once('end', () => resolve(bytes));
        }).once('error', reject);
      });
      assert.equal(reply, 300000);
      assert.equal((await metric(gateway, 'gatehouse_client_disconnects_total', { route: 'streamer' })) ?? 0, 0);
    });
  });

  describe('from a WebSocket upstream', () => {
    let gateway: ProxyGateway;
    let upstream: http.Server;
    let sockets: WebSocketServer;
    const closes: Array<{ at: number }> = [];

    before(async () => {
      upstream = http.createServer();
      sockets = new WebSocketServer({ server: upstream });
      sockets.on('connection', (socket) => {
        socket.send('hello');
        socket.once('close', () => closes.push({ at: Date.now() }));
      });
      const port = await listenOnLoopback(upstream);
      gateway = await startProxyGateway([{ name: 'ws', match: { path: '/ws' }, upstream: `http://127.0.0.1:${port}` }]);
    });
    after(async () => {
      await gateway?.stop();
      sockets?.close();
      upstream?.closeAllConnections();
      await new Promise((resolve) => upstream?.close(resolve));
    });

    /** Wait for the next close the upstream sees; how long after `since` it came. */
    async function upstreamClosedAfter(since: number): Promise<number> {
      const deadline = Date.now() + 5000;
      while (closes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      const closed = closes.shift();
      assert.ok(closed, 'the upstream saw the socket close');
      return closed.at - since;
    }

    it(`a client that closes its socket (no close frame) closes the upstream socket within ${CLOSE_WITHIN_MS} ms`, async () => {
      const client = new WebSocket(gateway.url('/ws').replace('http:', 'ws:'));
      await new Promise<void>((resolve, reject) => {
        client.once('message', () => resolve());
        client.once('error', reject);
      });
      const leftAt = Date.now();
      client.terminate();
      const after = await upstreamClosedAfter(leftAt);
      assert.ok(after < CLOSE_WITHIN_MS, `closed ${after} ms after the client left`);
    });

    it(`a client that vanishes with a reset (no FIN for the pipe to pass on) closes the upstream socket within ${CLOSE_WITHIN_MS} ms`, async () => {
      const socket = net.connect(gateway.process.port, '127.0.0.1');
      socket.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      let received = '';
      await new Promise<void>((resolve, reject) => {
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          if (received.includes('hello')) resolve(); // the 101 and the upstream's first frame
        });
        socket.once('error', reject);
      });
      assert.match(received, /^HTTP\/1\.1 101 /);
      const leftAt = Date.now();
      socket.resetAndDestroy();
      const after = await upstreamClosedAfter(leftAt);
      assert.ok(after < CLOSE_WITHIN_MS, `closed ${after} ms after the client left`);
    });
  });
});
