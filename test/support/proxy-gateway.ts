// A gateway process with a throwaway config, for the proxy e2e tests: routes are
// written from objects, and stopping asserts the clean exit SPEC §7 promises.
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { makeConfigDir } from './config-dir.js';
import { startOwnedGateway, type OwnedGateway } from './gateway-process.js';

export type RouteObject = Record<string, unknown>;

/** stop(): SIGTERM, assert exit 0, remove the config dir. */
export type ProxyGateway = OwnedGateway;

export interface ProxyGatewayOptions {
  readonly policies?: Record<string, unknown>;
  /** functions.yaml as an object (`{ functions: {...} }`). */
  readonly functions?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

/** Every route is `auth: public` unless it says otherwise. */
export async function startProxyGateway(routes: RouteObject[], options: ProxyGatewayOptions = {}): Promise<ProxyGateway> {
  const config = makeConfigDir({
    routes: { 'routes.yaml': stringify({ routes: routes.map((route) => ({ auth: 'public', ...route })) }) },
    policies: options.policies ? { 'policies.yaml': stringify(options.policies) } : {},
    functions: options.functions ? stringify(options.functions) : undefined,
  });
  return startOwnedGateway(config, ['--log-level=warn'], options.env);
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}
