// RouteSpec fixtures for the routing suites: only what matching reads varies.
import assert from 'node:assert/strict';
import type { RouteSpec } from '../../../src/config/types.js';
import { normalisePath } from '../../../src/routing/normalise.js';
import { compileRouteTable } from '../../../src/routing/table.js';
import type { RouteRequest, RouteTable } from '../../../src/routing/types.js';

export interface RouteOptions {
  readonly methods?: readonly string[] | null;
  readonly host?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly rewrite?: string | null;
  readonly line?: number;
}

let nextLine = 1;

export function route(name: string, path: string, options: RouteOptions = {}): RouteSpec {
  return {
    name,
    position: { file: 'routes/t.yaml', line: options.line ?? nextLine++, col: 5 },
    match: { path, methods: options.methods ?? null, host: options.host ?? null, headers: options.headers ?? {} },
    target: { kind: 'upstream', url: new URL('http://127.0.0.1:1') },
    rewrite: options.rewrite ?? null,
    auth: { kind: 'public' },
    scopes: [],
    rateLimit: [],
    cors: null,
    timeoutMs: 30_000,
    retries: 1,
    maxBodyBytes: 10 * 1024 * 1024,
    wake: 'authenticated',
    forwardCredentials: false,
    middleware: [],
  };
}

export function compile(routes: readonly RouteSpec[]): RouteTable {
  const result = compileRouteTable(routes);
  if (!result.ok) assert.fail(`expected the routes to compile: ${result.problems.map((p) => p.message).join('; ')}`);
  return result.table;
}

export interface RequestLine {
  readonly method: string;
  readonly host?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The request the pipeline would hand the table, or null when the path is refused (400). */
export function request(line: RequestLine): RouteRequest | null {
  const path = normalisePath(line.path);
  if (!path.ok) return null;
  return { method: line.method, host: line.host, path, headers: line.headers ?? {} };
}
