// The dashboard (SPEC §6) in a real Chromium, on the example config `npm start`
// serves: it loads with no console error and no failed request, asks for the
// admin token, lists the routes, shows a wake within 2 s (it polls every
// second), draws traffic, says clearly when a token is wrong, and fits a phone.
// Screenshots go to test-artifacts/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type PageProblems, type TestBrowser } from '../support/browser.js';
import { ADMIN_TOKEN, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { send } from '../support/http-client.js';

const ARTIFACTS = path.resolve('test-artifacts');
const EXAMPLE_ROUTES = ['hello', 'echo-post', 'echo-get', 'gateway-health', 'profile', 'orders', 'tenant-echo'];

/** The page's own polls take a second; 2 s is the most a change may take to show. */
const SHOWS_WITHIN_MS = 2_000;

/**
 * The whole page, at `width`: the window is made as tall as the page first, so no
 * scrollbar takes width from the layout (a full-page capture with one is cut at the
 * scrollbar's width).
 */
async function screenshot(page: Page, width: number, file: string): Promise<void> {
  await page.setViewportSize({ width, height: await page.evaluate(() => document.documentElement.scrollHeight) });
  await page.screenshot({ path: path.join(ARTIFACTS, file) });
}

async function logIn(page: Page, token: string): Promise<void> {
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Open dashboard' }).click();
}

const cellText = (page: Page, table: string, key: string, column: number): Promise<string> => page.locator(`#${table} tr[data-${table === 'routes' ? 'route' : 'function'}="${key}"] td:nth-child(${column})`).innerText();

function assertClean(problems: PageProblems): void {
  assert.deepEqual(problems.consoleErrors, [], 'console errors');
  assert.deepEqual(problems.pageErrors, [], 'uncaught exceptions');
  assert.deepEqual(problems.failedRequests, [], 'failed requests');
}

describe('dashboard in Chromium (example config)', function () {
  this.timeout(60_000);
  let gateway: GatewayProcess;
  let browser: TestBrowser;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    gateway = await startGatewayProcess({ root: '.', routesDir: path.resolve('routes'), policiesDir: path.resolve('policies'), functionsFile: path.resolve('deploy/local/functions.yaml'), write: () => {}, remove: () => {} });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    if (gateway) assert.equal(await gateway.stop(), 0);
  });

  describe('with the right token', () => {
    let page: Page;
    let problems: PageProblems;
    before(async () => {
      ({ page, problems } = await browser.newPage({ viewport: { width: 1280, height: 1000 } }));
      await page.goto(gateway.adminUrl('/'));
    });

    it('asks for the admin token before showing anything', async () => {
      await page.locator('#token').waitFor({ state: 'visible' });
      assert.equal(await page.locator('#board').isVisible(), false);
      assert.equal(await page.locator('#token').getAttribute('type'), 'password');
    });

    it('lists the example routes with their match, target, auth, limits and middleware', async () => {
      await logIn(page, ADMIN_TOKEN);
      await page.locator('#routes tr[data-route="tenant-echo"]').waitFor();
      const names = await page.locator('#routes tbody tr td:first-child').allInnerTexts();
      assert.deepEqual([...names].sort(), [...EXAMPLE_ROUTES].sort());
      assert.equal(await cellText(page, 'routes', 'hello', 2), 'GET /hello');
      assert.equal(await cellText(page, 'routes', 'hello', 3), 'function:hello');
      assert.equal(await cellText(page, 'routes', 'orders', 4), 'partners|mobile');
      assert.equal(await cellText(page, 'routes', 'orders', 5), 'per-consumer');
      assert.equal(await cellText(page, 'routes', 'tenant-echo', 6), './middleware/require-header.mjs, ./middleware/stamp.mjs');
      assert.equal(await page.locator('#token').isVisible(), false, 'the form is gone');
    });

    it('shows a wake the test makes within 2 s: sleeping, then ready with how long the wake took', async () => {
      await page.locator('#functions tr[data-function="hello"]').waitFor();
      assert.equal(await cellText(page, 'functions', 'hello', 2), 'sleeping');
      const woken = await send(gateway.url('/hello'));
      assert.equal(woken.status, 200);
      await page.waitForFunction(() => document.querySelector('#functions tr[data-function="hello"] .state')?.textContent === 'ready', null, { timeout: SHOWS_WITHIN_MS });
      assert.match(await cellText(page, 'functions', 'hello', 7), /^\d+ ms$/);
      assert.match(await cellText(page, 'functions', 'hello', 6), /^\d+ s ago$/);
      assert.equal(await cellText(page, 'functions', 'hello', 3), '1');
    });

    it('draws the traffic the test sends in its charts: requests, latency, wakes and 4xx', async () => {
      const sent = await Promise.all(Array.from({ length: 20 }, () => send(gateway.url('/hello'))));
      assert.ok(sent.every((reply) => reply.status === 200));
      const missing = await Promise.all(Array.from({ length: 3 }, () => send(gateway.url('/no-such-route'))));
      assert.ok(missing.every((reply) => reply.status === 404));
      const caption = (id: string): Promise<string> => page.locator(`#chart-${id} .now`).innerText();
      await page.waitForFunction(() => /[1-9]/.test(document.querySelector('#chart-errors .now')?.textContent?.split(' ')[0] ?? ''), null, { timeout: 5_000 });
      assert.match(await caption('requests'), /peak [1-9]\d*(\.\d)?\/s/);
      assert.match(await caption('latency'), /^last p50 \d+(\.\d)? ms, p99 \d+(\.\d)? ms$/);
      assert.match(await caption('wakes'), /^1 ready, 0 failed in 5 min$/);
      assert.match(await caption('errors'), /^3 4xx, 0 5xx in 5 min$/);
      assert.equal(await page.locator('#charts figure canvas').count(), 4, 'four uPlot charts');
      await screenshot(page, 1280, 'dashboard-desktop.png');
    });

    it('loaded with no console error and no failed request, and never put the token in a URL or a log line', () => {
      assertClean(problems);
      assert.ok(problems.requested.some((url) => url.endsWith('/dashboard/vendor/uPlot.esm.js')), 'uPlot came from the gateway');
      assert.ok(problems.requested.every((url) => url.startsWith(gateway.adminUrl('/'))), `only the admin listener: ${problems.requested.join(' ')}`);
      assert.ok(!problems.requested.some((url) => url.includes(ADMIN_TOKEN)));
      assert.ok(!gateway.logs.some((line) => JSON.stringify(line).includes(ADMIN_TOKEN)));
    });

    it('keeps the token for the tab: a reload goes straight to the dashboard', async () => {
      await page.reload();
      await page.locator('#routes tr[data-route="hello"]').waitFor();
      assert.equal(await page.locator('#token-form').isVisible(), false);
    });
  });

  it('says clearly that a wrong token was refused, asks again, and opens with the right one', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(gateway.adminUrl('/'));
    await logIn(page, 'not-the-admin-token');
    const message = page.getByRole('alert');
    await message.waitFor({ state: 'visible' });
    assert.match(await message.innerText(), /refused this token \(401 Unauthorized\)/);
    assert.equal(await page.locator('#token').isVisible(), true, 'asks again');
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'the wrong token is not kept');
    await logIn(page, ADMIN_TOKEN);
    await page.locator('#routes tr[data-route="hello"]').waitFor();
    assert.equal(await message.isVisible(), false);
    // The browser reports each 401 answer as a console error of its own; nothing else went wrong.
    assert.ok(problems.consoleErrors.length > 0 && problems.consoleErrors.every((line) => /status of 401/.test(line)), problems.consoleErrors.join('\n'));
    assert.deepEqual([problems.pageErrors, problems.failedRequests], [[], []]);
  });

  it('fits a narrow (phone) window: no sideways scrolling of the page, charts as wide as the screen', async () => {
    const width = 390;
    const { page, problems } = await browser.newPage({ viewport: { width, height: 844 } });
    await page.goto(gateway.adminUrl('/'));
    await logIn(page, ADMIN_TOKEN);
    await page.locator('#functions tr[data-function="hello"]').waitFor();
    await page.locator('#chart-requests canvas').waitFor();
    // clientWidth: the window less its scrollbar (headless Chromium draws a classic one).
    const sizes = await page.evaluate(() => ({
      visible: document.documentElement.clientWidth,
      page: document.documentElement.scrollWidth,
      charts: [...document.querySelectorAll('#charts figure')].map((f) => f.getBoundingClientRect().right),
    }));
    assert.ok(sizes.visible > 300 && sizes.visible <= width, `the window shows ${sizes.visible} px`);
    assert.ok(sizes.page <= sizes.visible, `the page is ${sizes.page} px wide in a ${sizes.visible} px window`);
    assert.ok(sizes.charts.every((right) => right <= sizes.visible), `chart edges at ${sizes.charts.join(', ')} px`);
    const firstTwo = await page.locator('#charts figure').evaluateAll((figures) => figures.slice(0, 2).map((f) => f.getBoundingClientRect().top));
    assert.ok((firstTwo[1] as number) > (firstTwo[0] as number), 'charts stack in one column');
    await screenshot(page, width, 'dashboard-narrow.png');
    assertClean(problems);
  });
});
