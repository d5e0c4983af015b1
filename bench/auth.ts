// Authentication cost per request, in process, with the real modules: the
// config is loaded from YAML as the gateway loads it, and each request goes
// through PolicyAuthenticator.authenticate (bearer parsing, verification,
// identity headers). Reported: µs per request, median of 5 runs after a warm-up.
import { createHash, createPublicKey, createSecretKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import type { Authenticator } from '../src/auth/authenticate.js';
import { JwksRegistry } from '../src/auth/jwt/jwks-registry.js';
import { compileAuthenticator } from '../src/auth/policy-authenticator.js';
import { nodeConfigIo } from '../src/config/io.js';
import { loadConfig } from '../src/config/load.js';
import type { GatewayConfig, RouteSpec } from '../src/config/types.js';
import { silentLogger } from '../src/observability/logger.js';
import { fakeRequest } from '../test/support/fake-request.js';

const RUNS = 5;
const DISTINCT_TOKENS = 2_000;
const CACHED_OPS = 50_000;
const HS_ENV = 'GATEHOUSE_BENCH_HS_SECRET';
const HS_SECRET = 'bench-hs256-secret-0123456789abcdef-0123456789';
const API_KEY = 'bench_key_Zb3kF0q9xJm2Lr8pTt4wYc1vN6sHd5gE';
const API_KEY_SHA256 = `sha256:${createHash('sha256').update(API_KEY).digest('hex')}`;

export interface BenchRow {
  readonly name: string;
  readonly medianUs: number;
  readonly minUs: number;
  readonly maxUs: number;
  readonly opsPerRun: number;
}

const { privateKey: rsaPrivate, publicKey: rsaPublic } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RSA_PEM = rsaPublic.export({ type: 'spki', format: 'pem' }).toString();

async function loadBenchConfig(): Promise<GatewayConfig> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  try {
    mkdirSync(path.join(root, 'routes'));
    mkdirSync(path.join(root, 'policies'));
    const route = (name: string): string => `  - { name: ${name}, match: { path: /${name} }, upstream: "http://127.0.0.1:9", auth: ${name} }\n`;
    writeFileSync(path.join(root, 'routes', 'bench.yaml'), `routes:\n${['rs', 'hs', 'partners'].map(route).join('')}`);
    const pem = RSA_PEM.trim().split('\n').map((line) => `        ${line}`).join('\n');
    writeFileSync(
      path.join(root, 'policies', 'auth.yaml'),
      `auth:\n  rs:\n    type: jwt\n    algorithms: [RS256]\n    publicKey: |\n${pem}\n` +
        `  hs:\n    type: jwt\n    algorithms: [HS256]\n    secretEnv: ${HS_ENV}\n` +
        `  partners:\n    type: apiKey\n    name: X-API-Key\n    keys:\n      - { id: acme, hash: "${API_KEY_SHA256}" }\n`,
    );
    const loaded = await loadConfig({ routesDir: path.join(root, 'routes'), policiesDir: path.join(root, 'policies'), functionsFile: null }, { ...nodeConfigIo(), env: { [HS_ENV]: HS_SECRET } });
    if (!loaded.ok) throw new Error(`bench config refused: ${JSON.stringify(loaded.problems)}`);
    return loaded.config;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A fresh authenticator: fresh verifiers, so an empty token cache. */
function authenticatorFor(config: GatewayConfig): Authenticator {
  process.env[HS_ENV] = HS_SECRET; // compileAuthenticator reads the secret from the environment
  return compileAuthenticator(config, new JwksRegistry(silentLogger()), { failed: () => {} }).authenticator;
}

const bearer = (token: string): IncomingMessage => fakeRequest([['Authorization', `Bearer ${token}`]], '/');

function distinctTokens(alg: 'RS256' | 'HS256'): string[] {
  const key = alg === 'RS256' ? rsaPrivate : createSecretKey(Buffer.from(HS_SECRET));
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return Array.from({ length: DISTINCT_TOKENS }, (_, i) => jwt.sign({ sub: `user-${i}`, exp }, key, { algorithm: alg }));
}

async function timeUs(requests: readonly IncomingMessage[], authenticator: Authenticator, route: RouteSpec, repeat: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let r = 0; r < repeat; r++) {
    for (const req of requests) {
      const outcome = await authenticator.authenticate(route, req);
      if (outcome.kind !== 'admitted') throw new Error(`refused: ${outcome.reason}`);
    }
  }
  return Number(process.hrtime.bigint() - start) / 1000 / (requests.length * repeat);
}

function summary(name: string, samples: number[], opsPerRun: number): BenchRow {
  const sorted = [...samples].sort((x, y) => x - y);
  return { name, medianUs: sorted[Math.floor(sorted.length / 2)] as number, minUs: sorted[0] as number, maxUs: sorted[sorted.length - 1] as number, opsPerRun };
}

/** Every request a distinct token: a new authenticator per run, so nothing is cached. */
async function cold(name: string, config: GatewayConfig, route: RouteSpec, alg: 'RS256' | 'HS256'): Promise<BenchRow> {
  const requests = distinctTokens(alg).map(bearer);
  await timeUs(requests, authenticatorFor(config), route, 1); // warm-up
  const samples = [];
  for (let run = 0; run < RUNS; run++) samples.push(await timeUs(requests, authenticatorFor(config), route, 1));
  return summary(name, samples, requests.length);
}

/** The same request again and again, on one authenticator (after its first verify, a cache hit). */
async function repeated(name: string, authenticator: Authenticator, route: RouteSpec, req: IncomingMessage): Promise<BenchRow> {
  await timeUs([req], authenticator, route, CACHED_OPS); // warm-up (and, for a JWT, the one real verify)
  const samples = [];
  for (let run = 0; run < RUNS; run++) samples.push(await timeUs([req], authenticator, route, CACHED_OPS));
  return summary(name, samples, CACHED_OPS);
}

/** jsonwebtoken alone, the same token each time (it has no cache): a string key vs a KeyObject. */
function jsonwebtokenKeys(name: string, token: string, key: string | ReturnType<typeof createPublicKey>, alg: jwt.Algorithm, ops: number): BenchRow {
  const once = (n: number): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) jwt.verify(token, key, { algorithms: [alg] });
    return Number(process.hrtime.bigint() - start) / 1000 / n;
  };
  once(Math.ceil(ops / 5));
  return summary(name, Array.from({ length: RUNS }, () => once(ops)), ops);
}

