// SPEC §2 `retries`, §5: a connection refused or reset before any response byte is
// retried within the route's retries — on another endpoint for a function — and a
// non-idempotent request only when none of it was sent.
import assert from 'node:assert/strict';
import path from 'node:path';
import { send } from '../support/http-client.js';
import { assertProblem } from '../support/problem-assert.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { echoRequest, startUpstream, type UpstreamServer } from '../support/upstream-server.js';

const functionCommand = (file: string): string[] => ['node', path.resolve('test/support/functions', file)];

describe('proxy: retries', () => {
  let gateway: ProxyGateway;
  /** Resets the connection of every request while `resetsLeft` > 0, then serves. */
  let resetting: UpstreamServer;
  let resetsLeft = 0;

  before(async () => {
    resetting = await startUpstream((req, res, record) => {
      if (resetsLeft === 0) return echoRequest(req, res, record);
      resetsLeft--;
      req.socket.resetAndDestroy();
    });
    gateway = await startProxyGateway(
      [
        { name: 'resetting', match: { path: '/resetting' }, upstream: resetting.origin, retries: 1 },
        { name: 'crashing', match: { path: '/crashing/*' }, function: 'crashing', rewrite: '/*', retries: 1 },
        { name: 'deaf', match: { path: '/deaf/*' }, function: 'deaf', rewrite: '/*', retries: 1 },
        { name: 'deaf-no-retry', match: { path: '/deaf-no-retry/*' }, function: 'deaf-too', rewrite: '/*', retries: 0 },
      ],
      {
        functions: {
          functions: {
            crashing: { command: functionCommand('test-function.mjs') },
            deaf: { command: functionCommand('deaf-function.mjs'), maxInstances: 3 },
            'deaf-too': { command: functionCommand('deaf-function.mjs'), maxInstances: 3 },
          },
        },
      },
    );
  });
  afterEach(() => (resetsLeft = 0));
  after(async () => {
    await gateway?.stop();
    await resetting?.close();
  });

  it('retries a GET whose connection was reset before any response byte', async () => {
    resetsLeft = 1;
    const reply = await send(gateway.url('/resetting'));
    assert.equal(reply.status, 200, reply.text());
    assert.equal(resetsLeft, 0, 'the first try was reset');
  });

  it('answers 502 when the reset repeats beyond the route\'s retries', async () => {
    resetsLeft = 2;
    assertProblem(await send(gateway.url('/resetting')), 502, 'upstream-failed');
    assert.equal(resetsLeft, 0, 'one try and one retry');
  });

  it('does not retry a POST whose bytes may have reached the upstream', async () => {
    resetsLeft = 2;
    assertProblem(await send(gateway.url('/resetting'), { method: 'POST', body: 'pay once' }), 502, 'upstream-failed');
    assert.equal(resetsLeft, 1, 'one try only');
  });

  it('retries a GET refused by an instance that stopped listening on a fresh instance', async () => {
    const deafened = await send(gateway.url('/deaf/deaf'));
    assert.equal(deafened.status, 200);
    // The deaf instance still runs and is still listed as ready: the first try is refused.
    const reply = await send(gateway.url('/deaf/hello'));
    assert.equal(reply.status, 200, reply.text());
    assert.notEqual(reply.json<{ pid: number }>().pid, deafened.json<{ pid: number }>().pid);
  });

  it('answers 502 for the same refusal on a route with retries: 0', async () => {
    const deafened = await send(gateway.url('/deaf-no-retry/deaf'));
    assert.equal(deafened.status, 200);
    assertProblem(await send(gateway.url(`/deaf-no-retry/hello`)), 502, 'upstream-failed');
  });

  it('serves the GET after a function instance crashed from a fresh instance, not a 502', async () => {
    let pid = (await send(gateway.url('/crashing/first'))).json<{ pid: number }>().pid;
    for (let round = 0; round < 3; round++) {
      await send(gateway.url('/crashing/crash')).catch(() => null); // exits without answering
      const next = await send(gateway.url(`/crashing/after-${round}`));
      assert.equal(next.status, 200, `round ${round}: ${next.text()}`);
      const echoed = next.json<{ pid: number; url: string }>();
      assert.equal(echoed.url, `/after-${round}`);
      assert.notEqual(echoed.pid, pid, 'a fresh instance answered');
      pid = echoed.pid;
    }
  });
});
