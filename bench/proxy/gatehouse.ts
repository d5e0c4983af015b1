// Gatehouse under test: one config directory for the whole run (routes and
// policies written as the README describes them), a fresh RSA key pair and API
// key per run, and one `gatehouse serve` process per stack on that config,
// pinned to the server core: the real built CLI (`node dist/cli.js serve`) with
// the flags test/support/gateway-process.ts gives it (--port 0 --admin-port 0),
// the port read from its {"event":"listening"} line. Started through
// processes.ts rather than startGatewayProcess so that a gateway that never
// listens is killed too.
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { makeConfigDir, type ConfigDir } from '../../test/support/config-dir.js';
import { ADMIN_TOKEN } from '../../test/support/gateway-process.js';
import { nowS, rsaKeyPair, signJwt } from '../../test/support/tokens.js';
import { startServer, type Server } from './processes.js';

export const ISSUER = 'https://id.gatehouse.bench/';
export const AUDIENCE = 'gatehouse-bench';
/** Never refuses at these rates: the bench measures the admission path. */
const RATE_LIMIT = { requests: 100_000_000, per: '1s' };
/** The trivial middleware module, from the source tree (a plain ES module, not compiled; run from the repo root). */
const TRIVIAL_MIDDLEWARE = path.resolve('bench/proxy/bench-middleware/trivial.js');

export interface Credentials {
  /** X-API-Key for the API-key route. */
  readonly apiKey: string;
  /** A JWT RS256 token valid for the whole run. */
  readonly token: string;
  /** The public key as a PEM file (Express Gateway reads the same one). */
  readonly publicKeyFile: string;
}

export interface GatehouseConfig {
  readonly dir: ConfigDir;
  readonly credentials: Credentials;
  /** Extra `serve` flags every gateway gets. */
  readonly flags: readonly string[];
}

/**
 * The bench's routes: public, API key + rate limit, JWT RS256 + rate limit, and
 * (with `middleware`) a public route through one trivial middleware.
 */
export function writeGatehouseConfig(upstream: string, options: { middleware: boolean }): GatehouseConfig {
  const keys = rsaKeyPair('bench');
  const apiKey = `gh_bench_${randomBytes(24).toString('base64url')}`;
  const routes: Array<Record<string, unknown>> = [
    { name: 'public', match: { path: '/public' }, upstream, auth: 'public' },
    { name: 'api-key', match: { path: '/api-key' }, upstream, auth: 'partners', rateLimit: ['bench'] },
    { name: 'jwt', match: { path: '/jwt' }, upstream, auth: 'mobile', rateLimit: ['bench'] },
  ];
  if (options.middleware) routes.push({ name: 'middleware', match: { path: '/middleware' }, upstream, auth: 'public', middleware: ['./bench-middleware/trivial.js'] });
  const policies = {
    auth: {
      partners: { type: 'apiKey', in: 'header', name: 'X-API-Key', keys: [{ id: 'bench-client', hash: `sha256:${createHash('sha256').update(apiKey).digest('hex')}` }] },
      mobile: { type: 'jwt', algorithms: ['RS256'], publicKeyFile: 'keys/bench.pub.pem', issuer: ISSUER, audience: AUDIENCE },
    },
    // Per consumer (the API key's id, the token's POLICY:SUB), as Express Gateway's
    // pipelines are configured: a consumer's quota, the policy an authenticated route has.
    rateLimits: { bench: { key: 'consumer', limits: [RATE_LIMIT] } },
  };
  const dir = makeConfigDir({ routes: { 'bench.yaml': stringify({ routes }) }, policies: { 'bench.yaml': stringify(policies) } });
  mkdirSync(path.join(dir.policiesDir, 'keys'));
  const publicKeyFile = path.join(dir.policiesDir, 'keys', 'bench.pub.pem');
  writeFileSync(publicKeyFile, keys.publicPem);
  // The module next to the routes file that names it; a package.json makes its .js an ES module outside the repo.
  mkdirSync(path.join(dir.routesDir, 'bench-middleware'));
  copyFileSync(TRIVIAL_MIDDLEWARE, path.join(dir.routesDir, 'bench-middleware', 'trivial.js'));
  writeFileSync(path.join(dir.routesDir, 'bench-middleware', 'package.json'), '{ "type": "module" }\n');
  const now = nowS();
  const token = signJwt({ sub: 'bench-client', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600 }, keys.privateKey, 'RS256');
  return { dir, credentials: { apiKey, token, publicKeyFile }, flags: serveFlags() };
}

/** `--log-level warn`, and `--access-log off` only where this build has the flag. */
function serveFlags(): string[] {
  const help = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'serve', '--help'], { encoding: 'utf8' }).stdout ?? '';
  return ['--log-level=warn', '--shutdown-timeout=2s', ...(help.includes('--access-log') ? ['--access-log=off'] : [])];
}

/** Whether this checkout's schema accepts the config (e.g. a route with `middleware:`). */
export function configIsValid(dir: ConfigDir): { valid: boolean; problems: string } {
  const run = spawnSync(process.execPath, [path.resolve('dist/cli.js'), 'validate', `--routes=${dir.routesDir}`, `--policies=${dir.policiesDir}`, `--functions=${dir.functionsFile}`], { encoding: 'utf8' });
  return { valid: run.status === 0, problems: `${run.stdout ?? ''}${run.stderr ?? ''}`.trim() };
}

/** `accessLog`: the access-log-on stack; every other gateway runs with `--access-log=off` (where the build has it). */
export function startGatehouse(config: GatehouseConfig, core: string, options: { accessLog?: boolean } = {}): Promise<Server> {
  const { dir } = config;
  const flags = options.accessLog ? config.flags.filter((flag) => !flag.startsWith('--access-log')).concat('--access-log=on') : config.flags;
  const args = [path.resolve('dist/cli.js'), 'serve', '--port=0', '--admin-port=0', '--host=127.0.0.1', `--routes=${dir.routesDir}`, `--policies=${dir.policiesDir}`, `--functions=${dir.functionsFile}`, ...flags];
  return startServer('gatehouse', core, process.execPath, args, { env: { ...process.env, GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN } });
}
