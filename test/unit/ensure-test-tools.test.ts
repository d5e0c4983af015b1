// The pretest script that makes `npm test` work on a fresh machine (README,
// "Set up"): its choice for every kind of machine, from the pure decide(), and
// two real runs of the script with a PATH made for the test.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENSURE_TEST_TOOLS, loadTestTools, type TestTool } from '../support/test-tools.js';

const { TEST_TOOLS, decide, missingTools } = await loadTestTools();

function tool(command: string): TestTool {
  const found = TEST_TOOLS.find((t) => t.command === command);
  assert.ok(found, `TEST_TOOLS has no ${command}`);
  return found;
}

const redis = tool('redis-server');
const kubectl = tool('kubectl');
const chromium = tool('chromium');

interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The script as pretest runs it, with exactly `env` (PATH included). */
function runScript(env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ENSURE_TEST_TOOLS], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error?.code;
      resolve({ status: typeof code === 'number' ? code : error ? -1 : 0, stdout, stderr });
    });
  });
}

/** A folder holding an executable stand-in for each command. */
function binWith(dir: string, commands: readonly string[]): string {
  for (const command of commands) {
    writeFileSync(path.join(dir, command), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(dir, command), 0o755);
  }
  return dir;
}

describe('npm test: ensure-test-tools.mjs decides', () => {
  it('nothing when no program is missing', () => {
    assert.deepEqual(decide([], { isRoot: false, hasAptGet: false }), { action: 'none' });
  });

  it('as root with apt-get: installs the Debian package, saying so in one line', () => {
    assert.deepEqual(decide([redis], { isRoot: true, hasAptGet: true }), {
      action: 'install',
      packages: ['redis-server'],
      line: 'npm test: redis-server is missing; installing it with apt-get (Debian package redis-server)',
    });
    const both = decide([redis, kubectl], { isRoot: true, hasAptGet: true });
    assert.equal(both.action, 'install');
    assert.deepEqual(both.action === 'install' && both.packages, ['redis-server', 'kubernetes-client']);
  });

  it('without root, or as root without apt-get: stops on a missing redis-server, with one line saying how to install it', () => {
    const expected = 'npm test needs redis-server (the rate-limit tests): install it with `sudo apt-get install redis-server` on Debian/Ubuntu or `brew install redis` on macOS';
    for (const machine of [{ isRoot: false, hasAptGet: true }, { isRoot: false, hasAptGet: false }, { isRoot: true, hasAptGet: false }]) {
      assert.deepEqual(decide([redis], machine), { action: 'stop', line: expected }, JSON.stringify(machine));
    }
  });

  it('without root: a missing kubectl alone warns and lets the run go on (the manifest test fails, saying how)', () => {
    const decision = decide([kubectl], { isRoot: false, hasAptGet: true });
    assert.equal(decision.action, 'warn');
    assert.match(decision.action === 'warn' ? decision.line : '', /^npm test needs kubectl \(.*\): install it with `sudo apt-get install kubernetes-client` on Debian\/Ubuntu or `brew install kubectl` on macOS$/);
  });

  it('without root, both missing: stops, with one line naming both', () => {
    const decision = decide([redis, kubectl], { isRoot: false, hasAptGet: false });
    assert.equal(decision.action, 'stop');
    const line = decision.action === 'stop' ? decision.line : '';
    assert.doesNotMatch(line, /\n/);
    assert.match(line, /`sudo apt-get install redis-server kubernetes-client` on Debian\/Ubuntu or `brew install redis && brew install kubectl` on macOS$/);
  });

  it("as root with apt-get: a missing chromium installs Debian's chromium; without root it warns (the browser tests fail, saying how)", () => {
    assert.deepEqual(decide([chromium], { isRoot: true, hasAptGet: true }), {
      action: 'install',
      packages: ['chromium'],
      line: 'npm test: chromium is missing; installing it with apt-get (Debian package chromium)',
    });
    const decision = decide([chromium], { isRoot: false, hasAptGet: true });
    assert.equal(decision.action, 'warn');
    assert.match(decision.action === 'warn' ? decision.line : '', /`sudo apt-get install chromium` on Debian\/Ubuntu/);
  });

  it('every program in TEST_TOOLS says who needs it, its Debian package and its macOS install', () => {
    for (const t of TEST_TOOLS) {
      assert.match(t.command, /^[\w.-]+$/);
      assert.ok(t.neededBy && t.macos.startsWith('brew install '), t.command);
      assert.match(t.debian, /^[a-z0-9][a-z0-9+.-]+$/, `${t.command}: a Debian package name`);
    }
  });
});

describe('npm test: ensure-test-tools.mjs run for real', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tools-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('with a PATH lacking redis-server and apt-get: exits 1 at once, printing the one line and nothing else', async () => {
    const run = await runScript({ PATH: dir });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^npm test needs redis-server \(the rate-limit tests\) and kubectl .*`sudo apt-get install redis-server kubernetes-client [^`]*`.*`brew install redis && brew install kubectl/);
    for (const t of TEST_TOOLS) assert.ok(lines[0]!.includes(`${t.command} (${t.neededBy})`), `the line names ${t.command}`);
  });

  it('with every program on PATH: exits 0 and prints nothing', async () => {
    const run = await runScript({ PATH: binWith(dir, TEST_TOOLS.map((t) => t.command)) });
    assert.deepEqual(run, { status: 0, stdout: '', stderr: '' });
  });

  it('takes GATEHOUSE_TEST_REDIS_SERVER for redis-server, as the rate-limit tests do', async () => {
    const others = TEST_TOOLS.filter((t) => t.command !== 'redis-server').map((t) => t.command);
    const env = { PATH: binWith(dir, others), GATEHOUSE_TEST_REDIS_SERVER: '/opt/redis/bin/redis-server' };
    assert.deepEqual(missingTools(TEST_TOOLS, env), []);
    assert.deepEqual(await runScript(env), { status: 0, stdout: '', stderr: '' });
  });
});
