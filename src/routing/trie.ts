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

function terminal(routes: readonly CompiledRoute[]): Terminal | null {
  if (routes.length === 0) return null;
  const ordered = [...routes].sort(byHeadersThenName);
  // Array.prototype.sort is stable, so names still break the remaining ties.
  const forHead = [...ordered].sort(byHeadersThenExplicitHead);
  return Object.freeze({ routes: Object.freeze(ordered), forHead: Object.freeze(forHead) });
}

function freezeNode(builder: NodeBuilder): TrieNode {
  const statics = new Map<string, TrieNode>();
  for (const [text, child] of builder.statics) statics.set(text, freezeNode(child));
  return Object.freeze({
    statics: Object.freeze(statics),
    param: builder.param === null ? null : freezeNode(builder.param),
    paramLabel: [...builder.paramNames].map((name) => `:${name}`).join('|'),
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
