// Match-priority order of the whole table, for `gatehouse routes` and
// `GET /admin/routes` (SPEC §1, §6). The walk never sorts: this is display order,
// computed once at load, and agrees with what the walk tries first.
import type { HostKey } from './host.js';
import type { CompiledRoute, ShapePart } from './route.js';

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const HOST_RANK = { exact: 0, wildcard: 1, none: 2 } as const;

/** Exact hosts, then wildcards by suffix length (longer first), then host-less. */
function compareHosts(a: HostKey, b: HostKey): number {
  const byKind = HOST_RANK[a.kind] - HOST_RANK[b.kind];
  if (byKind !== 0) return byKind;
  if (a.kind === 'exact' && b.kind === 'exact') return compareText(a.host, b.host);
  if (a.kind === 'wildcard' && b.kind === 'wildcard') {
    return b.suffix.length - a.suffix.length || compareText(a.suffix, b.suffix);
  }
  return 0;
}

const PART_RANK = { static: 0, param: 1, prefix: 2 } as const;

function compareParts(a: ShapePart, b: ShapePart): number {
  const byKind = PART_RANK[a.kind] - PART_RANK[b.kind];
  if (byKind !== 0) return byKind;
  return a.kind === 'static' && b.kind === 'static' ? compareText(a.text, b.text) : 0;
}

/**
 * Segment by segment, static before param before prefix; a longer path before
 * a shorter one, except that a path ending here comes before a `/*` here (the
 * walk tries a node's own routes before its prefix routes).
 */
function compareShapes(a: readonly ShapePart[], b: readonly ShapePart[]): number {
  const common = Math.min(a.length, b.length);
  for (let k = 0; k < common; k++) {
    const byPart = compareParts(a[k]!, b[k]!);
    if (byPart !== 0) return byPart;
  }
  if (a.length === b.length) return 0;
  const longer = a.length > b.length ? a : b;
  const sign = a.length > b.length ? -1 : 1;
  return longer[common]!.kind === 'prefix' ? -sign : sign;
}

export function comparePriority(a: CompiledRoute, b: CompiledRoute): number {
  return (
    compareHosts(a.host, b.host) ||
    compareShapes(a.shape, b.shape) ||
    b.headers.length - a.headers.length ||
    compareText(a.spec.name, b.spec.name)
  );
}
