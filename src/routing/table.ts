// compileRouteTable: RouteSpec[] → an immutable RouteTable, once per config
// (STYLE 1, 2, 4). Bad paths, rewrites and ties are refused here with their
// positions, never discovered per request. The tries are built in config order;
// the terminals order their own routes, and the listing is read off the tries.
import type { ConfigProblem, RouteSpec } from '../config/types.js';
import { StepRecorder } from './explain.js';
import { priorityOrder } from './order.js';
import { resolve } from './resolve.js';
import { compileRoute, SharedParts, type CompiledRoute } from './route.js';
import { findTies } from './ties.js';
import { buildTrie, type TrieNode } from './trie.js';
import type { CompileResult, Explanation, RouteMatch, RouteRequest, RouteTable } from './types.js';
import type { HostGroups } from './walk.js';

class CompiledRouteTable implements RouteTable {
  readonly routes: readonly RouteSpec[];
  readonly #groups: HostGroups;

  constructor(groups: HostGroups, routes: readonly RouteSpec[]) {
    this.#groups = groups;
    this.routes = routes;
    Object.freeze(this);
  }

  match(request: RouteRequest): RouteMatch {
    return resolve(this.#groups, request, undefined);
  }

  explain(request: RouteRequest): Explanation {
    const recorder = new StepRecorder();
    const result = resolve(this.#groups, request, recorder);
    recorder.finish(result);
    return Object.freeze({ result, steps: Object.freeze(recorder.steps) });
  }
}

function appendTo<K>(map: Map<K, CompiledRoute[]>, key: K, route: CompiledRoute): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [route]);
  else list.push(route);
}

function triesByKey(byKey: Map<string, CompiledRoute[]>): ReadonlyMap<string, TrieNode> {
  const built = new Map<string, TrieNode>();
  for (const [key, routes] of byKey) built.set(key, buildTrie(routes));
  return Object.freeze(built);
}

/** The host level: one trie per exact host, one per wildcard suffix, one for host-less routes. */
function buildHostGroups(routes: readonly CompiledRoute[]): HostGroups {
  const exact = new Map<string, CompiledRoute[]>();
  const wildcard = new Map<string, CompiledRoute[]>();
  const hostless: CompiledRoute[] = [];
  for (const route of routes) {
    if (route.host.kind === 'exact') appendTo(exact, route.host.host, route);
    else if (route.host.kind === 'wildcard') appendTo(wildcard, route.host.suffix, route);
    else hostless.push(route);
  }
  return Object.freeze({
    exact: triesByKey(exact),
    wildcard: triesByKey(wildcard),
    wildcardLengths: Object.freeze(new Set([...wildcard.keys()].map((suffix) => suffix.length))),
    hostless: hostless.length === 0 ? null : buildTrie(hostless),
  });
}

function allTries(groups: HostGroups): TrieNode[] {
  const tries = [...groups.exact.values(), ...groups.wildcard.values()];
  return groups.hostless === null ? tries : [...tries, groups.hostless];
}

/** Compiles the routes of one config, or lists every problem (each at its route's position). */
export function compileRouteTable(routes: readonly RouteSpec[]): CompileResult {
  const problems: ConfigProblem[] = [];
  const compiled: CompiledRoute[] = [];
  const shared = new SharedParts();
  routes.forEach((spec, index) => {
    const result = compileRoute(spec, index, shared);
    if (result.ok) compiled.push(result.route);
    else problems.push(...result.problems);
  });
  const groups = buildHostGroups(compiled);
  problems.push(...findTies(allTries(groups)));
  if (problems.length > 0) return Object.freeze({ ok: false, problems: Object.freeze(problems.map((p) => Object.freeze(p))) });
  const table = new CompiledRouteTable(groups, Object.freeze(priorityOrder(groups).map((r) => r.spec)));
  return Object.freeze({ ok: true, table });
}
