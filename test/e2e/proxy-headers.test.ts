// SPEC §4 header hygiene, as the upstream sees it: no forged identity headers, no
// hop-by-hop headers, the gateway's own X-Forwarded-* and X-Request-Id, credentials
// only where the route forwards them; `rewrite` with params, query preserved.
import assert from 'node:assert/strict';
import { send } from '../support/http-client.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { rawRequest } from '../support/raw-http.js';
import { startUpstream, type UpstreamServer, type RecordedRequest } from '../support/upstream-server.js';

const REQUEST_ID = /^[A-Za-z0-9._~:@/+=-]{1,128}$/;

describe('proxy: headers the upstream receives', () => {
  let gateway: ProxyGateway;
  let upstream: UpstreamServer;

  before(async () => {
    upstream = await startUpstream();
    gateway = await startProxyGateway(
      [
        { name: 'plain', match: { path: '/plain' }, upstream: upstream.origin },
        { name: 'with-credentials', match: { path: '/with-credentials' }, upstream: upstream.origin, forwardCredentials: true },
        { name: 'orders', match: { path: '/users/:user/orders/:order' }, upstream: upstream.origin, rewrite: '/v2/orders/:order/of/:user' },
        { name: 'escaped', match: { path: '/e/*' }, upstream: upstream.origin },
        { name: 'escaped-static', match: { path: '/s/x%2Fy' }, upstream: upstream.origin },
      ],
      // A forwardClaims target and an API-key header name are stripped on every route, public ones too.
      {
        policies: {
          auth: {
            partners: { type: 'apiKey', name: 'X-Api-Key', keys: [{ id: 'acme', hash: `sha256:${'0'.repeat(64)}` }] },
            mobile: { type: 'jwt', algorithms: ['HS256'], secretEnv: 'TEST_JWT_SECRET', forwardClaims: { sub: 'X-User-Id' } },
          },
        },
        env: { TEST_JWT_SECRET: 'a-secret-that-is-long-enough-for-hs256-0123456789' },
      },
    );
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  /** Send a raw request (so any header goes out exactly as written) and return what the upstream saw. */
  async function forwarded(target: string, headers: string[]): Promise<{ seen: RecordedRequest; replyHeaders: Record<string, string> }> {
    const arrived = upstream.nextRequest();
    const reply = await rawRequest(gateway.process.port, `GET ${target} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`);
    assert.equal(reply.status, 200, reply.body);
    return { seen: await arrived, replyHeaders: reply.headers };
  }

  it('removes every incoming X-Gatehouse-* header and every forwardClaims header', async () => {
    const { seen } = await forwarded('/plain', [
      'Host: gw.test',
      'X-Gatehouse-Consumer: mobile:admin',
      'X-GATEHOUSE-AUTH: mobile',
      'x-gatehouse-anything-else: 1',
      'X-User-Id: admin',
    ]);
    const leaked = Object.keys(seen.headers).filter((name) => name.startsWith('x-gatehouse-') || name === 'x-user-id');
    assert.deepEqual(leaked, []);
  });

  it('does not forward hop-by-hop headers, nor the headers Connection lists', async () => {
    const { seen } = await forwarded('/plain', [
      'Host: gw.test',
      'Connection: keep-alive, X-Hop-Secret, X-Other-Hop',
      'X-Hop-Secret: s3cret',
      'X-Other-Hop: 1',
      'Keep-Alive: timeout=5',
      'TE: trailers',
      'Trailer: X-Checksum',
      'Upgrade: h2c',
      'Proxy-Authorization: Basic dXNlcjpwYXNz',
      'Proxy-Connection: keep-alive',
      'X-End-To-End: kept',
    ]);
    for (const name of ['x-hop-secret', 'x-other-hop', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-connection']) {
      assert.equal(seen.headers[name], undefined, `${name} was forwarded`);
    }
    assert.equal(seen.headers['x-end-to-end'], 'kept');
    assert.doesNotMatch(String(seen.headers.connection ?? ''), /x-hop-secret|x-other-hop/i);
  });

  it('sets X-Forwarded-For (appended), X-Forwarded-Proto, X-Forwarded-Host and X-Request-Id', async () => {
    const { seen, replyHeaders } = await forwarded('/plain', [
      'Host: api.example.test:8443',
      'X-Forwarded-For: 203.0.113.9',
      'X-Forwarded-Proto: https',
      'X-Forwarded-Host: forged.example.test',
    ]);
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], 'api.example.test:8443');
    assert.match(String(seen.headers['x-request-id']), REQUEST_ID);
    assert.equal(seen.headers['x-request-id'], replyHeaders['x-request-id'], 'the upstream and the client see the same id');
  });

  it('keeps a valid caller X-Request-Id and echoes it on the response', async () => {
    const id = 'trace:2024/abc+def=ghi@host.example~1';
    const { seen, replyHeaders } = await forwarded('/plain', ['Host: gw.test', `X-Request-Id: ${id}`]);
    assert.equal(seen.headers['x-request-id'], id);
    assert.equal(replyHeaders['x-request-id'], id);
  });

  for (const [what, id] of [
    ['with a space', 'has a space'],
    ['of 200 characters', 'a'.repeat(200)],
    ['with a character outside the allowed set', 'semi;colon'],
  ] as const) {
    it(`replaces a caller X-Request-Id ${what}`, async () => {
      const { seen, replyHeaders } = await forwarded('/plain', ['Host: gw.test', `X-Request-Id: ${id}`]);
      assert.notEqual(seen.headers['x-request-id'], id);
      assert.match(String(seen.headers['x-request-id']), REQUEST_ID);
      assert.equal(replyHeaders['x-request-id'], seen.headers['x-request-id']);
    });
  }

  it('does not forward Authorization or an API-key header by default', async () => {
    const { seen } = await forwarded('/plain', ['Host: gw.test', 'Authorization: Bearer abc.def.ghi', 'X-Api-Key: key-123']);
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['x-api-key'], undefined);
  });

  it('forwards Authorization and the API-key header on a route with forwardCredentials: true', async () => {
    const { seen } = await forwarded('/with-credentials', ['Host: gw.test', 'Authorization: Bearer abc.def.ghi', 'X-Api-Key: key-123']);
    assert.equal(seen.headers.authorization, 'Bearer abc.def.ghi');
    assert.equal(seen.headers['x-api-key'], 'key-123');
  });

  it('sends the rewritten path with the params filled in and the query string as received', async () => {
    const arrived = upstream.nextRequest();
    const reply = await send(gateway.url('/users/u-42/orders/o%207?expand=items&sort=-date&x=%2F'));
    assert.equal(reply.status, 200);
    assert.equal((await arrived).url, '/v2/orders/o%207/of/u-42?expand=items&sort=-date&x=%2F');
  });

  // SPEC §2: "every other percent-encoding stays as sent". Upstreams that check a
  // signature over the path (signed URLs, webhook HMACs) need the client's bytes.
  describe('forwards every escape it does not decode byte for byte as sent', () => {
    for (const path of ['/e/x%2fy', '/e/x%2Fy', '/e/what%3f', '/e/%e2%82%AC', '/e/caf%C3%a9/%2f%2F', '/e/a%20b', '/e/http:/x?to=https:/y']) {
      it(path, async () => {
        const arrived = upstream.nextRequest();
        assert.equal((await send(gateway.url(path))).status, 200);
        assert.equal((await arrived).url, path);
      });
    }

    it('decodes only unreserved characters: /e/%7euser%2d1%2f → /e/~user-1%2f', async () => {
      const arrived = upstream.nextRequest();
      assert.equal((await send(gateway.url('/e/%7euser%2d1%2f'))).status, 200);
      assert.equal((await arrived).url, '/e/~user-1%2f');
    });

    it('matches escapes case-insensitively (/s/x%2fy reaches the route for /s/x%2Fy) and still sends them as sent', async () => {
      const arrived = upstream.nextRequest();
      assert.equal((await send(gateway.url('/s/x%2fy'))).status, 200);
      assert.equal((await arrived).url, '/s/x%2fy');
    });
  });
});
