// The listing order is read off the tries (order.ts). The reference here is the
// comparator it replaced, written from SPEC §2 over route specs: exact hosts, then
// wildcards by suffix length, then host-less; segment by segment static < param <
// prefix; a longer path first, except a path ending at a node before its `/*`;
// more header conditions first; then the name.
import assert from 'node:assert/strict';
import type { RouteSpec } from '../../../src/config/types.js';
import { normalisePath } from '../../../src/routing/normalise.js';
import { compile, route } from './route-fixtures.js';

type Part = { kind: 'static'; text: string } | { kind: 'param' } | { kind: 'prefix' };

function shapeOf(spec: RouteSpec): Part[] {
  const path = normalisePath(spec.match.path);
  assert.ok(path.ok);
  return path.keys.map((key) => (key === '*' ? { kind: 'prefix' } : key.startsWith(':') ? { kind: 'param' } : { kind: 'static', text: key }));
}

const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const RANK = { static: 0, param: 1, prefix: 2 } as const;

function hostRank(spec: RouteSpec): [number, number, string] {
  const host = spec.match.host;
  if (host === null) return [2, 0, ''];
  return host.startsWith('*.') ? [1, -host.length, host] : [0, 0, host];
}

function compareShapes(a: Part[], b: Part[]): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    const x = a[k]!;
    const y = b[k]!;
    const byKind = RANK[x.kind] - RANK[y.kind];
    if (byKind !== 0) return byKind;
    if (x.kind === 'static' && y.kind === 'static' && x.text !== y.text) return text(x.text, y.text);
  }
  if (a.length === b.length) return 0;
  const longer = a.length > b.length ? a : b;
  const sign = a.length > b.length ? -1 : 1;
  return longer[Math.min(a.length, b.length)]!.kind === 'prefix' ? -sign : sign;
}

function comparePriority(a: RouteSpec, b: RouteSpec): number {
  const [ak, al, ah] = hostRank(a);
  const [bk, bl, bh] = hostRank(b);
  return (
    ak - bk ||
    al - bl ||
    text(ah, bh) ||
    compareShapes(shapeOf(a), shapeOf(b)) ||
    Object.keys(b.match.headers).length - Object.keys(a.match.headers).length ||
    text(a.name, b.name)
  );
}

/** A small deterministic PRNG, so a failure names its seed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

function randomRoutes(seed: number, count: number): RouteSpec[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const seen = new Set<string>();
  const out: RouteSpec[] = [];
  for (let i = 0; out.length < count && i < count * 10; i++) {
    const depth = 1 + Math.floor(next() * 4);
    const segments = Array.from({ length: depth }, (_, k) => pick(['a', 'b', 'ab', '', `:p${k}`, `:q${k}`]));
    if (next() < 0.3) segments.push('*');
    const path = `/${segments.join('/')}`.replace(/\/\/+/g, '/');
    const host = pick([null, null, 'api.example.com', 'b.example.com', '*.example.com', '*.eu.example.com']);
    const headers: Record<string, string> = next() < 0.2 ? { 'x-client': pick(['mobile', 'web']) } : {};
    const key = `${host}|${path.replace(/:[a-z0-9]+/g, ':')}|${JSON.stringify(headers)}`;
    if (seen.has(key)) continue; // a tie
    seen.add(key);
    out.push(route(`r${i}`, path, { host, headers }));
  }
  return out;
}

describe('the route listing', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`is match-priority order, as the reference comparator sorts it (seed ${seed})`, () => {
      const routes = randomRoutes(seed, 60);
      assert.ok(routes.length >= 40);
      const table = compile(routes);
      assert.deepEqual(table.routes.map((r) => r.name), [...routes].sort(comparePriority).map((r) => r.name));
    });
  }
});
