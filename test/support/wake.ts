// Shared by the wake-*.test.ts files: a gateway per test running test functions
// (local backend), its admin and metrics views, and bounded polling. Each gateway
// is stopped after its test with SIGTERM and must exit 0 (SPEC §7).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeConfigDir, TEST_FUNCTION, type ConfigDir } from './config-dir.js';
import { ADMIN_TOKEN, startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { adminHeaders, send } from './http-client.js';
import { sampleValue } from './metrics.js';
import { until } from './wait.js';

/** A function's functions.yaml entry, minus the command (always the test function). */
export type FunctionEntry = Record<string, unknown> & { env?: Record<string, string> };

export interface WakeGateway {
  readonly gateway: GatewayProcess;
  readonly config: ConfigDir;
  /** `/NAME/rest` reaches function NAME as `/rest`. */
  url(fn: string, rest: string): string;
  /** An absolute path in the config dir; `lift(name)` creates the file (a barrier the functions wait on). */
  file(name: string): string;
  lift(name: string): void;
  liftAll(): void;
}

/** YAML is a superset of JSON: the config files are written as JSON. */
function configFiles(functions: Record<string, FunctionEntry>): { routes: string; functions: string } {
  const command = JSON.parse(TEST_FUNCTION) as string[];
  const routes = Object.keys(functions).map((name) => ({ name, match: { path: `/${name}/*` }, function: name, auth: 'public', rewrite: '/*' }));
  const entries = Object.fromEntries(Object.entries(functions).map(([name, entry]) => [name, { command, ...entry }]));
  return { routes: JSON.stringify({ routes }), functions: JSON.stringify({ functions: entries }) };
}

/**
 * A fresh gateway for each test of the enclosing describe. `functions` may refer to
 * barrier files through `file` (given the config dir), so it is a function.
 */
export function useWakeGateway(functions: (file: (name: string) => string) => Record<string, FunctionEntry>): () => WakeGateway {
  let current: WakeGateway | null = null;
  beforeEach(async function () {
    this.timeout(30_000);
    const config = makeConfigDir({ routes: {} });
    const barriers = new Set<string>();
    const file = (name: string): string => (barriers.add(name), path.join(config.root, name));
    const files = configFiles(functions(file));
    config.write('routes/wake.yaml', files.routes);
    config.write('functions.yaml', files.functions);
    let gateway: GatewayProcess;
    try {
      // Bounded, so a test that fails with requests in flight still lets its gateway exit.
      gateway = await startGatewayProcess(config, ['--shutdown-timeout=10s']);
    } catch (error) {
      config.remove();
      throw error;
    }
    current = {
      gateway,
      config,
      url: (fn, rest) => gateway.url(`/${fn}${rest}`),
      file,
      lift: (name) => writeFileSync(file(name), 'go'),
      liftAll: () => barriers.forEach((name) => writeFileSync(file(name), 'go')),
    };
  });
  afterEach(async function () {
    this.timeout(30_000);
    const done = current;
    current = null;
    if (!done) return;
    done.liftAll(); // a failed test may have left requests waiting on a barrier
    try {
      assert.equal(await done.gateway.stop('SIGTERM'), 0, 'the gateway exits 0 on SIGTERM');
    } finally {
      done.config.remove();
    }
  });
  return () => {
    if (!current) throw new Error('no gateway outside a test');
    return current;
  };
}

export interface FunctionView {
  name: string;
  /** Kubernetes backend only: the Service's namespace. */
  namespace?: string;
  endpoints: Array<{ id: string; origin: string; inFlight: number; refused: boolean }>;
  inFlight: number;
  pending: number;
  pendingBytes: number;
  lastWake: { startedAt: string; durationMs: number | null; outcome: string } | null;
}

export async function functionStatus(gateway: GatewayProcess, name: string): Promise<FunctionView> {
  const reply = await send(gateway.adminUrl('/admin/functions'), { headers: adminHeaders(ADMIN_TOKEN) });
  assert.equal(reply.status, 200);
  const found = reply.json<{ functions: FunctionView[] }>().functions.find((f) => f.name === name);
  if (!found) throw new Error(`/admin/functions does not list ${name}`);
  return found;
}

export const untilStatus = (gateway: GatewayProcess, name: string, what: string, predicate: (view: FunctionView) => boolean): Promise<FunctionView> =>
  until(what, async () => {
    const view = await functionStatus(gateway, name);
    return predicate(view) ? view : undefined;
  });

/** One sample of the gateway's /metrics, or undefined when it is absent. */
export async function metric(gateway: GatewayProcess, name: string, labels: Record<string, string>): Promise<number | undefined> {
  return sampleValue((await send(gateway.adminUrl('/metrics'))).text(), name, labels);
}

/** Log lines with this message (and function, when given). */
export function logLines(gateway: GatewayProcess, msg: string, fn?: string): Array<Record<string, unknown>> {
  return gateway.logs.filter((line) => line.msg === msg && (fn === undefined || line.function === fn));
}

/** A problem+json 503 as the spec describes it: Retry-After in whole seconds, and the detail. */
export function assertUnavailable(reply: { status: number; headers: Record<string, unknown>; json<T>(): T }, detail: RegExp): void {
  assert.equal(reply.status, 503);
  assert.equal(reply.headers['content-type'], 'application/problem+json');
  assert.match(String(reply.headers['retry-after']), /^\d+$/);
  const body = reply.json<{ status: number; detail: string }>();
  assert.equal(body.status, 503);
  assert.match(body.detail, detail);
}
