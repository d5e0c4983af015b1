// SPEC §2/§3 CORS: a preflight on a route with a cors policy is answered by the
// gateway (204, or 403 for an origin not allowed) and never forwarded; other
// requests from an allowed origin get the CORS response headers; `*` with
// credentials is refused at load.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { makeConfigDir } from '../support/config-dir.js';
import { send } from '../support/http-client.js';
import { assertProblem } from '../support/problem-assert.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

const APP = 'https://app.example.test';
const CORS_POLICY = { cors: { web: { origins: [APP], methods: ['GET', 'POST', 'PUT'], headers: ['Content-Type', 'X-Api-Key'], credentials: true, maxAge: '10m' } } };

describe('proxy: CORS', () => {
  let gateway: ProxyGateway;
  let upstream: UpstreamServer;

  before(async () => {
    upstream = await startUpstream((req, res, record) => {
      // An upstream with its own Vary: the gateway's Vary: Origin must survive it.
      void record.body.then(() => res.writeHead(200, { 'content-type': 'text/plain', vary: 'Accept-Encoding' }).end('ok'));
    });
    gateway = await startProxyGateway(
      [
        { name: 'api', match: { path: '/api/*' }, upstream: upstream.origin, cors: 'web' },
        { name: 'listed', match: { path: '/listed', methods: ['GET', 'PUT'] }, upstream: upstream.origin, cors: 'web' },
        { name: 'no-cors', match: { path: '/no-cors' }, upstream: upstream.origin },
      ],
      { policies: CORS_POLICY },
    );
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  const preflight = (path: string, origin: string, method = 'PUT') =>
    send(gateway.url(path), { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' } });

  it('answers a preflight from an allowed origin with 204 and the allow headers, without the upstream', async () => {
    const seen = upstream.requests.length;
    const reply = await preflight('/api/things', APP);
    assert.equal(reply.status, 204);
    assert.equal(reply.headers['access-control-allow-origin'], APP);
    assert.equal(reply.headers['access-control-allow-methods'], 'GET, POST, PUT');
    assert.equal(reply.headers['access-control-allow-headers'], 'Content-Type, X-Api-Key');
    assert.equal(reply.headers['access-control-allow-credentials'], 'true');
    assert.equal(reply.headers['access-control-max-age'], '600');
    assert.match(String(reply.headers.vary), /\bOrigin\b/);
    assert.equal(upstream.requests.length, seen, 'the preflight was not forwarded');
  });

  it('answers a preflight on a route whose methods do not list OPTIONS (not 405)', async () => {
    const seen = upstream.requests.length;
    const reply = await preflight('/listed', APP);
    assert.equal(reply.status, 204, reply.text());
    assert.equal(reply.headers['access-control-allow-origin'], APP);
    assert.equal(upstream.requests.length, seen);
  });

  it('forwards a preflight on a route without a cors policy to the upstream', async () => {
    const arrived = upstream.nextRequest();
    assert.equal((await preflight('/no-cors', APP)).status, 200);
    assert.equal((await arrived).method, 'OPTIONS');
  });

  it('refuses a preflight from an origin not allowed with 403 problem+json, without the upstream', async () => {
    const seen = upstream.requests.length;
    const reply = await preflight('/api/things', 'https://evil.example.test');
    assertProblem(reply, 403, 'cors-origin-refused');
    assert.equal(reply.headers['access-control-allow-origin'], undefined);
    assert.equal(upstream.requests.length, seen, 'the preflight was not forwarded');
  });

  it('adds Access-Control-Allow-Origin and Vary: Origin to a request from an allowed origin', async () => {
    const reply = await send(gateway.url('/api/things'), { headers: { origin: APP } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['access-control-allow-origin'], APP);
    assert.equal(reply.headers['access-control-allow-credentials'], 'true');
    const vary = String(reply.headers.vary);
    assert.match(vary, /\bOrigin\b/, `Vary: ${vary}`);
    assert.match(vary, /\bAccept-Encoding\b/, `the upstream's own Vary is kept too: ${vary}`);
  });

  it('adds no CORS headers to a request from an origin not allowed (the upstream still answers)', async () => {
    const reply = await send(gateway.url('/api/things'), { headers: { origin: 'https://evil.example.test' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['access-control-allow-origin'], undefined);
    assert.equal(reply.headers['access-control-allow-credentials'], undefined);
  });

  it('refuses origins ["*"] with credentials: true at load (validate exits 1 and says where)', async () => {
    const config = makeConfigDir({
      routes: { 'routes.yaml': stringify({ routes: [{ name: 'api', match: { path: '/api/*' }, upstream: 'http://127.0.0.1:9', auth: 'public', cors: 'open' }] }) },
      policies: { 'cors.yaml': stringify({ cors: { open: { origins: ['*'], credentials: true } } }) },
    });
    try {
      const args = [path.resolve('dist/cli.js'), 'validate', `--routes=${config.routesDir}`, `--policies=${config.policiesDir}`, `--functions=${config.functionsFile}`];
      const outcome = await promisify(execFile)(process.execPath, args).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
      assert.equal(outcome.code, 1);
      assert.match(outcome.stdout, /cors\.yaml:\d+:\d+: .*credentials/);
    } finally {
      config.remove();
    }
  });
});
