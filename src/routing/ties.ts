// Ties (SPEC §2): two routes that would claim the same requests with the same
// priority are a config error, refused at load with both positions, the way
// find-my-way refuses "Method 'GET' already declared" (STYLE 2). Routes that
// compete share a trie terminal (same host group, same path shape: param names do
// not matter), so only terminals holding several routes are compared.
import type { ConfigProblem } from '../config/types.js';
import type { CompiledRoute } from './route.js';
import { allTerminals, type TrieNode } from './trie.js';

/** Header values compare case-insensitively, so their key does too; names are sorted at compile. */
function headersKey(route: CompiledRoute): string {
  return route.headers.map((h) => `${h.name}=${h.value.toLowerCase()}`).join('\n');
}

/**
 * The method both routes list, or null when they do not tie. Only methods
 * listed explicitly count: `GET` implying `HEAD` never ties with a listed
 * `HEAD`; the listed one simply wins. No method list means every method.
 */
function sharedMethod(a: readonly string[] | null, b: readonly string[] | null): string | null {
  if (a === null && b === null) return 'all methods';
  const explicit = a ?? b ?? [];
  const other = a === null || b === null ? null : b;
  const common = explicit.filter((m) => other === null || other.includes(m)).sort();
  return common.length === 0 ? null : `method ${common[0]}`;
}

interface Tie {
  readonly later: CompiledRoute;
  readonly earlier: CompiledRoute;
  readonly method: string;
}

function describeTie({ later, earlier, method }: Tie): ConfigProblem {
  const { file, line, col } = earlier.spec.position;
  const same = later.headers.length > 0 ? 'same host, path shape, headers and' : 'same host, path shape and';
  return {
    ...later.spec.position,
    message: `route "${later.spec.name}" ties with route "${earlier.spec.name}" (${file}:${line}:${col}): ${same} ${method}`,
  };
}

/** The ties among the routes of one terminal, each later route against every earlier one. */
function tiesAmong(routes: readonly CompiledRoute[], into: Tie[]): void {
  const earlierByHeaders = new Map<string, CompiledRoute[]>();
  for (const route of [...routes].sort((a, b) => a.index - b.index)) {
    const key = headersKey(route);
    const earlier = earlierByHeaders.get(key) ?? [];
    for (const other of earlier) {
      const method = sharedMethod(other.spec.match.methods, route.spec.match.methods);
      if (method !== null) into.push({ later: route, earlier: other, method });
    }
    earlierByHeaders.set(key, [...earlier, route]);
  }
}

/** Every tie in these tries, reported at the later route's position, in config order. */
export function findTies(tries: readonly TrieNode[]): ConfigProblem[] {
  const ties: Tie[] = [];
  for (const root of tries) {
    for (const terminal of allTerminals(root)) if (terminal.routes.length > 1) tiesAmong(terminal.routes, ties);
  }
  ties.sort((a, b) => a.later.index - b.later.index || a.earlier.index - b.earlier.index);
  return ties.map(describeTie);
}
