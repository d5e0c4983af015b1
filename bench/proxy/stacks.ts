// The stacks the proxy bench measures, one entry each: its name in the table,
// how to start it (a process pinned to the server core, answering on a port),
// and the path and headers wrk sends it. Every stack proxies to the same Node
// upstream (upstream.mjs), which answers 13 bytes.
import path from 'node:path';
import { ensureExpressGateway, startExpressGateway } from './express-gateway.js';
import { AUDIENCE, ISSUER, startGatehouse, type GatehouseConfig } from './gatehouse.js';
import { startServer, type Server } from './processes.js';

/** The Gatehouse route with one trivial middleware (SPEC §2 `middleware`). */
export const MIDDLEWARE_ROUTE = true;

export const UPSTREAM_SCRIPT = path.resolve('bench/proxy/upstream.mjs');
const BASELINES = path.resolve('bench/baselines');

export interface StackContext {
  /** http://127.0.0.1:PORT of the upstream. */
  readonly origin: string;
  readonly upstream: Server;
  readonly gatehouse: GatehouseConfig;
  readonly core: string;
}

export interface Target {
  readonly server: Server;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The status of a request without those headers (an auth stack must refuse it), or null: no check. */
  readonly withoutHeaders: number | null;
  stop(): Promise<void>;
}

export type Policy = 'none' | 'public' | 'api-key' | 'jwt' | 'middleware';

export interface Stack {
  readonly id: string;
  readonly name: string;
  readonly kind: 'direct' | 'baseline' | 'gatehouse' | 'express-gateway';
  readonly policy: Policy;
  start(context: StackContext): Promise<Target>;
}

const own = (server: Server, pathname: string, headers: Record<string, string> = {}, withoutHeaders: number | null = null): Target => ({
  server,
  path: pathname,
  headers,
  withoutHeaders,
  stop: () => server.stop(),
});

const baseline = (id: string, name: string, script: string): Stack => ({
  id,
  name,
  kind: 'baseline',
  policy: 'none',
  start: async ({ origin, core }) => own(await startServer(id, core, process.execPath, [path.join(BASELINES, script)], { env: { ...process.env, UPSTREAM: origin } }), '/bench'),
});

const gatehouse = (id: string, name: string, policy: Policy, pathname: string, headers: (config: GatehouseConfig) => Record<string, string>, withoutHeaders: number | null, options: { accessLog?: boolean } = {}): Stack => ({
  id,
  name,
  kind: 'gatehouse',
  policy,
  start: async ({ gatehouse: config, core }) => own(await startGatehouse(config, core, options), pathname, headers(config), withoutHeaders),
});

let egVersion: string | undefined;
/** Express Gateway's version, installing it on first use. */
export const expressGatewayVersion = (): string => (egVersion ??= ensureExpressGateway());

const expressGateway = (id: string, name: string, policy: Policy, pathname: string, headers: (config: GatehouseConfig, apiKey: string) => Record<string, string>): Stack => ({
  id,
  name,
  kind: 'express-gateway',
  policy,
  start: async ({ origin, gatehouse: config, core }) => {
    expressGatewayVersion();
    const eg = await startExpressGateway({ upstream: origin, publicKeyFile: config.credentials.publicKeyFile, issuer: ISSUER, audience: AUDIENCE }, core);
    return own(eg, pathname, headers(config, eg.apiKey), 401);
  },
});

export const STACKS: readonly Stack[] = [
  { id: 'direct', name: 'upstream direct (no proxy)', kind: 'direct', policy: 'none', start: async ({ upstream }) => ({ server: upstream, path: '/bench', headers: {}, withoutHeaders: null, stop: async () => {} }) },
  baseline('express-hpm', 'bare express 5 + http-proxy-middleware 3, keep-alive agent', 'express-hpm.mjs'),
  baseline('http-hpm', 'node:http + http-proxy-middleware 3, keep-alive agent, no express', 'http-hpm.mjs'),
  baseline('http-pipe', 'node:http + plain http.request + pipe (no library)', 'http-pipe.mjs'),
  baseline('express-pipe', 'express 5 + plain http.request + pipe', 'express-pipe.mjs'),
  gatehouse('gatehouse-public', 'Gatehouse, public upstream route', 'public', '/public', () => ({}), null),
  // The same route with the access log on (SPEC §6): one JSON line per request to a stdout the bench reads and drops.
  gatehouse('gatehouse-public-access-log', 'Gatehouse, public upstream route, access log on', 'public', '/public', () => ({}), null, { accessLog: true }),
  gatehouse('gatehouse-api-key', 'Gatehouse, API key + rate limit', 'api-key', '/api-key', (c) => ({ 'X-API-Key': c.credentials.apiKey }), 401),
  gatehouse('gatehouse-jwt', 'Gatehouse, JWT RS256 + rate limit', 'jwt', '/jwt', (c) => ({ Authorization: `Bearer ${c.credentials.token}` }), 401),
  ...(MIDDLEWARE_ROUTE ? [gatehouse('gatehouse-middleware', 'Gatehouse, public route + one trivial middleware', 'middleware', '/middleware', () => ({}), null)] : []),
  expressGateway('eg-key-auth', 'Express Gateway 1.16, key-auth + rate-limit', 'api-key', '/keyauth', (_c, apiKey) => ({ 'X-API-Key': apiKey })),
  expressGateway('eg-jwt', 'Express Gateway 1.16, jwt RS256 + rate-limit', 'jwt', '/jwt', (c) => ({ Authorization: `Bearer ${c.credentials.token}` })),
];
