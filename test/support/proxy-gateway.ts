// A gateway process with a throwaway config, for the proxy e2e tests: routes are
// written from objects, and stopping asserts the clean exit SPEC §7 promises.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { makeConfigDir, type ConfigDir } from './config-dir.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';

export type RouteObject = Record<string, unknown>;

export interface ProxyGateway {
  readonly process: GatewayProcess;
  readonly config: ConfigDir;
  url(pathAndQuery: string): string;
  /** SIGTERM, assert exit 0, remove the config dir. */
  stop(): Promise<void>;
}

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
  let process: GatewayProcess;
  try {
    process = await startGatewayProcess(config, ['--log-level=warn'], options.env);
  } catch (error) {
    config.remove();
    throw error;
  }
  return {
    process,
    config,
    url: (p) => process.url(p),
    async stop() {
      const code = await process.stop('SIGTERM');
      config.remove();
      assert.equal(code, 0, 'the gateway exits 0 on SIGTERM');
    },
  };
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}
