// SPEC §6 access log, as an operator reads it on the gateway's stdout: one JSON line
// per request with exactly the listed fields, written when the response ends or the
// client leaves (499), turned off by `--access-log off`, pretty with `--log-format
// pretty`; and never a credential in any log line, whatever the client sends where.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { stringify } from 'yaml';
import { makeConfigDir, TEST_FUNCTION } from '../support/config-dir.js';
import { startOwnedGateway, type OwnedGateway } from '../support/gateway-process.js';
import { send } from '../support/http-client.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { hs256With, nowS } from '../support/tokens.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';
import { until } from '../support/wait.js';

const FIELDS = ['requestId', 'traceId', 'method', 'host', 'path', 'route', 'function', 'status', 'durationMs', 'upstreamMs', 'wakeMs', 'consumer', 'auth', 'clientIp', 'bytesIn', 'bytesOut', 'userAgent'];
/** What pino puts on every line. */
const PINO_FIELDS = ['level', 'time', 'pid', 'hostname', 'service', 'msg'];

const API_KEY = `gh_test_${randomBytes(24).toString('base64url')}`;
const JWT_SECRET = `jwt-secret-${randomBytes(24).toString('hex')}`;

type Line = Record<string, unknown>;

function accessLines(gateway: { process: { logs: Line[] } }): Line[] {
  return gateway.process.logs.filter((line) => line.msg === 'request');
}

/** The access-log line of the request whose response carried this X-Request-Id. */
function lineFor(gateway: { process: { logs: Line[] } }, requestId: string): Promise<Line> {
  return until(`the access-log line of ${requestId}`, () => accessLines(gateway).find((line) => line.requestId === requestId));
}

