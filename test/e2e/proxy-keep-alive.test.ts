// Connections are reused on both sides: a keep-alive client keeps one connection
// to the gateway, and the gateway's shared keep-alive agent keeps one connection
// to the upstream for sequential requests (src/proxy/agents.ts: without it every
// request opens a connection and sends `Connection: close`).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { send, type Reply } from '../support/http-client.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

describe('proxy: keep-alive', () => {
  let gateway: ProxyGateway;
  let upstream: UpstreamServer;

  before(async () => {
    upstream = await startUpstream();
    gateway = await startProxyGateway([
      { name: 'a', match: { path: '/a' }, upstream: upstream.origin },
      { name: 'b', match: { path: '/b/*' }, upstream: upstream.origin },
    ]);
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('serves sequential requests from a keep-alive client on one connection, without Connection: close', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<Socket>();
    const replies: Reply[] = [];
    try {
      for (const target of ['/a', '/b/1', '/a']) {
        const reply = await sendOn(agent, gateway.url(target), sockets);
        replies.push(reply);
      }
    } finally {
      agent.destroy();
    }
    assert.deepEqual(replies.map((reply) => reply.status), [200, 200, 200]);
    for (const reply of replies) assert.notEqual(reply.headers.connection, 'close');
    assert.equal(sockets.size, 1, 'one client connection for all requests');
  });

  it('answers a client that sent Connection: close with Connection: close (RFC 9112 §9.6)', async () => {
    const reply = await send(gateway.url('/a'), { headers: { connection: 'close' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.connection, 'close');
  });

  it('sends sequential requests to the upstream over one connection (the shared agent)', async () => {
    const connectionsBefore = upstream.connections();
    const seen: Array<{ connection: number; header: string | undefined }> = [];
    for (let i = 0; i < 5; i++) {
      const arrived = upstream.nextRequest();
      // A fresh client connection each time: reuse upstream is the gateway's doing alone.
      assert.equal((await send(gateway.url(i % 2 === 0 ? '/a' : `/b/${i}`))).status, 200);
      const request = await arrived;
      seen.push({ connection: request.connection, header: request.headers.connection });
    }
    assert.equal(new Set(seen.map((s) => s.connection)).size, 1, `upstream connections used: ${JSON.stringify(seen)}`);
    assert.ok(upstream.connections() - connectionsBefore <= 1, 'at most one new upstream connection for 5 requests');
    assert.ok(seen.every((s) => s.header !== 'close'), 'the gateway never asks the upstream to close');
  });
});

/** One request on `agent`, recording the socket it went out on. */
function sendOn(agent: http.Agent, url: string, sockets: Set<Socket>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: () => body.toString(), json: <T>() => JSON.parse(body.toString()) as T });
      });
    });
    req.once('socket', (socket: Socket) => sockets.add(socket));
    req.once('error', reject);
  });
}
