// A gateway process for the auth end-to-end tests: routes and policies written
// from objects, extra files (PEM keys) beside the policies, environment for
// secretEnv; stopping asserts the clean exit of SPEC §7.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { makeConfigDir } from './config-dir.js';
import { startOwnedGateway, type OwnedGateway } from './gateway-process.js';
import { send, type Reply } from './http-client.js';
import { sampleValue } from './metrics.js';
import type { ProxyGateway, RouteObject } from './proxy-gateway.js';

export interface AuthGatewayOptions {
  readonly routes: readonly RouteObject[];
  /** The `auth:` map of policies/policies.yaml. */
  readonly auth: Record<string, unknown>;
  /** Paths relative to the config root (e.g. `policies/keys/es.pem`) → contents. */
  readonly files?: Record<string, string>;
  readonly env?: Record<string, string>;
}

export async function startAuthGateway(options: AuthGatewayOptions): Promise<ProxyGateway> {
  const config = makeConfigDir({
    routes: { 'routes.yaml': stringify({ routes: options.routes }) },
    policies: { 'policies.yaml': stringify({ auth: options.auth }) },
  });
  try {
    for (const [relative, text] of Object.entries(options.files ?? {})) {
      mkdirSync(path.dirname(path.join(config.root, relative)), { recursive: true });
      config.write(relative, text);
    }
  } catch (error) {
    config.remove();
    throw error;
  }
  return startOwnedGateway(config, ['--log-level=warn'], options.env);
}

/** GET with a bearer token. */
export const withBearer = (gateway: ProxyGateway, pathAndQuery: string, token: string): Promise<Reply> =>
  send(gateway.url(pathAndQuery), { headers: { authorization: `Bearer ${token}` } });

/** gatehouse_auth_failures_total{policy,reason}, 0 when absent. */
export async function authFailures(gateway: ProxyGateway, policy: string, reason: string): Promise<number> {
  const text = (await send(gateway.process.adminUrl('/metrics'))).text();
  return sampleValue(text, 'gatehouse_auth_failures_total', { policy, reason }) ?? 0;
}
