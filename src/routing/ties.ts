// Ties (SPEC §2): two routes that would claim the same requests with the same
// priority are a config error, refused at load with both positions, the way
// find-my-way refuses "Method 'GET' already declared" (STYLE 2).
import type { ConfigProblem } from '../config/types.js';
import type { CompiledRoute, ShapePart } from './route.js';

function partKey(part: ShapePart): string {
  // Param names do not matter: `/o/:id` and `/o/:orderId` claim the same requests.
  return part.kind === 'static' ? `s${part.text}` : part.kind === 'param' ? 'p' : '*';
}

/** Host, path shape and header conditions: routes with equal keys compete at one terminal. */
function competitionKey(route: CompiledRoute): string {
  const host = route.host.kind === 'exact' ? `e${route.host.host}` : route.host.kind === 'wildcard' ? `w${route.host.suffix}` : 'n';
  const path = route.shape.map(partKey).join('/');
  // Header values compare case-insensitively, so their key does too; names are sorted at compile.
  const headers = route.headers.map((h) => `${h.name}=${h.value.toLowerCase()}`).join('\n');
  return `${host}\n${path}\n${headers}`;
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

function describeTie(later: CompiledRoute, earlier: CompiledRoute, method: string): ConfigProblem {
  const { file, line, col } = earlier.spec.position;
  const same = later.headers.length > 0 ? 'same host, path shape, headers and' : 'same host, path shape and';
  return {
    ...later.spec.position,
    message: `route "${later.spec.name}" ties with route "${earlier.spec.name}" (${file}:${line}:${col}): ${same} ${method}`,
  };
}

/** Every tie, reported at the later route's position, in config order. */
export function findTies(routes: readonly CompiledRoute[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const earlierByKey = new Map<string, CompiledRoute[]>();
  for (const route of routes) {
    const key = competitionKey(route);
    const earlier = earlierByKey.get(key);
    if (earlier === undefined) {
      earlierByKey.set(key, [route]);
      continue;
    }
    for (const other of earlier) {
      const method = sharedMethod(other.spec.match.methods, route.spec.match.methods);
      if (method !== null) problems.push(describeTie(route, other, method));
    }
    earlier.push(route);
  }
  return problems;
}
