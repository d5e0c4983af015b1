// The admin listener (SPEC §6): health, readiness and metrics open; the admin
// API behind the bearer token (401 without or with a wrong one, 403 when no
// token is configured); routes in priority order; explain; no listener at -1.
import assert from 'node:assert/strict';
import { makeConfigDir } from '../support/config-dir.js';
import { ADMIN_TOKEN, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { adminHeaders, send, type Reply } from '../support/http-client.js';
import { sampleValue } from '../support/metrics.js';
import { startUpstream, type TestUpstream } from '../support/held-upstream.js';

// Declared in the reverse of their match priority: the table, not the file, orders them.
const routes = (origin: string): string => `routes:
  - name: api-prefix
    match: { path: /api/* }
    upstream: ${origin}
    auth: public
  - name: api-item
    match: { path: /api/:id, methods: [GET] }
    upstream: ${origin}
    auth: public
  - name: api-users
    match: { path: /api/users, methods: [GET] }
    upstream: ${origin}
    auth: public
`;

const GUARDED: Array<[method: string, path: string]> = [
  ['GET', '/admin/routes'],
  ['GET', '/admin/functions'],
  ['GET', '/admin/history'],
  ['GET', '/admin/explain?method=GET&path=/api/users'],
  ['POST', '/admin/reload'],
];

function assertProblem(reply: Reply, status: number): void {
  assert.equal(reply.status, status, reply.text());
  assert.equal(reply.headers['content-type'], 'application/problem+json');
  const body = reply.json();
  assert.equal(body.status, status);
  assert.equal(typeof body.type, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.equal(body.requestId, reply.headers['x-request-id']);
}

interface Explained {
  result: { kind: string; route?: { name: string }; upstreamPath?: string; allow?: string };
  steps: string[];
}

describe('admin listener', function () {
  this.timeout(30_000);
  const cleanups: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(upstream: TestUpstream, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<GatewayProcess> {
    const config = makeConfigDir({ routes: { 'api.yaml': routes(upstream.origin) } });
    cleanups.push(() => config.remove());
    const gateway = await startGatewayProcess(config, extraArgs, env);
    cleanups.push(async () => assert.equal(await gateway.stop(), 0));
    return gateway;
  }

  let upstream: TestUpstream;
  let gateway: GatewayProcess;
  before(async () => {
    upstream = await startUpstream();
    cleanups.push(() => upstream.close());
    gateway = await start(upstream);
  });

  const admin = (path: string, token: string | null = ADMIN_TOKEN, method = 'GET'): Promise<Reply> =>
    send(gateway.adminUrl(path), { method, headers: token === null ? {} : adminHeaders(token) });

  it('answers /healthz and /readyz with 200 without a token', async () => {
    assert.equal((await admin('/healthz', null)).status, 200);
    const ready = await admin('/readyz', null);
    assert.equal(ready.status, 200);
    assert.equal(ready.json().status, 'ready');
  });

  it('serves Prometheus text with request, duration and reload metrics, without a token', async () => {
    assert.equal((await send(gateway.url('/api/users'))).status, 200);
    assert.equal((await admin('/admin/reload', ADMIN_TOKEN, 'POST')).status, 200);
    const reply = await admin('/metrics', null);
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = reply.text();
    assert.equal(sampleValue(text, 'gatehouse_requests_total', { route: 'api-users', method: 'GET', status: '200' }), 1);
    assert.equal(sampleValue(text, 'gatehouse_request_duration_seconds_count', { route: 'api-users' }), 1);
    assert.match(text, /^# TYPE gatehouse_request_duration_seconds histogram$/m);
    assert.match(text, /^gatehouse_request_duration_seconds_bucket\{le="\+Inf",route="api-users"\} 1$/m);
    assert.equal(sampleValue(text, 'gatehouse_config_reloads_total', { result: 'ok' }), 1);
    // Present at 0 before the first refusal, so increase() sees that refusal.
    assert.equal(sampleValue(text, 'gatehouse_config_reloads_total', { result: 'error' }), 0);
    assert.match(text, /^# TYPE gatehouse_config_reloads_total counter$/m);
  });

  it('serves the dashboard page and its files without a token, loading only from itself; nothing else on disk', async () => {
    const page = await admin('/', null);
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.text(), /<script type="module" src="\/dashboard\/app.js">/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'.*connect-src 'self'/);
    const uplot = await admin('/dashboard/vendor/uPlot.esm.js', null);
    assert.equal(uplot.status, 200);
    assert.equal(uplot.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(uplot.text(), /export \{ uPlot as default \}/);
    for (const path of ['/dashboard/../package.json', '/dashboard/%2e%2e/package.json', '/dashboard/history.ts', '/dashboard/vendor/uPlot.cjs.js']) {
      assert.equal((await admin(path, null)).status, 404, path);
    }
  });

  it('keeps 5 minutes of traffic for the charts behind the token: one point a second', async () => {
    assert.equal((await send(gateway.url('/api/users'))).status, 200);
    assert.equal((await send(gateway.url('/nowhere'))).status, 404);
    let history = (await admin('/admin/history')).json<{ intervalSeconds: number; t: number[]; requestsPerSecond: number[]; status4xx: number[]; p50Ms: Array<number | null> }>();
    const deadline = Date.now() + 5_000;
    while (history.status4xx.every((n) => n === 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      history = (await admin('/admin/history')).json();
    }
    assert.equal(history.intervalSeconds, 1);
    assert.ok(history.t.length > 0 && history.t.length <= 300);
    assert.ok(history.status4xx.some((n) => n >= 1), 'the 404 is counted');
    assert.ok(history.requestsPerSecond.some((n) => n > 0));
    assert.ok(history.p50Ms.some((ms) => ms !== null && ms > 0));
  });

  describe('the admin API', () => {
    for (const [method, path] of GUARDED) {
      it(`${method} ${path.split('?')[0]} answers 401 problem+json with WWW-Authenticate without a token or with a wrong one`, async () => {
        for (const token of [null, 'wrong-token', `${ADMIN_TOKEN}x`]) {
          const reply = await admin(path, token, method);
          assertProblem(reply, 401);
          assert.match(String(reply.headers['www-authenticate']), /^Bearer( |$)/);
        }
      });
    }

    it('answers 403 problem+json on every endpoint when GATEHOUSE_ADMIN_TOKEN is not set', async () => {
      const closed = await start(upstream, [], { GATEHOUSE_ADMIN_TOKEN: '' });
      for (const [method, path] of GUARDED) {
        for (const headers of [{}, adminHeaders(''), adminHeaders(ADMIN_TOKEN)]) {
          assertProblem(await send(closed.adminUrl(path), { method, headers }), 403);
        }
      }
      assert.equal((await send(closed.adminUrl('/healthz'))).status, 200);
      assert.equal(await closed.stop(), 0);
    });

    it('lists routes in match-priority order: static, then param, then prefix', async () => {
      const reply = await admin('/admin/routes');
      assert.equal(reply.status, 200);
      const listed = reply.json<{ routes: Array<{ name: string; path: string; target: string }> }>().routes;
      assert.deepEqual(
        listed.map((r) => [r.name, r.path]),
        [
          ['api-users', '/api/users'],
          ['api-item', '/api/:id'],
          ['api-prefix', '/api/*'],
        ],
      );
      assert.equal(listed[0]?.target, `upstream:${upstream.origin}/`);
    });

    it('lists the functions as JSON', async () => {
      const reply = await admin('/admin/functions');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json(), { functions: [] });
    });

    it('explains which route matches and the steps that chose it', async () => {
      const reply = await admin('/admin/explain?method=GET&path=/api/users');
      assert.equal(reply.status, 200);
      const { result, steps } = reply.json<Explained>();
      assert.equal(result.kind, 'matched');
      assert.equal(result.route?.name, 'api-users');
      assert.ok(steps.includes('segment "users": static child'), JSON.stringify(steps));
      assert.equal(steps.at(-1), 'result: route "api-users", upstream path /api/users');
    });

    it('explains a backtrack: a method the param route refuses falls to the prefix route', async () => {
      const { result, steps } = (await admin('/admin/explain?method=DELETE&path=/api/42')).json<Explained>();
      assert.equal(result.route?.name, 'api-prefix');
      assert.ok(steps.some((s) => s.startsWith('route "api-item": method DELETE not allowed')), JSON.stringify(steps));
    });

    it('explains why nothing matches', async () => {
      const reply = await admin('/admin/explain?method=GET&path=/nothing/here');
      assert.equal(reply.status, 200);
      const { result, steps } = reply.json<Explained>();
      assert.equal(result.kind, 'none');
      assert.ok(steps.includes('segment "nothing": no static, param or prefix child'), JSON.stringify(steps));
      assert.equal(steps.at(-1), 'result: no route (404)');
    });

    it('answers POST /admin/reload with 200 and ok for a valid config', async () => {
      const reply = await admin('/admin/reload', ADMIN_TOKEN, 'POST');
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json(), { ok: true, problems: [] });
    });
  });

  it('with --admin-port -1 opens no admin listener and says adminPort -1', async () => {
    const headless = await start(upstream, ['--admin-port', '-1']);
    assert.equal(headless.adminPort, -1);
    assert.deepEqual(headless.logs.find((l) => l.event === 'listening'), { event: 'listening', port: headless.port, adminPort: -1 });
    assert.equal((await send(headless.url('/api/users'))).status, 200);
    assert.equal(await headless.stop(), 0);
  });
});
