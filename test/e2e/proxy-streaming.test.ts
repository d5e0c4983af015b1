// SPEC §4: chunked responses, SSE and WebSocket upgrades pass through as they
// happen. Each upstream here holds its response open until the test has seen the
// part sent so far: a gateway that buffered would deadlock the test, not pass it.
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

/** A response read piece by piece: `next()` resolves with the next chunk, or null at the end. */
function openChunks(url: string): Promise<{ res: http.IncomingMessage; next(): Promise<string | null> }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const queue: Array<string | null> = [];
        const waiting: Array<(chunk: string | null) => void> = [];
        const deliver = (chunk: string | null): void => {
          const waiter = waiting.shift();
          if (waiter) waiter(chunk);
          else queue.push(chunk);
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => deliver(chunk));
        res.once('end', () => deliver(null));
        const next = (): Promise<string | null> => (queue.length > 0 ? Promise.resolve(queue.shift() as string | null) : new Promise((r) => waiting.push(r)));
        resolve({ res, next });
      })
      .once('error', reject);
  });
}

/** A promise with its resolver, for an upstream to wait on the test. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('proxy: streaming responses and upgrades', () => {
  let gateway: ProxyGateway;
  let upstream: UpstreamServer;
  let sockets: WebSocketServer;
  const gates: Array<ReturnType<typeof gate>> = [];

  before(async () => {
    upstream = await startUpstream(async (req, res) => {
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first;');
        await gates[0]?.opened;
        res.end('last');
      } else if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        for (let i = 0; i < 3; i++) {
          res.write(`id: ${i}\nevent: tick\ndata: {"n":${i}}\n\n`);
          await gates[i]?.opened;
        }
        res.end();
      }
    });
    sockets = new WebSocketServer({ server: upstream.server });
    sockets.on('connection', (socket, req) => {
      socket.send(`hello ${req.url}`);
      socket.on('message', (data) => socket.send(`echo: ${String(data)}`));
    });
    gateway = await startProxyGateway([
      { name: 'chunked', match: { path: '/chunked', methods: ['GET'] }, upstream: upstream.origin },
      { name: 'events', match: { path: '/events', methods: ['GET'] }, upstream: upstream.origin },
      { name: 'socket', match: { path: '/ws/:room', methods: ['GET'] }, upstream: upstream.origin, rewrite: '/rooms/:room' },
    ]);
  });
  beforeEach(() => gates.splice(0, gates.length, gate(), gate(), gate()));
  afterEach(() => gates.forEach((g) => g.open())); // never leave an upstream response waiting
  after(async () => {
    await gateway?.stop();
    sockets?.close();
    await upstream?.close();
  });

  it('delivers the first chunk of a chunked response before the upstream has ended it', async () => {
    const { res, next } = await openChunks(gateway.url('/chunked'));
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(await next(), 'first;'); // the upstream is still waiting for this
    gates[0]?.open();
    assert.equal(await next(), 'last');
    assert.equal(await next(), null);
  });

  it('passes server-sent events through one by one as text/event-stream', async () => {
    const { res, next } = await openChunks(gateway.url('/events'));
    assert.equal(res.headers['content-type'], 'text/event-stream');
    for (let i = 0; i < 3; i++) {
      assert.equal(await next(), `id: ${i}\nevent: tick\ndata: {"n":${i}}\n\n`);
      gates[i]?.open(); // the next event is written only now
    }
    assert.equal(await next(), null);
  });

  it('passes a WebSocket upgrade through and echoes messages both ways', async () => {
    const client = new WebSocket(`ws://127.0.0.1:${gateway.process.port}/ws/lobby`);
    const received: string[] = [];
    const messages: Array<(text: string) => void> = [];
    client.on('message', (data) => {
      const waiter = messages.shift();
      if (waiter) waiter(String(data));
      else received.push(String(data));
    });
    const nextMessage = (): Promise<string> => (received.length > 0 ? Promise.resolve(received.shift() as string) : new Promise((r) => messages.push(r)));
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('open', resolve);
        client.once('error', reject);
      });
      assert.equal(await nextMessage(), 'hello /rooms/lobby', 'upstream → client, on the rewritten path');
      client.send('ping');
      assert.equal(await nextMessage(), 'echo: ping', 'client → upstream → client');
    } finally {
      client.close(1000);
    }
    assert.equal(await closed, 1000);
  });
});
