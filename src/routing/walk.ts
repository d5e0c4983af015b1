// The one walk behind both match() and explain() (STYLE 3). Hot path: no
// closures, no regex, no Object.entries; an observer is only called through
// `?.`, so with none (match) no step is ever described or allocated.
import type { CompiledRoute } from './route.js';
import type { Terminal, TrieNode } from './trie.js';
import type { RouteRequest } from './types.js';

/** The route table's host level (SPEC §2: exact beats wildcard beats none). */
export interface HostGroups {
  readonly exact: ReadonlyMap<string, TrieNode>;
  /** Keyed by the suffix after `*.`. */
  readonly wildcard: ReadonlyMap<string, TrieNode>;
  /** The lengths of those suffixes: a request host's suffix of another length is never cut out to be looked up. */
  readonly wildcardLengths: ReadonlySet<number>;
  readonly hostless: TrieNode | null;
}

export type GroupKind = 'exact' | 'wildcard' | 'hostless';
export type ChildKind = 'static' | 'param' | 'prefix';

/** Told each decision of the walk, in order; explain() records them as sentences. */
export interface WalkObserver {
  begin(host: string | null): void;
  enterGroup(kind: GroupKind, key: string): void;
  child(depth: number, segment: string, kind: ChildKind, paramLabel: string): void;
  deadEnd(segment: string): void;
  endOfPath(hasEnd: boolean, hasPrefix: boolean): void;
  headerMismatch(route: CompiledRoute, header: string): void;
  methodMismatch(route: CompiledRoute, method: string): void;
  matched(route: CompiledRoute): void;
}

/** Per-request state: lives for one walk, never on the shared nodes (STYLE 4). */
export interface WalkState {
  readonly segments: readonly string[];
  readonly method: string;
  readonly isHead: boolean;
  readonly headers: RouteRequest['headers'];
  readonly observer: WalkObserver | undefined;
  /** Routes whose host, path and headers fitted but not the method: a 405's `Allow`. Made on first need. */
  fitted: CompiledRoute[] | null;
}

const LOWER_A = 0x61;
const LOWER_Z = 0x7a;

/** ASCII case-insensitive equality without allocating lower-cased copies. */
function equalsIgnoringCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= LOWER_A && x <= LOWER_Z) x -= 32;
    if (y >= LOWER_A && y <= LOWER_Z) y -= 32;
    if (x !== y) return false;
  }
  return true;
}

/** The first header condition the request fails, or null. A repeated header fits only with one value. */
function mismatchedHeader(route: CompiledRoute, headers: RouteRequest['headers']): string | null {
  for (let k = 0; k < route.headers.length; k++) {
    const condition = route.headers[k]!;
    const sent = headers[condition.name];
    const value = typeof sent === 'string' ? sent : Array.isArray(sent) && sent.length === 1 ? sent[0] : undefined;
    if (value === undefined || !equalsIgnoringCase(value, condition.value)) return condition.name;
  }
  return null;
}

function tryTerminal(terminal: Terminal, state: WalkState): CompiledRoute | null {
  const routes = state.isHead ? terminal.forHead : terminal.routes;
  for (let k = 0; k < routes.length; k++) {
    const route = routes[k]!;
    const header = mismatchedHeader(route, state.headers);
    if (header !== null) {
      state.observer?.headerMismatch(route, header);
      continue;
    }
    if (route.admits === null || route.admits.has(state.method)) {
      state.observer?.matched(route);
      return route;
    }
    state.observer?.methodMismatch(route, state.method);
    (state.fitted ??= []).push(route);
  }
  return null;
}

function walkEnd(node: TrieNode, state: WalkState): CompiledRoute | null {
  state.observer?.endOfPath(node.end !== null, node.prefix !== null);
  const found = node.end === null ? null : tryTerminal(node.end, state);
  if (found !== null || node.prefix === null) return found;
  return tryTerminal(node.prefix, state); // `/m/*` also matches `/m`
}

/**
 * Depth-first, static before param before prefix, backtracking on failure.
 * Each node is reached by one path only, so a walk visits a node at most once.
 */
function walkNode(node: TrieNode, depth: number, state: WalkState): CompiledRoute | null {
  if (depth === state.segments.length) return walkEnd(node, state);
  const segment = state.segments[depth]!;
  const staticChild = node.statics.get(segment);
  if (staticChild !== undefined) {
    state.observer?.child(depth, segment, 'static', '');
    const found = walkNode(staticChild, depth + 1, state);
    if (found !== null) return found;
  }
  if (node.param !== null && segment !== '') {
    // A param takes one non-empty segment: `/orders/` is not `/orders/:id`.
    state.observer?.child(depth, segment, 'param', node.paramLabel);
    const found = walkNode(node.param, depth + 1, state);
    if (found !== null) return found;
  }
  if (node.prefix !== null) {
    state.observer?.child(depth, segment, 'prefix', '');
    return tryTerminal(node.prefix, state);
  }
  // Unwinding after children failed is told by the next step (backtrack or fall-back).
  if (staticChild === undefined && (node.param === null || segment === '')) state.observer?.deadEnd(segment);
  return null;
}

/**
 * Wildcard groups by the request host's label suffixes, longest first; the first
 * label never counts. Hot path: with wildcard routes configured, every request
 * with a dotted Host (`127.0.0.1` too) cut out and looked up each suffix; only
 * suffixes of a configured length are now.
 */
function walkWildcards(groups: HostGroups, host: string, state: WalkState): CompiledRoute | null {
  const { wildcard, wildcardLengths } = groups;
  for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
    if (!wildcardLengths.has(host.length - dot - 1)) continue;
    const suffix = host.slice(dot + 1);
    const root = wildcard.get(suffix);
    if (root === undefined) continue;
    state.observer?.enterGroup('wildcard', suffix);
    const found = walkNode(root, 0, state);
    if (found !== null) return found;
  }
  return null;
}

/** Finds the first full match in priority order, falling back exact → wildcard → host-less. */
export function walkGroups(groups: HostGroups, host: string | null, state: WalkState): CompiledRoute | null {
  state.observer?.begin(host);
  if (host !== null) {
    const exact = groups.exact.get(host);
    if (exact !== undefined) {
      state.observer?.enterGroup('exact', host);
      const found = walkNode(exact, 0, state);
      if (found !== null) return found;
    }
    if (groups.wildcard.size > 0) {
      const found = walkWildcards(groups, host, state);
      if (found !== null) return found;
    }
  }
  if (groups.hostless === null) return null;
  state.observer?.enterGroup('hostless', '');
  return walkNode(groups.hostless, 0, state);
}
