// A real Chromium for the browser tests: Debian's /usr/bin/chromium (installed by
// .ci/run and test/support/ensure-test-tools.mjs; never `npx playwright install`),
// started by us with a fresh profile and driven over CDP by playwright-core, so we
// own its process: teardown ends it by PID and removes the profile. Each page
// records its console errors, uncaught exceptions and failed requests.
// The DOM's types, for the functions the tests hand to page.evaluate() (they run in the page).
/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { installHint } from './test-tools.js';

/** GATEHOUSE_TEST_CHROMIUM (ensure-test-tools.mjs) for a machine whose Chromium lives elsewhere. */
export const CHROMIUM = process.env.GATEHOUSE_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** The flags the team runs Chromium with (no network beyond what a test asks for, no first-run noise). */
export const CHROMIUM_FLAGS = Object.freeze(['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']);

/** What went wrong on a page, as a user's devtools would show it. */
export interface PageProblems {
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly failedRequests: string[];
  /** Every URL the page requested, in order. */
  readonly requested: string[];
}

export interface TestBrowser {
  readonly pid: number;
  /** A new isolated context (its own storage) and one page in it, watched for problems. */
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<{ page: Page; context: BrowserContext; problems: PageProblems }>;
  close(): Promise<void>;
}

/** Loopback only (the tests' gateways and pages): no proxy from the environment may carry it elsewhere. */
function browserEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(https?|all|no)_proxy$/i.test(name)) delete env[name];
  return env;
}

/** The CDP address Chromium prints on stderr once it listens. */
function devtoolsAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const timer = setTimeout(() => reject(new Error(`chromium printed no DevTools address within 20 s: ${lines.join('\n')}`)), 20_000);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      lines.push(line);
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited (${code}) before listening: ${lines.join('\n')}`));
    });
  });
}

function watch(page: Page): PageProblems {
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], failedRequests: [], requested: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('request', (request) => problems.requested.push(request.url()));
  page.on('requestfailed', (request) => problems.failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  return problems;
}

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits up to 5 s for Chromium's own exit, then ends its process group (-PID): TERM, then KILL. */
async function endProcessGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = child.pid as number;
  const gone = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, ms, false))]);
  if (child.exitCode === null && child.signalCode === null && !(await gone(5_000))) process.kill(-pid, 'SIGTERM');
  for (let waited = 0; groupAlive(pid) && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  await exited;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: ${await installHint('chromium')}`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-chromium-'));
  // Its own process group (detached), so teardown can end the helpers it started, by its PID.
  const child = spawn(CHROMIUM, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], { env: browserEnv(), stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let browser: Browser;
  try {
    browser = await chromium.connectOverCDP(await devtoolsAddress(child));
  } catch (error) {
    await endProcessGroup(child, exited);
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    pid: child.pid as number,
    async newPage(options = {}) {
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      return { page, context, problems: watch(page) };
    },
    async close() {
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
      // Browser.close lets Chromium shut down cleanly: its helper processes end with it
      // and stop writing the profile (playwright's close() over CDP only disconnects).
      await browser
        .newBrowserCDPSession()
        .then((session) => session.send('Browser.close'))
        .catch(() => undefined);
      await browser.close().catch(() => undefined);
      await endProcessGroup(child, exited);
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
