// The JWKS fetch (SPEC §3): a deadline for the whole exchange, no redirects,
// a bounded body; a document that is not a key set loads nothing.
import assert from 'node:assert/strict';
import http from 'node:http';
import { fetchJson } from '../../../src/auth/jwt/fetch-json.js';
import { JwksKeySet } from '../../../src/auth/jwt/jwks.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { closeServer, listenOnLoopback } from '../../support/upstream-server.js';

/** A server on 127.0.0.1 whose answer the test writes; closed after each test. */
function useServer(): { url: (path?: string) => URL; handle: (fn: http.RequestListener) => void } {
  let server: http.Server;
  let port = 0;
  let handler: http.RequestListener = (_req, res) => void res.writeHead(500).end();
  beforeEach(async () => {
    server = http.createServer((req, res) => handler(req, res));
    port = await listenOnLoopback(server);
  });
  afterEach(() => closeServer(server));
  return { url: (path = '/jwks.json') => new URL(`http://127.0.0.1:${port}${path}`), handle: (fn) => void (handler = fn) };
}

describe('JWKS fetch', () => {
  const server = useServer();

  it('parses a JSON answer', async () => {
    server.handle((_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}'));
    assert.deepEqual(await fetchJson(server.url(), 2000), { keys: [] });
  });

  // Regression: the deadline was http's idle `timeout`, which each chunk re-arms,
  // so an endpoint trickling bytes held the fetch (and every lookup waiting on it).
  it('gives up on an endpoint that trickles its answer past the deadline', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const drip = setInterval(() => res.write(' '), 20);
      res.once('close', () => clearInterval(drip));
    });
    await assert.rejects(fetchJson(server.url(), 300), /no answer within 300 ms/);
  });

  it('gives up on an endpoint that never answers', async () => {
    server.handle(() => {});
    await assert.rejects(fetchJson(server.url(), 200), /no answer within 200 ms/);
  });

  it('does not follow a redirect', async () => {
    let requests = 0;
    server.handle((req, res) => {
      requests++;
      if (req.url === '/jwks.json') res.writeHead(302, { location: '/elsewhere.json' }).end();
      else res.writeHead(200).end('{"keys":[]}');
    });
    await assert.rejects(fetchJson(server.url(), 2000), /HTTP 302/);
    assert.equal(requests, 1);
  });

  it('refuses an error status and an answer that is not JSON', async () => {
    server.handle((req, res) => void (req.url === '/jwks.json' ? res.writeHead(503).end('down') : res.writeHead(200).end('<html>')));
    await assert.rejects(fetchJson(server.url(), 2000), /HTTP 503/);
    await assert.rejects(fetchJson(server.url('/html'), 2000), SyntaxError);
  });

  it('refuses an answer over 1 MiB', async () => {
    server.handle((_req, res) => void res.writeHead(200).end(`{"keys":[],"pad":"${'x'.repeat(1024 * 1024)}"}`));
    await assert.rejects(fetchJson(server.url(), 5000), /too large/);
  });

  it('loads nothing from a document that is not a key set', async () => {
    server.handle((_req, res) => void res.writeHead(200).end('{"keys":{"kid":"a"}}'));
    assert.equal((await new JwksKeySet(server.url(), silentLogger()).keyFor('a')).kind, 'unavailable');
  });
});
