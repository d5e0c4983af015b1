// How a route is shown to people: `gatehouse routes` (one line each, SPEC §1)
// and GET /admin/routes (JSON), both in match-priority order.
import type { RouteSpec } from '../config/types.js';

export interface RouteSummary {
  readonly name: string;
  readonly methods: string;
  readonly host: string;
  readonly path: string;
  readonly target: string;
  readonly auth: string;
  readonly rateLimit: string;
  readonly cors: string;
  /** The route's middleware modules as written, in order (JSON only: `gatehouse routes` keeps its columns). */
  readonly middleware: readonly string[];
  readonly source: string;
}

export function summarizeRoute(route: RouteSpec): RouteSummary {
  return {
    name: route.name,
    methods: route.match.methods ? route.match.methods.join(',') : '*',
    host: route.match.host ?? '*',
    path: route.match.path + (route.rewrite ? ` -> ${route.rewrite}` : ''),
    target: route.target.kind === 'function' ? `function:${route.target.name}` : `upstream:${route.target.url.href}`,
    auth: route.auth.kind === 'public' ? 'public' : route.auth.names.join('|'),
    rateLimit: route.rateLimit.length > 0 ? route.rateLimit.join(',') : '-',
    cors: route.cors ?? '-',
    middleware: route.middleware.map((m) => m.ref),
    source: `${route.position.file}:${route.position.line}:${route.position.col}`,
  };
}

/** Aligned columns: name, methods, host, path, target, auth, rate limits. */
export function formatRouteTable(routes: readonly RouteSpec[]): string {
  const rows = routes.map(summarizeRoute).map((s) => [s.name, s.methods, s.host, s.path, s.target, `auth=${s.auth}`, `rateLimit=${s.rateLimit}`]);
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}
