// SPEC §2 path normalisation and §4 errors: requests node cannot parse, oversized
// headers and unsafe paths are answered with problem+json (never HTML) and never
// reach an upstream; `%2F` stays encoded and is not a separator.
import assert from 'node:assert/strict';
import { send } from '../support/http-client.js';
import { assertProblem } from '../support/problem-assert.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { rawRequest } from '../support/raw-http.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

const get = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nHost: gw.test\r\n${extra}\r\n`;

describe('proxy: request parsing and path normalisation', () => {
  let gateway: ProxyGateway;
  let files: UpstreamServer;
  /** Behind a catch-all route: anything that reaches it slipped past the checks. */
  let anything: UpstreamServer;

  before(async () => {
    files = await startUpstream();
    anything = await startUpstream();
    gateway = await startProxyGateway([
      { name: 'file', match: { path: '/files/:name' }, upstream: files.origin },
      { name: 'anything', match: { path: '/*' }, upstream: anything.origin },
    ]);
  });
  after(async () => {
    await gateway?.stop();
    await Promise.all([files?.close(), anything?.close()]);
  });
  const nothingForwarded = (): void => assert.equal(anything.requests.length, 0, 'a refused request reached an upstream');

  it('answers 431 problem+json to request headers over 16 KB', async () => {
    const reply = await rawRequest(gateway.process.port, get('/ok', `X-Big: ${'a'.repeat(20 * 1024)}\r\n`));
    assertProblem(reply, 431, 'headers-too-large');
    nothingForwarded();
  });

  for (const [what, request] of [
    ['a malformed request line', 'GET /a b c HTTP/1.1\r\nHost: gw.test\r\n\r\n'],
    ['garbage instead of a request', 'HELLO\r\n\r\n'],
    ['a header line without a colon', get('/ok', 'no colon here\r\n')],
    ['an HTTP/0.9 request line (no version)', 'GET /ok\r\n\r\n'],
  ] as const) {
    it(`answers 400 problem+json to ${what}`, async () => {
      assertProblem(await rawRequest(gateway.process.port, request), 400);
      nothingForwarded();
    });
  }

  for (const [what, target] of [
    ['invalid percent-encoding', '/a%ZZ'],
    ['a truncated escape', '/a%2'],
    ['a dot-dot segment', '/a/../b'],
    ['an encoded dot-dot segment', '/%2e%2e/x'],
    ['a mixed-case encoded dot segment', '/a/%2E/b'],
    ['a dot segment at the end', '/a/..'],
    ['an empty segment', '//x'],
    ['an empty segment inside', '/a//b'],
    ['a backslash', '/a\\b'],
    ['an encoded backslash', '/a%5Cb'],
    ['an encoded NUL', '/a%00b'],
    ['an absolute-form target', 'http://other.test/a'],
  ] as const) {
    it(`answers 400 problem+json (never HTML) to a path with ${what}: ${target}`, async () => {
      const reply = await rawRequest(gateway.process.port, get(target, 'X-Request-Id: bad-path-1\r\n'));
      const problem = assertProblem(reply, 400, 'bad-path');
      assert.equal(problem.requestId, 'bad-path-1');
      nothingForwarded();
    });
  }

  it('does not treat %2F as a separator: /files/:name matches /files/a%2Fb and the upstream gets it encoded', async () => {
    const arrived = files.nextRequest();
    const reply = await send(gateway.url('/files/a%2Fb?download=1'));
    assert.equal(reply.status, 200);
    assert.equal((await arrived).url, '/files/a%2Fb?download=1');
  });

  it('decodes percent-encoded unreserved characters before matching and forwarding', async () => {
    const arrived = files.nextRequest();
    assert.equal((await send(gateway.url('/%66iles/%7Ename%2D1'))).status, 200);
    assert.equal((await arrived).url, '/files/~name-1');
  });
});