describe('access log (SPEC §6)', () => {
  let upstream: UpstreamServer;
  let gateway: ProxyGateway;

  before(async () => {
    upstream = await startUpstream((req, res, record) => {
      if (req.url?.startsWith('/hang')) return; // answered never: the client leaves first
      void record.body.then(() => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' }).end('hello'));
    });
    gateway = await startProxyGateway(
      [
        { name: 'things', match: { path: '/things/:id' }, upstream: upstream.origin },
        { name: 'hang', match: { path: '/hang' }, upstream: upstream.origin },
        { name: 'keyed', match: { path: '/keyed' }, upstream: upstream.origin, auth: ['partners'] },
        { name: 'query-keyed', match: { path: '/query-keyed' }, upstream: upstream.origin, auth: ['query-partners'] },
        { name: 'jwt', match: { path: '/jwt' }, upstream: upstream.origin, auth: ['mobile'] },
      ],
      {
        policies: {
          auth: {
            partners: { type: 'apiKey', name: 'X-API-Key', keys: [{ id: 'acme', hash: `sha256:${createHash('sha256').update(API_KEY).digest('hex')}` }] },
            'query-partners': { type: 'apiKey', in: 'query', name: 'api_key', keys: [{ id: 'acme-q', hash: `sha256:${createHash('sha256').update(API_KEY).digest('hex')}` }] },
            mobile: { type: 'jwt', algorithms: ['HS256'], secretEnv: 'ACCESS_LOG_JWT_SECRET' },
          },
        },
        env: { ACCESS_LOG_JWT_SECRET: JWT_SECRET },
      },
    );
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  it('writes one line per request with exactly the fields SPEC lists, the path normalised and without its query', async () => {
    const reply = await send(gateway.url('/things/%7E42?page=2&q=x'), { method: 'POST', headers: { 'user-agent': 'access-log-test/1 "quoted" \\ back\tslash', host: 'api.test:8080' }, body: 'twelve bytes' });
    assert.equal(reply.status, 200);
    const requestId = String(reply.headers['x-request-id']);
    const line = await lineFor(gateway, requestId);
    assert.deepEqual(Object.keys(line).filter((key) => !PINO_FIELDS.includes(key)).sort(), [...FIELDS].sort());
    const { durationMs, upstreamMs, traceId, ...rest } = line;
    assert.deepEqual(
      Object.fromEntries(FIELDS.filter((key) => key in rest).map((key) => [key, rest[key]])),
      { requestId, method: 'POST', host: 'api.test:8080', path: '/things/~42', route: 'things', function: null, status: 200, wakeMs: null, consumer: null, auth: null, clientIp: '127.0.0.1', bytesIn: 12, bytesOut: 5, userAgent: 'access-log-test/1 "quoted" \\ back\tslash' },
    );
    assert.equal(typeof durationMs, 'number');
    assert.equal(typeof upstreamMs, 'number');
    assert.ok((upstreamMs as number) <= (durationMs as number), `upstream ${String(upstreamMs)} ms within the request's ${String(durationMs)} ms`);
    assert.match(String(traceId), /^[0-9a-f]{32}$/);
    assert.equal(accessLines(gateway).filter((l) => l.requestId === requestId).length, 1, 'exactly one line for the request');
  });

  it('logs requests the gateway answers itself: 404 with no route, 401 with the policy unknown', async () => {
    const missing = await send(gateway.url('/nowhere?token=abc'));
    assert.equal(missing.status, 404);
    const line = await lineFor(gateway, String(missing.headers['x-request-id']));
    assert.deepEqual([line.status, line.path, line.route, line.upstreamMs, line.bytesOut], [404, '/nowhere', null, null, Buffer.byteLength(missing.body)]);
    const refused = await send(gateway.url('/keyed'), { headers: { 'x-api-key': 'wrong' } });
    assert.equal(refused.status, 401);
    const refusedLine = await lineFor(gateway, String(refused.headers['x-request-id']));
    assert.deepEqual([refusedLine.status, refusedLine.route, refusedLine.consumer, refusedLine.upstreamMs], [401, 'keyed', null, null]);
  });

  it('names the consumer and the admitting policy of an authenticated request', async () => {
    const reply = await send(gateway.url('/keyed'), { headers: { 'x-api-key': API_KEY } });
    assert.equal(reply.status, 200);
    const line = await lineFor(gateway, String(reply.headers['x-request-id']));
    assert.deepEqual([line.consumer, line.auth], ['acme', 'partners']);
  });

  it('logs status 499 when the client leaves before the response', async () => {
    const requestId = `leaver-${randomBytes(4).toString('hex')}`;
    const arrived = upstream.nextRequest();
    const req = http.request(gateway.url('/hang'), { headers: { 'x-request-id': requestId }, agent: false });
    req.on('error', () => undefined);
    req.end();
    await arrived;
    req.destroy();
    const line = await lineFor(gateway, requestId);
    assert.deepEqual([line.status, line.route, line.upstreamMs, line.bytesOut], [499, 'hang', null, null]);
  });

  it('never writes a token, an API key, a secret, a cookie or an Authorization value, wherever the client put them', async () => {
    const token = hs256With(JWT_SECRET, { alg: 'HS256', typ: 'JWT' }, { sub: 'user-1', iat: nowS(), exp: nowS() + 600 });
    const badToken = hs256With('not-the-secret-0123456789-0123456789', { alg: 'HS256', typ: 'JWT' }, { sub: 'user-2', iat: nowS(), exp: nowS() + 600 });
    const cookie = `session=${randomBytes(16).toString('hex')}`;
    const secrets = [API_KEY, token, badToken, cookie.slice('session='.length), JWT_SECRET];
    const sent = [
      await send(gateway.url('/jwt'), { headers: { authorization: `Bearer ${token}`, cookie } }),
      await send(gateway.url('/jwt'), { headers: { authorization: `Bearer ${badToken}` } }),
      await send(gateway.url(`/keyed?api_key=${API_KEY}&token=${token}`), { headers: { 'x-api-key': API_KEY, cookie } }),
      await send(gateway.url(`/query-keyed?api_key=${API_KEY}`)),
      await send(gateway.url(`/query-keyed?api_key=${badToken}`)),
      await send(gateway.url(`/things/1?access_token=${token}&secret=${JWT_SECRET}`), { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ apiKey: API_KEY, token, password: JWT_SECRET }) }),
      await send(gateway.url(`/nowhere?api_key=${API_KEY}`), { headers: { authorization: `Basic ${Buffer.from(`u:${JWT_SECRET}`).toString('base64')}` } }),
      await send(gateway.url(`/things/%zz?token=${token}`)), // a 400 that quotes nothing of the target
    ];
    assert.deepEqual(sent.map((reply) => reply.status), [200, 401, 200, 200, 401, 200, 404, 400]);
    await Promise.all(sent.map((reply) => lineFor(gateway, String(reply.headers['x-request-id']))));
    const everything = gateway.process.logs.map((line) => JSON.stringify(line)).join('\n');
    for (const secret of secrets) assert.ok(!everything.includes(secret), `the log holds a secret (${secret.slice(0, 12)}…)`);
    assert.ok(!everything.includes(Buffer.from(`u:${JWT_SECRET}`).toString('base64')), 'the log holds a Basic credential');
  });
});

describe('access log switches (SPEC §1 --access-log, --log-format)', () => {
  let upstream: UpstreamServer;
  before(async () => {
    upstream = await startUpstream();
  });
  after(async () => upstream?.close());

  async function gatewayWith(args: string[], env: Record<string, string> = {}): Promise<OwnedGateway> {
    const config = makeConfigDir({ routes: { 'r.yaml': stringify({ routes: [{ name: 'hello', match: { path: '/hello' }, upstream: upstream.origin, auth: 'public' }] }) } });
    return startOwnedGateway(config, args, env);
  }

  it('writes no access line with --access-log off, nor with GATEHOUSE_ACCESS_LOG=off, and the flag wins over the variable', async () => {
    for (const [args, env, expected] of [
      [['--access-log=off'], {}, 0],
      [[], { GATEHOUSE_ACCESS_LOG: 'off' }, 0],
      [['--access-log=on'], { GATEHOUSE_ACCESS_LOG: 'off' }, 1],
    ] as const) {
      const gateway = await gatewayWith([...args], { ...env });
      try {
        const reply = await send(gateway.url('/hello'));
        assert.equal(reply.status, 200);
        // The gateway's own log line after the request is a barrier: the access line (if any) was written before it.
        process.kill(gateway.process.pid, 'SIGHUP');
        await gateway.process.waitForLog((line) => line.msg === 'config reloaded');
        assert.equal(accessLines(gateway).length, expected, `${args.join(' ')} ${JSON.stringify(env)}`);
      } finally {
        await gateway.stop();
      }
    }
  });

  it('writes the access line whatever --log-level says (--access-log alone decides)', async () => {
    const gateway = await gatewayWith(['--log-level=error']);
    try {
      const reply = await send(gateway.url('/hello'));
      await lineFor(gateway, String(reply.headers['x-request-id']));
    } finally {
      await gateway.stop();
    }
  });

  it('prints one coloured, human line per record with --log-format pretty (JSON stays the default)', async () => {
    const gateway = await gatewayWith(['--log-format=pretty']);
    try {
      const reply = await send(gateway.url('/hello?x=1'));
      assert.equal(reply.status, 200);
      const requestId = String(reply.headers['x-request-id']);
      const line = await gateway.process.waitForLog((l) => typeof l.text === 'string' && l.text.includes(requestId));
      const text = String(line.text);
      assert.match(text, /\x1b\[/, 'coloured');
      assert.match(text, /request/);
      assert.match(text, /\/hello/);
      assert.ok(!text.includes('x=1'), 'no query string in the pretty line either');
      assert.equal(gateway.process.logs.filter((l) => l.msg === 'request').length, 0, 'no JSON access lines');
    } finally {
      await gateway.stop();
    }
  });
});

describe('access log on a function route (SPEC §6 wakeMs)', () => {
  let gateway: OwnedGateway;
  before(async () => {
    const config = makeConfigDir({
      routes: { 'r.yaml': stringify({ routes: [{ name: 'sleepy', match: { path: '/sleepy/*' }, function: 'sleepy', auth: 'public', rewrite: '/*' }] }) },
      functions: stringify({ functions: { sleepy: { command: JSON.parse(TEST_FUNCTION) as string[], env: { READY_DELAY_MS: '150' } } } }),
    });
    gateway = await startOwnedGateway(config, []);
  });
  after(async () => gateway?.stop());

  it('names the function and how long the request was held while it woke', async () => {
    const reply = await send(gateway.url('/sleepy/echo'));
    assert.equal(reply.status, 200);
    const line = await lineFor(gateway, String(reply.headers['x-request-id']));
    assert.deepEqual([line.route, line.function, line.status], ['sleepy', 'sleepy', 200]);
    assert.equal(typeof line.wakeMs, 'number');
    assert.ok((line.wakeMs as number) >= 150, `held ${String(line.wakeMs)} ms, at least the function's ready delay`);
    const warm = await send(gateway.url('/sleepy/echo'));
    assert.equal((await lineFor(gateway, String(warm.headers['x-request-id']))).wakeMs, null, 'a warm request was not held');
  });
});
