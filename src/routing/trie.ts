// The per-host-group segment trie, built once per config and frozen (STYLE 1,
// as find-my-way builds its tree at insert). Match cost follows the request's
// segments, not the number of routes.
import type { CompiledRoute } from './route.js';

/** The routes registered at one place in the trie, in the order they are tried. */
export interface Terminal {
  readonly routes: readonly CompiledRoute[];
  /** The same routes for a HEAD request: an explicit HEAD before one implied by GET. */
  readonly forHead: readonly CompiledRoute[];
}

export interface TrieNode {
  /** Not deep-frozen by `Object.freeze` (a Map's entries never are): typed read-only, never written after build. */
  readonly statics: ReadonlyMap<string, TrieNode>;
  /** One param child; routes sharing it keep their own names (ParamSlot). */
  readonly param: TrieNode | null;
  /** `:id`, or `:id|:orderId` when routes name it differently: for explain only. */
  readonly paramLabel: string;
  /** Routes whose path ends here. */
  readonly end: Terminal | null;
  /** Routes with a `/*` here: they take this node's path and everything under it. */
  readonly prefix: Terminal | null;
}

class NodeBuilder {
  readonly statics = new Map<string, NodeBuilder>();
  param: NodeBuilder | null = null;
  readonly paramNames = new Set<string>();
  readonly end: CompiledRoute[] = [];
  readonly prefix: CompiledRoute[] = [];
}

function insert(root: NodeBuilder, route: CompiledRoute): void {
  let node = root;
  for (const part of route.shape) {
    if (part.kind === 'prefix') {
      node.prefix.push(route);
      return;
    }
    if (part.kind === 'param') {
      node.param ??= new NodeBuilder();
      node.paramNames.add(part.name);
      node = node.param;
      continue;
    }
    let child = node.statics.get(part.text);
    if (child === undefined) {
      child = new NodeBuilder();
      node.statics.set(part.text, child);
    }
    node = child;
  }
  node.end.push(route);
}

/** More header conditions first: the more specific route is tried before the general one. */
function byHeadersThenName(a: CompiledRoute, b: CompiledRoute): number {
  const byHeaders = b.headers.length - a.headers.length;
  if (byHeaders !== 0) return byHeaders;
  return a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0;
}

function byHeadersThenExplicitHead(a: CompiledRoute, b: CompiledRoute): number {
  const byHeaders = b.headers.length - a.headers.length;
  if (byHeaders !== 0) return byHeaders;
  return Number(b.explicitHead) - Number(a.explicitHead);
}

// A leaf (most nodes, in a large table: each route's last segment is its own) shares
// these instead of holding an empty Map of its own: ~150 bytes a node, measured as
// part of 1.5 KB a route with 100,000 routes.
const NO_STATICS: ReadonlyMap<string, TrieNode> = Object.freeze(new Map<string, TrieNode>());

function terminal(routes: readonly CompiledRoute[]): Terminal | null {
  if (routes.length === 0) return null;
  if (routes.length === 1) {
    const only = Object.freeze([...routes]);
    return Object.freeze({ routes: only, forHead: only });
  }
  const ordered = [...routes].sort(byHeadersThenName);
  // Array.prototype.sort is stable, so names still break the remaining ties.
  const forHead = [...ordered].sort(byHeadersThenExplicitHead);
  const same = forHead.every((route, k) => route === ordered[k]);
  return Object.freeze({ routes: Object.freeze(ordered), forHead: same ? Object.freeze(ordered) : Object.freeze(forHead) });
}

function freezeNode(builder: NodeBuilder): TrieNode {
  let statics = NO_STATICS;
  if (builder.statics.size > 0) {
    const built = new Map<string, TrieNode>();
    for (const [text, child] of builder.statics) built.set(text, freezeNode(child));
    statics = Object.freeze(built);
  }
  return Object.freeze({
    statics,
    param: builder.param === null ? null : freezeNode(builder.param),
    paramLabel: builder.paramNames.size === 0 ? '' : [...builder.paramNames].map((name) => `:${name}`).join('|'),
    end: terminal(builder.end),
    prefix: terminal(builder.prefix),
  });
}

/** Builds the frozen trie of one host group. */
export function buildTrie(routes: readonly CompiledRoute[]): TrieNode {
  const root = new NodeBuilder();
  for (const route of routes) insert(root, route);
  return freezeNode(root);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every terminal of the trie in the order the walk prefers them (SPEC §2): at each
 * node the static children by text, then the param child, then the routes ending
 * here, then the prefix routes here — a path ending at a node before its `/*`, and
 * both after everything deeper. Iterative: a deep path cannot overflow the stack.
 */
export function* terminalsInOrder(root: TrieNode): Generator<Terminal> {
  // A node is pushed twice: first to expand its children, then (marked) to yield its own terminals.
  const stack: Array<{ readonly node: TrieNode; readonly expanded: boolean }> = [{ node: root, expanded: false }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { node, expanded } = top;
    if (expanded) {
      if (node.end !== null) yield node.end;
      if (node.prefix !== null) yield node.prefix;
      continue;
    }
    stack.push({ node, expanded: true });
    if (node.param !== null) stack.push({ node: node.param, expanded: false });
    const texts = [...node.statics.keys()].sort(compareText);
    for (let k = texts.length - 1; k >= 0; k--) stack.push({ node: node.statics.get(texts[k]!)!, expanded: false });
  }
}
