// The repo's own examples, as `npm start` serves them: a cold start with
// Server-Timing, a 404 as problem+json, and /admin/functions.
import assert from 'node:assert/strict';
import path from 'node:path';
import { startGatewayProcess, ADMIN_TOKEN, type GatewayProcess } from '../support/gateway-process.js';
import { adminHeaders, send } from '../support/http-client.js';

describe('the example config (npm start)', () => {
  let gateway: GatewayProcess;

  before(async () => {
    gateway = await startGatewayProcess({
      root: '.',
      routesDir: path.resolve('routes'),
      policiesDir: path.resolve('policies'),
      functionsFile: path.resolve('deploy/local/functions.yaml'),
      write: () => {},
      remove: () => {},
    });
  });
  after(async () => {
    assert.equal(await gateway.stop(), 0);
  });

  it('wakes hello on the first request and says how long it waited', async () => {
    const first = await send(gateway.url('/hello'));
    assert.equal(first.status, 200);
    assert.match(first.json<{ message: string }>().message, /hello/);
    assert.match(String(first.headers['server-timing']), /^wake;dur=\d+$/);
    const second = await send(gateway.url('/hello'));
    assert.equal(second.status, 200);
    assert.equal(second.headers['server-timing'], undefined);
  });

  it('echoes a POST body, method and query', async () => {
    const reply = await send(gateway.url('/echo?x=1'), { method: 'POST', body: 'hi there', headers: { 'content-type': 'text/plain' } });
    assert.equal(reply.status, 200);
    const echoed = reply.json<{ method: string; path: string; query: Record<string, string>; body: string }>();
    assert.deepEqual([echoed.method, echoed.path, echoed.query, echoed.body], ['POST', '/echo', { x: '1' }, 'hi there']);
  });

  it('answers an unknown path with a 404 problem+json carrying the request id', async () => {
    const reply = await send(gateway.url('/nowhere'), { headers: { 'x-request-id': 'trace-123' } });
    assert.equal(reply.status, 404);
    assert.equal(reply.headers['content-type'], 'application/problem+json');
    assert.equal(reply.headers['x-request-id'], 'trace-123');
    assert.deepEqual(reply.json(), {
      type: 'urn:gatehouse:problem:route-not-found',
      title: 'Not Found',
      status: 404,
      detail: 'no route matches this request',
      requestId: 'trace-123',
    });
  });

  it('runs the example route middleware: no X-Tenant is 400 before any wake, with one it reaches echo and is stamped', async () => {
    const refused = await send(gateway.url('/tenant/echo'));
    assert.equal(refused.status, 400);
    assert.match(refused.json<{ detail: string }>().detail, /X-Tenant is required/);
    const passed = await send(gateway.url('/tenant/echo'), { headers: { 'x-tenant': 'acme' } });
    assert.equal(passed.status, 200);
    assert.equal(passed.headers['x-served-via'], 'tenant-middleware');
    assert.equal(passed.json<{ path: string }>().path, '/echo/tenant');
  });

  it('lists woken functions with their endpoints in /admin/functions', async () => {
    const reply = await send(gateway.adminUrl('/admin/functions'), { headers: adminHeaders(ADMIN_TOKEN) });
    assert.equal(reply.status, 200);
    const hello = reply.json<{ functions: Array<{ name: string; endpoints: unknown[]; lastWake: { outcome: string } }> }>().functions.find((f) => f.name === 'hello');
    assert.equal(hello?.endpoints.length, 1);
    assert.equal(hello?.lastWake.outcome, 'ready');
  });
});