export async function runAuthBench(): Promise<BenchRow[]> {
  const config = await loadBenchConfig();
  const routeOf = (name: string): RouteSpec => {
    const route = config.routes.find((r) => r.name === name);
    if (!route) throw new Error(`no route ${name}`);
    return route;
  };
  const rows: BenchRow[] = [];
  rows.push(await cold('JWT RS256, cold (2,000 distinct tokens, no cache hit)', config, routeOf('rs'), 'RS256'));
  const cachedToken = distinctTokens('RS256')[0] as string;
  rows.push(await repeated('JWT RS256, cached (the same token)', authenticatorFor(config), routeOf('rs'), bearer(cachedToken)));
  rows.push(await repeated('API key in a header (X-API-Key)', authenticatorFor(config), routeOf('partners'), fakeRequest([['X-API-Key', API_KEY]], '/')));
  rows.push(await cold('JWT HS256, cold (2,000 distinct tokens, no cache hit)', config, routeOf('hs'), 'HS256'));
  const hsToken = distinctTokens('HS256')[0] as string;
  rows.push(jsonwebtokenKeys('jsonwebtoken.verify HS256, secret as a string', hsToken, HS_SECRET, 'HS256', 5_000));
  rows.push(jsonwebtokenKeys('jsonwebtoken.verify HS256, secret as a KeyObject', hsToken, createSecretKey(Buffer.from(HS_SECRET)), 'HS256', 50_000));
  rows.push(jsonwebtokenKeys('jsonwebtoken.verify RS256, public key as a PEM string', cachedToken, RSA_PEM, 'RS256', 5_000));
  rows.push(jsonwebtokenKeys('jsonwebtoken.verify RS256, public key as a KeyObject', cachedToken, createPublicKey(RSA_PEM), 'RS256', 5_000));
  return rows;
}

export function formatRows(rows: readonly BenchRow[]): string {
  const lines = ['| Case | µs per request (median of 5) | min – max | requests per run |', '|---|---:|---:|---:|'];
  for (const row of rows) lines.push(`| ${row.name} | ${row.medianUs.toFixed(2)} | ${row.minUs.toFixed(2)} – ${row.maxUs.toFixed(2)} | ${row.opsPerRun.toLocaleString('en-US')} |`);
  return lines.join('\n');
}
