// Routes (SPEC §2): every route of every routes file, checked and resolved
// against the declared policies and functions. Ties between routes are the route
// table compiler's to find (it knows the match order); names are checked here.
import { duration, headerName, httpUrl, methodList, nameRef, nameRefs, size } from './fields.js';
import type { Path, YamlSource } from './positions.js';
import type { NameOrList, RawMatch, RawRoute } from './raw.js';
import { checkHost, checkMatchPath, checkRewrite } from './route-path.js';
import { DEFAULTS } from './types.js';
import type { RouteAuth, RouteMatchSpec, RouteSpec, RouteTarget } from './types.js';

export interface KnownNames {
  readonly auth: ReadonlySet<string>;
  readonly rateLimits: ReadonlySet<string>;
  readonly cors: ReadonlySet<string>;
  /** null when the backend resolves function names itself (Kubernetes). */
  readonly functions: ReadonlySet<string> | null;
}

/** DNS-1123 label: a Kubernetes Service name, which a function name becomes (SPEC §5). */
export const FUNCTION_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

export function compileRoutes(sources: readonly YamlSource[], names: KnownNames): RouteSpec[] {
  const firstByName = new Map<string, NameSite>();
  const out: RouteSpec[] = [];
  for (const src of sources) {
    const list: unknown = (src.data as { routes?: unknown } | null)?.routes;
    if (!Array.isArray(list)) continue;
    list.forEach((raw: unknown, i) => {
      const at = ['routes', i];
      checkUniqueName(src, at, raw, firstByName);
      // The schema vouches for the shape only where it found nothing wrong.
      if (src.isClean(at)) out.push(compileRoute(src, at, raw as RawRoute, names));
    });
  }
  return out;
}

/** Where a name was first defined: its position is looked up only for a duplicate (a lookup per route was a full parse per file). */
interface NameSite {
  readonly src: YamlSource;
  readonly at: Path;
}

function checkUniqueName(src: YamlSource, at: Path, raw: unknown, first: Map<string, NameSite>): void {
  const name = (raw as { name?: unknown } | null)?.name;
  if (typeof name !== 'string') return;
  const earlier = first.get(name);
  if (earlier === undefined) {
    first.set(name, { src, at });
    return;
  }
  const where = earlier.src.at([...earlier.at, 'name']);
  src.report([...at, 'name'], `duplicate route name "${name}" (first defined at ${where.file}:${where.line}:${where.col})`);
}

function compileRoute(src: YamlSource, at: Path, raw: RawRoute, names: KnownNames): RouteSpec {
  const p = (...k: (string | number)[]): Path => [...at, ...k];
  return {
    name: raw.name,
    position: src.at(at),
    match: compileMatch(src, p('match'), raw.match),
    target: compileTarget(src, at, raw, names.functions),
    rewrite: compileRewrite(src, p('rewrite'), raw),
    auth: compileAuth(src, p('auth'), raw.auth, names.auth),
    scopes: raw.scopes ?? [],
    rateLimit: nameRefs(src, p('rateLimit'), raw.rateLimit, names.rateLimits, 'rate limit policy'),
    cors: raw.cors === undefined ? null : nameRef(src, p('cors'), raw.cors, names.cors, 'cors policy'),
    timeoutMs: duration(src, p('timeout'), raw.timeout, DEFAULTS.routeTimeoutMs, { positive: true, timer: true }),
    retries: raw.retries ?? DEFAULTS.routeRetries,
    maxBodyBytes: size(src, p('maxBodySize'), raw.maxBodySize, DEFAULTS.maxBodyBytes),
    wake: raw.wake ?? 'authenticated',
    forwardCredentials: raw.forwardCredentials ?? false,
  };
}

function compileMatch(src: YamlSource, at: Path, raw: RawMatch): RouteMatchSpec {
  const pathProblem = checkMatchPath(raw.path);
  if (pathProblem !== null) src.report([...at, 'path'], pathProblem);
  return {
    path: raw.path,
    methods: raw.methods === undefined ? null : methodList(src, [...at, 'methods'], raw.methods),
    host: raw.host === undefined ? null : compileHost(src, [...at, 'host'], raw.host),
    headers: compileHeaders(src, [...at, 'headers'], raw.headers ?? {}),
  };
}

function compileHost(src: YamlSource, at: Path, raw: string): string {
  const host = raw.toLowerCase();
  const problem = checkHost(host);
  if (problem !== null) src.report(at, problem);
  return host;
}

function compileHeaders(src: YamlSource, at: Path, raw: Readonly<Record<string, string | number>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const lower = headerName(src, [...at, name], name, true);
    if (lower in out) src.reportKey([...at, name], `header "${name}" is listed twice (names are case-insensitive)`);
    out[lower] = String(value);
  }
  return out;
}

function compileTarget(src: YamlSource, at: Path, raw: RawRoute, functions: ReadonlySet<string> | null): RouteTarget {
  if (raw.function !== undefined && raw.upstream !== undefined) {
    src.reportKey([...at, 'upstream'], 'route has both function and upstream');
  } else if (raw.upstream !== undefined) {
    const url = httpUrl(src, [...at, 'upstream'], raw.upstream);
    if (url !== null) return { kind: 'upstream', url };
  } else if (raw.function !== undefined) {
    checkFunctionRef(src, [...at, 'function'], raw.function, functions);
    return { kind: 'function', name: raw.function };
  } else {
    src.report(at, 'route needs a function or an upstream');
  }
  return { kind: 'function', name: '' };
}

function checkFunctionRef(src: YamlSource, at: Path, name: string, functions: ReadonlySet<string> | null): void {
  if (!FUNCTION_NAME.test(name)) src.report(at, `function name "${name}" must be a DNS-1123 label (lower-case letters, digits, "-")`);
  else if (functions !== null && !functions.has(name)) src.report(at, `unknown function "${name}"`);
}

function compileRewrite(src: YamlSource, at: Path, raw: RawRoute): string | null {
  if (raw.rewrite === undefined) return null;
  const problem = checkRewrite(raw.rewrite, raw.match.path);
  if (problem !== null) src.report(at, problem);
  return raw.rewrite;
}

function compileAuth(src: YamlSource, at: Path, raw: NameOrList, known: ReadonlySet<string>): RouteAuth {
  if (raw === 'public') return { kind: 'public' };
  if (typeof raw === 'string') return { kind: 'policies', names: [nameRef(src, at, raw, known, 'auth policy')] };
  // 'public' passes the name check here so that it gets its own message below.
  const names = nameRefs(src, at, raw, new Set([...known, 'public']), 'auth policy');
  raw.forEach((name, i) => {
    if (name === 'public') src.report([...at, i], '"public" cannot be listed with policies; write auth: public alone');
  });
  return { kind: 'policies', names };
}
