// Express Gateway 1.16 under test, from its own package (bench/express-gateway/,
// installed there with `npm ci` on the first run only, never in Gatehouse's
// dependencies). Its config is bench/express-gateway/config/: the in-process
// Redis emulation (no Redis), pipelines key-auth + rate-limit and jwt + rate-limit
// mirroring the Gatehouse bench routes. Each stack gets its own EG process; the
// consumer and its key-auth credential are created through EG's admin API, as an
// operator would, since the emulated database lives in that process.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { startServer, type Server } from './processes.js';

export const EG_DIR = path.resolve('bench/express-gateway');
const EG_MAIN = path.join(EG_DIR, 'node_modules/express-gateway/lib/index.js');

/** The installed version, installing it first when it is not there (npm ci, from the committed lock). */
export function ensureExpressGateway(): string {
  if (!existsSync(EG_MAIN)) {
    process.stderr.write('Express Gateway is not installed: npm ci --prefix bench/express-gateway (first run only, ~30 s)\n');
    const install = spawnSync('npm', ['ci', '--prefix', EG_DIR, '--no-audit', '--no-fund', '--loglevel=error'], { encoding: 'utf8' });
    if (install.status !== 0 || !existsSync(EG_MAIN)) throw new Error(`npm ci --prefix bench/express-gateway failed (${install.status}):\n${install.stdout}${install.stderr}`);
  }
  return (JSON.parse(readFileSync(path.join(EG_DIR, 'node_modules/express-gateway/package.json'), 'utf8')) as { version: string }).version;
}

export interface ExpressGatewayOptions {
  readonly upstream: string;
  readonly publicKeyFile: string;
  readonly issuer: string;
  readonly audience: string;
}

export interface ExpressGateway extends Server {
  /** X-API-Key value (`keyId:keySecret`) of the bench consumer's key-auth credential. */
  readonly apiKey: string;
}

export async function startExpressGateway(options: ExpressGatewayOptions, core: string): Promise<ExpressGateway> {
  const [httpPort, adminPort] = await Promise.all([freePort(), freePort()]);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EG_CONFIG_DIR: path.join(EG_DIR, 'config'),
    EG_HTTP_PORT: String(httpPort),
    EG_ADMIN_PORT: String(adminPort),
    EG_UPSTREAM: options.upstream,
    EG_JWT_PUBLIC_KEY_FILE: options.publicKeyFile,
    EG_JWT_ISSUER: options.issuer,
    EG_JWT_AUDIENCE: options.audience,
    EG_DISABLE_CONFIG_WATCH: '1',
    LOG_LEVEL: 'info',
  };
  // EG's proxy policy sends everything through an HTTP proxy named in the environment.
  for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY']) delete env[name];
  const up = { admin: false, gateway: false };
  const server = await startServer('express-gateway', core, process.execPath, [EG_MAIN], {
    env,
    // Each listener logs a line once it listens; ready when both have.
    listening: (line) => {
      if (line.includes('admin http server listening')) up.admin = true;
      if (line.includes('gateway http server listening')) up.gateway = true;
      return up.admin && up.gateway ? httpPort : undefined;
    },
  });
  try {
    const admin = (method: string, pathname: string, body?: unknown): Promise<Record<string, unknown>> => adminRequest(adminPort, method, pathname, body);
    const user = await admin('POST', '/users', { username: 'bench-client', firstname: 'Bench', lastname: 'Client' });
    const credential = await admin('POST', '/credentials', { consumerId: user.id, type: 'key-auth', credential: {} });
    if (typeof credential.keyId !== 'string' || typeof credential.keySecret !== 'string') throw new Error(`no key-auth credential from EG's admin API: ${JSON.stringify(credential)}`);
    return { ...server, apiKey: `${credential.keyId}:${credential.keySecret}` };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function adminRequest(port: number, method: string, pathname: string, body?: unknown): Promise<Record<string, unknown>> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, agent: false, timeout: 10_000, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`EG admin ${method} ${pathname}: ${res.statusCode} ${text}`));
        try {
          resolve(JSON.parse(text) as Record<string, unknown>);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.once('timeout', () => req.destroy(new Error(`EG admin ${method} ${pathname} timed out`)));
    req.once('error', reject);
    req.end(payload);
  });
}

/** A loopback port that was free a moment ago (EG logs its configured port, not the one it got from 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
