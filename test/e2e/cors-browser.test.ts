// SPEC §3 cors, as a browser enforces it: a page on an allowed origin (another
// port of 127.0.0.1) calls the gateway with fetch() in a real Chromium and reads
// the request id, the rate-limit headers, Retry-After, Server-Timing and the
// policy's exposeHeaders, on 2xx and error answers; Resource Timing shows the
// `wake` server timing of a cold start. A header the policy does not expose
// stays hidden, so these reads are the browser's verdict, not the wire's.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { stringify } from 'yaml';
import { launchBrowser, type PageProblems, type TestBrowser } from '../support/browser.js';
import { makeConfigDir, TEST_FUNCTION, type ConfigDir } from '../support/config-dir.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

interface Read {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

const READ = ['x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after', 'server-timing', 'x-function-pid', 'x-function-in-flight', 'content-type'];

/** The client page: an empty document on its own origin. */
function startPageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>client</title><link rel="icon" href="data:,">'));
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ origin: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function config(pageOrigin: string): ConfigDir {
  const route = (name: string, path: string, extra: Record<string, unknown>) => ({ name, match: { path, methods: ['GET'] }, function: 'fn', rewrite: '/echo', auth: 'public', cors: 'web', ...extra });
  return makeConfigDir({
    routes: {
      'routes.yaml': stringify({
        routes: [route('fn', '/fn', { rateLimit: 'roomy' }), route('limited', '/limited', { rateLimit: 'one' }), route('keyed', '/keyed', { auth: 'partners' })],
      }),
    },
    policies: {
      'policies.yaml': stringify({
        cors: { web: { origins: [pageOrigin], methods: ['GET'], exposeHeaders: ['X-Function-Pid'] } },
        rateLimits: { roomy: { key: 'ip', limits: [{ requests: 1000, per: '1m' }] }, one: { key: 'ip', limits: [{ requests: 1, per: '1h' }] } },
        auth: { partners: { type: 'apiKey', keys: [{ id: 'demo', hash: `sha256:${createHash('sha256').update('a-key-nobody-sends').digest('hex')}` }] } },
      }),
    },
    functions: stringify({ functions: { fn: { command: JSON.parse(TEST_FUNCTION) as string[] } } }),
  });
}

/** fetch() from the page, reading what the browser lets the page see. */
function fetchFromPage(page: Page, url: string): Promise<Read> {
  return page.evaluate(
    async ({ url, names }) => {
      const reply = await fetch(url);
      return { status: reply.status, headers: Object.fromEntries(names.map((name) => [name, reply.headers.get(name)])), body: await reply.text() };
    },
    { url, names: READ },
  );
}

describe('CORS in Chromium: what a page on an allowed origin can read', function () {
  this.timeout(60_000);
  let browser: TestBrowser;
  let client: { origin: string; close(): Promise<void> };
  let dir: ConfigDir;
  let gateway: GatewayProcess;
  let page: Page;
  let problems: PageProblems;

  before(async () => {
    client = await startPageServer();
    dir = config(client.origin);
    gateway = await startGatewayProcess(dir);
    browser = await launchBrowser();
    ({ page, problems } = await browser.newPage());
    await page.goto(`${client.origin}/`);
  });
  after(async () => {
    await browser?.close();
    if (gateway) assert.equal(await gateway.stop(), 0);
    dir?.remove();
    await client?.close();
  });

  it('reads X-Request-Id, RateLimit, RateLimit-Policy, Server-Timing and exposeHeaders of a cold start, but not a header left unexposed', async () => {
    assert.notEqual(new URL(gateway.url('/')).origin, client.origin, 'the page is cross-origin');
    const read = await fetchFromPage(page, gateway.url('/fn'));
    assert.equal(read.status, 200, read.body);
    assert.match(String(read.headers['x-request-id']), /^[A-Za-z0-9._~:@/+=-]{1,128}$/);
    assert.equal(read.headers['ratelimit-policy'], '"roomy";q=1000;w=60');
    assert.match(String(read.headers.ratelimit), /^"roomy";r=999;t=\d+$/);
    assert.match(String(read.headers['server-timing']), /^wake;dur=\d+$/);
    assert.match(String(read.headers['x-function-pid']), /^\d+$/, "the policy's exposeHeaders");
    assert.equal(read.headers['x-function-in-flight'], null, 'a header nobody exposed stays hidden from the page');
  });

  it("shows the cold start's `wake` server timing in performance.getEntriesByType('resource')", async () => {
    const url = gateway.url('/fn');
    const timings = await page.evaluate((url) => performance.getEntriesByType('resource').filter((entry) => entry.name === url).map((entry) => (entry as PerformanceResourceTiming).serverTiming.map((t) => ({ name: t.name, duration: t.duration }))), url);
    assert.equal(timings.length, 1, 'one fetch of /fn so far');
    const wake = timings[0]?.find((t) => t.name === 'wake');
    assert.ok(wake && wake.duration > 0, `server timings: ${JSON.stringify(timings)}`);
  });

  it('reads the request id, the problem and the limits of a 429, with Retry-After', async () => {
    assert.equal((await fetchFromPage(page, gateway.url('/limited'))).status, 200);
    const refused = await fetchFromPage(page, gateway.url('/limited'));
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['content-type'], 'application/problem+json');
    assert.equal((JSON.parse(refused.body) as { requestId: string }).requestId, refused.headers['x-request-id']);
    assert.match(String(refused.headers['retry-after']), /^\d+$/);
    assert.match(String(refused.headers.ratelimit), /^"one";r=0;t=\d+$/);
    assert.equal(refused.headers['ratelimit-policy'], '"one";q=1;w=3600');
  });

  it('reads the request id and the problem of a 401', async () => {
    const refused = await fetchFromPage(page, gateway.url('/keyed'));
    assert.equal(refused.status, 401);
    assert.equal((JSON.parse(refused.body) as { requestId: string }).requestId, refused.headers['x-request-id']);
  });

  it('had no request blocked or failed by the browser', () => {
    assert.deepEqual(problems.failedRequests, []);
    assert.deepEqual(problems.pageErrors, []);
  });
});
