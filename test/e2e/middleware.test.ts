// Route middleware (SPEC §2): express middleware per route, compiled once per
// config load, run after authenticate and rate limit and before the function is
// woken, with req.gatehouse. Over the real gateway and real upstreams.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { keyHash } from '../support/auth-fixture.js';
import { makeConfigDir, TEST_FUNCTION, type ConfigDir } from '../support/config-dir.js';
import { ADMIN_TOKEN, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { adminHeaders, send } from '../support/http-client.js';
import { assertProblem } from '../support/problem-assert.js';
import { startUpstream, type RecordedRequest, type UpstreamServer } from '../support/upstream-server.js';

const run = promisify(execFile);
const support = (name: string): string => path.resolve('test/support/middleware', name);
const example = (name: string): string => path.resolve('routes/middleware', name);

type Entry = string | { module: string; options?: Record<string, unknown> };

describe('route middleware', function () {
  this.timeout(60_000);
  let upstream: UpstreamServer;
  let config: ConfigDir;
  let gateway: GatewayProcess;

  const route = (name: string, middleware: Entry[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    name,
    match: { path: `/${name}` },
    upstream: upstream.origin,
    auth: 'public',
    middleware,
    ...extra,
  });

  function routesYaml(): string {
    return stringify({
      routes: [
        route('plain', []),
        route('sets-header', [{ module: support('set-request-header.mjs'), options: { name: 'X-From-Middleware', value: 'yes' } }]),
        route('forges', [support('forge-identity.mjs')], { auth: 'partners' }),
        route('context', [support('context.mjs')], { auth: 'partners' }),
        route('stamps', [{ module: example('stamp.mjs'), options: { header: 'X-Stamp', value: 'from-middleware' } }, { module: example('stamp.mjs'), options: { header: 'X-Clash', value: 'from-middleware' } }]),
        route('requires', [{ module: example('require-header.mjs'), options: { header: 'X-Tenant' } }]),
        route('json', [support('read-json.mjs')], { maxBodySize: '2MiB' }),
        route('raw-later', [{ module: support('read-raw-later.mjs'), options: { delayMs: 80 } }], { maxBodySize: '8MiB' }),
        route('fails-next', [{ module: support('fail.mjs'), options: { how: 'next' } }]),
        route('fails-throw', [{ module: support('fail.mjs'), options: { how: 'throw' } }]),
        route('fails-reject', [{ module: support('fail.mjs'), options: { how: 'reject' } }]),
        route('limited', [support('answer.mjs')], { auth: 'partners', rateLimit: 'one' }),
        { name: 'sleeper', match: { path: '/sleeper' }, function: 'sleeper', auth: 'public', middleware: [support('answer.mjs')] },
        route('edited', ['./mw/edited.mjs']),
        route('express-api', [support('express-api.mjs')], { match: { path: '/express-api/*' } }),
      ],
    });
  }

  before(async () => {
    upstream = await startUpstream((req, res, record) => {
      void record.body.then((body) => {
        const text = JSON.stringify({ url: req.url, headers: req.headers, bodyBytes: body.bytes, bodySha256: body.sha256 });
        const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
        if (req.url === '/stamps') headers['x-clash'] = 'from-function';
        res.writeHead(200, headers).end(text);
      });
    });
    config = makeConfigDir({
      routes: { 'routes.yaml': '' },
      policies: {
        'policies.yaml': stringify({
          auth: { partners: { type: 'apiKey', keys: [{ id: 'acme', hash: keyHash('acme-key') }] } },
          rateLimits: { one: { key: 'consumer', limits: [{ requests: 1, per: '1h' }] } },
        }),
      },
      functions: stringify({ functions: { sleeper: { command: JSON.parse(TEST_FUNCTION) as string[] } } }),
    });
    mkdirSync(path.join(config.routesDir, 'mw'));
    config.write('routes/mw/edited.mjs', "export default () => (_req, res, next) => { res.set('x-version', 'one'); next(); };\n");
    config.write('routes/routes.yaml', routesYaml());
    gateway = await startGatewayProcess(config);
  });
  after(async () => {
    if (gateway) assert.equal(await gateway.stop(), 0);
    await upstream?.close();
    config?.remove();
  });

  const seen = (reply: { json<T>(): T }): { url: string; headers: Record<string, string>; bodyBytes: number; bodySha256: string } => reply.json();
  const key = { 'x-api-key': 'acme-key' };

  it('sends the request headers a middleware sets upstream', async () => {
    const reply = await send(gateway.url('/sets-header'));
    assert.equal(reply.status, 200);
    assert.equal(seen(reply).headers['x-from-middleware'], 'yes');
  });

  it('keeps the identity headers the gateway\'s: a middleware cannot forge X-Gatehouse-* or forwardClaims headers', async () => {
    const reply = await send(gateway.url('/forges'), { headers: key });
    const headers = seen(reply).headers;
    assert.equal(headers['x-gatehouse-consumer'], 'acme');
    assert.equal(headers['x-gatehouse-auth'], 'partners');
    assert.equal(headers['x-gatehouse-extra'], undefined);
  });

  it('gives the middleware req.gatehouse = { route, consumer, auth, claims, requestId }', async () => {
    const reply = await send(gateway.url('/context'), { headers: { ...key, 'x-request-id': 'req-ctx-1' } });
    assert.deepEqual(JSON.parse(seen(reply).headers['x-context'] ?? ''), { route: 'context', consumer: 'acme', auth: 'partners', claims: null, requestId: 'req-ctx-1' });
  });

  it('keeps the response headers a middleware sets, unless the function sends the same one', async () => {
    const reply = await send(gateway.url('/stamps'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['x-stamp'], 'from-middleware');
    assert.equal(reply.headers['x-clash'], 'from-function');
    assert.ok(reply.headers['x-request-id']);
  });

  it("gives middleware express's request and response API (req.get, req.path, req.query, res.set, res.json)", async () => {
    const reply = await send(gateway.url('/express-api/a/b?x=1&y=two'), { headers: { 'x-probe': 'probed' } });
    assert.equal(reply.status, 203, reply.text());
    assert.equal(reply.headers['x-express-api'], 'yes');
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    assert.deepEqual(reply.json(), { get: 'probed', path: '/express-api/a/b', query: { x: '1', y: 'two' }, hostname: '127.0.0.1', app: 'function', locals: 'object' });
    // A route without middleware, served after express's methods joined every request's prototypes, is unchanged.
    assert.equal(seen(await send(gateway.url('/plain?q=1'))).url, '/plain?q=1');
  });

  it('lets a middleware answer (the example: a missing X-Tenant is 400), and passes the request on when it calls next()', async () => {
    const refused = await send(gateway.url('/requires'));
    assert.equal(refused.status, 400);
    assert.equal(refused.headers['content-type'], 'application/problem+json');
    assert.match(refused.json<{ detail: string }>().detail, /X-Tenant is required/);
    assert.equal(upstream.requests.filter((r: RecordedRequest) => r.url === '/requires').length, 0);
    const passed = await send(gateway.url('/requires'), { headers: { 'x-tenant': 'acme' } });
    assert.equal(passed.status, 200);
    assert.equal(seen(passed).headers['x-tenant'], 'acme');
  });

  it('leaves a body that express.json() read intact for the function', async () => {
    const body = JSON.stringify({ order: 42, items: Array.from({ length: 2000 }, (_, i) => `item-${i}`) });
    const reply = await send(gateway.url('/json'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(reply.status, 200);
    const got = seen(reply);
    assert.equal(got.headers['x-parsed-keys'], 'order,items');
    assert.equal(got.bodyBytes, Buffer.byteLength(body));
    assert.equal(got.bodySha256, createHash('sha256').update(body).digest('hex'));
  });

  it('leaves a 5 MB body intact for the function when a middleware reads it only after an await (the body had all arrived)', async () => {
    const body = randomBytes(5 * 1024 * 1024);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const reply = await send(gateway.url('/raw-later'), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
    assert.equal(reply.status, 200);
    const got = seen(reply);
    assert.equal(got.headers['x-middleware-sha256'], sha256);
    assert.equal(got.bodySha256, sha256);
    assert.equal(got.bodyBytes, body.length);
  });

  for (const how of ['next', 'throw', 'reject']) {
    it(`answers a failing middleware (${how}) with 500 problem+json and logs the route and the module`, async () => {
      const reply = await send(gateway.url(`/fails-${how}`));
      assertProblem(reply, 500, 'internal');
      const line = await gateway.waitForLog((l) => l.msg === 'route middleware failed' && l.route === `fails-${how}`);
      assert.equal(line.module, support('fail.mjs'));
      assert.equal(line.requestId, reply.headers['x-request-id']);
    });
  }

  it('runs after authenticate and rate limit: a refused request never reaches it', async () => {
    assertProblem(await send(gateway.url('/limited')), 401, 'unauthorized');
    const first = await send(gateway.url('/limited'), { headers: key });
    assert.deepEqual(first.json(), { answeredBy: 'middleware', route: 'limited' });
    assertProblem(await send(gateway.url('/limited'), { headers: key }), 429, 'rate-limited');
  });

  it('never wakes the function when a middleware answers', async () => {
    const reply = await send(gateway.url('/sleeper'));
    assert.deepEqual(reply.json(), { answeredBy: 'middleware', route: 'sleeper' });
    const functions = await send(gateway.adminUrl('/admin/functions'), { headers: adminHeaders(ADMIN_TOKEN) });
    const sleeper = functions.json<{ functions: Array<{ name: string; lastWake: unknown; endpoints: unknown[] }> }>().functions.find((f) => f.name === 'sleeper');
    assert.deepEqual([sleeper?.lastWake, sleeper?.endpoints], [null, []]);
    assert.equal(gateway.logs.filter((l) => l.msg === 'waking function').length, 0);
  });

  it('picks up a changed module file on reload, and refuses a broken one at FILE:LINE:COL with the old config live', async () => {
    assert.equal((await send(gateway.url('/edited'))).headers['x-version'], 'one');
    const version = (): number => Math.max(...gateway.logs.filter((l) => l.msg === 'config reloaded').map((l) => Number(l.version)), 1);
    const before = version();
    config.write('routes/mw/edited.mjs', "export default () => (_req, res, next) => { res.set('x-version', 'two'); next(); };\n");
    await gateway.waitForLog((l) => l.msg === 'config reloaded' && Number(l.version) > before);
    assert.equal((await send(gateway.url('/edited'))).headers['x-version'], 'two');

    config.write('routes/mw/edited.mjs', 'export default () => { this is not javascript\n');
    const refused = await gateway.waitForLog((l) => l.msg === 'config refused; the previous config stays live');
    const problems = refused.problems as string[];
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /routes\.yaml:\d+:\d+: middleware "\.\/mw\/edited\.mjs" failed to load: /);
    assert.equal((await send(gateway.url('/edited'))).headers['x-version'], 'two', 'the old config stays live');
  });

  it('does not let a WebSocket upgrade past a route\'s middleware (501)', async () => {
    const reply = await send(gateway.url('/requires'), { headers: { connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') } });
    assert.equal(reply.status, 501);
  });

  describe('modules that fail to load are config errors at FILE:LINE:COL (gatehouse validate)', () => {
    const cases: Array<[what: string, entry: Entry, message: RegExp]> = [
      ['a missing file', './mw/missing.mjs', /cannot read middleware "\.\/mw\/missing\.mjs": ENOENT/],
      ['no default export', support('no-factory.mjs'), /must have a default export that is a factory/],
      ['a factory that throws', support('factory-throws.mjs'), /its factory threw: options\.header is required/],
      ['a bare package name', 'express', /must be a path/],
    ];
    for (const [what, entry, message] of cases) {
      it(what, async () => {
        const broken = makeConfigDir({ routes: { 'r.yaml': `routes:\n  - name: r\n    match: { path: /r }\n    upstream: http://127.0.0.1:1\n    auth: public\n    middleware:\n      - ${JSON.stringify(entry)}\n` } });
        try {
          const result = await run(process.execPath, ['dist/cli.js', 'validate', `--routes=${broken.routesDir}`, `--policies=${broken.policiesDir}`, `--functions=${broken.functionsFile}`]).then(
            () => ({ code: 0, stdout: '' }),
            (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout + error.stderr }),
          );
          assert.equal(result.code, 1);
          const lines = result.stdout.trim().split('\n');
          assert.equal(lines.length, 1, result.stdout);
          // The entry's own position: line 7 (`      - ENTRY`), column 9.
          assert.ok((lines[0] ?? '').startsWith(`${path.join(broken.routesDir, 'r.yaml')}:7:9: `), lines[0]);
          assert.match(lines[0] ?? '', message);
        } finally {
          broken.remove();
        }
      });
    }
  });
});
