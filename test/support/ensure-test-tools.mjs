// The programs `npm test` runs that npm cannot install (README, "Set up").
// Run by `pretest` before the build, so plain Node ESM with no dependencies.
// For each one missing from PATH it installs it where the machine allows (as
// root with apt-get: one line saying so, then apt-get, quietly), or prints one
// line saying how to install it; without a program the run cannot do without,
// it then stops at once. Nothing is skipped: a test whose program is missing
// fails, saying the same.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/**
 * One row per program. `debian` is the Debian package that brings it, `macos`
 * the command that does there; `stopsTheRun` says whether npm test stops
 * before the build when it is missing and cannot be installed.
 */
export const TEST_TOOLS = Object.freeze([
  {
    command: 'redis-server',
    neededBy: 'the rate-limit tests',
    debian: 'redis-server',
    macos: 'brew install redis',
    // test/support/redis-server.ts starts this program instead when it is set.
    overrideEnv: 'GATEHOUSE_TEST_REDIS_SERVER',
    // Dozens of tests would each fail on it: stop before the build instead.
    stopsTheRun: true,
  },
  {
    command: 'kubectl',
    neededBy: 'the manifest test, which renders deploy/kubernetes with `kubectl kustomize`',
    // Debian 12's kubectl; from Debian 13 on, a transitional package for the
    // Debian package `kubectl`. (The `kubectl` some Debian 12 images carry is
    // another vendor's package, not Debian's.)
    debian: 'kubernetes-client',
    macos: 'brew install kubectl',
    overrideEnv: undefined,
    // One test file needs it, and it fails saying how to install it.
    stopsTheRun: false,
  },
  {
    command: 'promtool',
    neededBy: 'the metrics test, which lints /metrics with `promtool check metrics`',
    debian: 'prometheus',
    macos: 'brew install prometheus',
    overrideEnv: undefined,
    stopsTheRun: false,
  },
  {
    command: 'chromium',
    neededBy: 'the browser tests (dashboard, CORS), which drive it with playwright-core',
    // Debian's own build; playwright's downloaded browsers are never used.
    debian: 'chromium',
    macos: 'brew install --cask chromium',
    // test/support/browser.ts runs this program instead of /usr/bin/chromium when it is set.
    overrideEnv: 'GATEHOUSE_TEST_CHROMIUM',
    // Two test files need it, and they fail saying how to install it.
    stopsTheRun: false,
  },
  {
    command: 'redis-cli',
    neededBy: 'the Redis Cluster and Sentinel tests, which join the cluster and ask the sentinels with it',
    // Debian's redis-server depends on it; named for an image that has the server alone.
    debian: 'redis-tools',
    macos: 'brew install redis',
    overrideEnv: 'GATEHOUSE_TEST_REDIS_CLI',
    stopsTheRun: false,
  },
  {
    command: 'openssl',
    neededBy: 'the Redis TLS test, which makes its CA and server certificate with it',
    debian: 'openssl',
    macos: 'brew install openssl',
    overrideEnv: undefined,
    stopsTheRun: false,
  },
]);

/** Whether `command` is an executable file in one of PATH's folders. */
export function onPath(command, pathVariable = process.env.PATH ?? '') {
  return pathVariable
    .split(path.delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => {
      const file = path.join(dir, command);
      try {
        accessSync(file, constants.X_OK);
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

/** The rows of `tools` whose program this environment lacks. */
export function missingTools(tools = TEST_TOOLS, env = process.env) {
  return tools.filter((t) => !(t.overrideEnv && env[t.overrideEnv]) && !onPath(t.command, env.PATH ?? ''));
}

/** The one line saying how to install `tools` by hand. */
export function howToInstallLine(tools) {
  const needs = tools.map((t) => `${t.command} (${t.neededBy})`).join(' and ');
  const debian = `sudo apt-get install ${tools.map((t) => t.debian).join(' ')}`;
  const macos = tools.map((t) => t.macos).join(' && ');
  return `npm test needs ${needs}: install ${tools.length === 1 ? 'it' : 'them'} with \`${debian}\` on Debian/Ubuntu or \`${macos}\` on macOS`;
}

/**
 * What to do about the missing tools (pure, so the test can try every case):
 * `install` their Debian packages, `stop` the run, `warn` and go on (the tests
 * that need them fail, saying how), or `none`. `line` is the one line to print.
 */
export function decide(missing, { isRoot, hasAptGet }) {
  if (missing.length === 0) return { action: 'none' };
  if (isRoot && hasAptGet) {
    const packages = missing.map((t) => t.debian);
    const one = missing.length === 1;
    return {
      action: 'install',
      packages,
      line: `npm test: ${missing.map((t) => t.command).join(' and ')} ${one ? 'is' : 'are'} missing; installing ${one ? 'it' : 'them'} with apt-get (Debian package${one ? '' : 's'} ${packages.join(', ')})`,
    };
  }
  return { action: missing.some((t) => t.stopsTheRun) ? 'stop' : 'warn', line: howToInstallLine(missing) };
}

/** apt-get, quiet: its output is shown only when it fails. */
function aptGet(args) {
  const run = spawnSync('apt-get', args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (run.status !== 0) process.stderr.write(`${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? `${run.error.message}\n` : ''}`);
  return run.status === 0;
}

function main() {
  const missing = missingTools();
  const decision = decide(missing, { isRoot: process.getuid?.() === 0, hasAptGet: onPath('apt-get') });
  if (decision.action === 'none') return 0;
  console.error(decision.line);
  if (decision.action === 'warn') return 0;
  if (decision.action === 'stop') return 1;
  // One update, then one install per package: a package this Debian release
  // lacks must not keep the others from installing.
  if (aptGet(['update', '-qq'])) for (const p of decision.packages) aptGet(['install', '-y', '-qq', p]);
  const still = missingTools(missing);
  if (still.length === 0) return 0;
  console.error(`${howToInstallLine(still)} (still not on PATH after apt-get)`);
  return still.some((t) => t.stopsTheRun) ? 1 : 0;
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) process.exitCode = main();
