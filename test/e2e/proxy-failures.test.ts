// SPEC §4: an upstream that refuses is a 502, one that does not answer within
// the route's timeout a 504 (both problem+json); an upstream that dies
// mid-response cuts the client's response instead of leaving it hanging.
import assert from 'node:assert/strict';
import http from 'node:http';
import { send } from '../support/http-client.js';
import { assertProblem } from '../support/problem-assert.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { closedPort, startUpstream, type UpstreamServer } from '../support/upstream-server.js';

describe('proxy: upstream failures', () => {
  let gateway: ProxyGateway;
  let silent: UpstreamServer;
  let dying: UpstreamServer;
  let letDie: () => void = () => {};

  before(async () => {
    silent = await startUpstream(() => {}); // accepts, reads, never answers
    dying = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial ');
      letDie = () => res.socket?.destroy();
    });
    gateway = await startProxyGateway([
      { name: 'refused', match: { path: '/refused' }, upstream: `http://127.0.0.1:${await closedPort()}` },
      { name: 'silent', match: { path: '/silent' }, upstream: silent.origin, timeout: '300ms' },
      { name: 'dying', match: { path: '/dying' }, upstream: dying.origin },
    ]);
  });
  after(async () => {
    await gateway?.stop();
    await Promise.all([silent?.close(), dying?.close()]);
  });

  it('answers 502 problem+json when the upstream refuses the connection', async () => {
    const reply = await send(gateway.url('/refused'));
    assertProblem(reply, 502, 'upstream-failed');
  });

  it('answers 504 problem+json when the upstream accepts but does not answer within the route timeout', async () => {
    const reply = await send(gateway.url('/silent'));
    assertProblem(reply, 504, 'upstream-timeout');
    assert.equal(silent.requests.length, 1, 'the upstream did get the request');
  });

  it('cuts the client response when the upstream dies after the response began', async () => {
    const outcome = await new Promise<{ status: number; body: string; complete: boolean }>((resolve, reject) => {
      http
        .get(gateway.url('/dying'), { agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
            letDie(); // the first bytes arrived: now the upstream goes away
          });
          res.on('error', () => {}); // 'aborted' surfaces here too; the close below is the verdict
          res.once('close', () => resolve({ status: res.statusCode ?? 0, body, complete: res.complete }));
        })
        .once('error', reject);
    });
    assert.deepEqual(outcome, { status: 200, body: 'partial ', complete: false });
  });
});
