// Routes (SPEC §2): every route of every routes file, checked and resolved
// against the declared policies and functions. Ties between routes are the route
// table compiler's to find (it knows the match order); names are checked here.
import path from 'node:path';
import { duration, headerName, httpUrl, methodList, nameRef, nameRefs, size } from './fields.js';
import type { FilePositions, Path, YamlSource } from './positions.js';
import type { NameOrList, RawMatch, RawMiddleware, RawRoute } from './raw.js';
import { SharedRouteParts } from './route-parts.js';
import { checkHost, checkMatchPath, checkRewrite } from './route-path.js';
import { splitFunctionRef, type NamespaceScope } from './function-namespaces.js';
import { DEFAULTS } from './types.js';
import type { MiddlewareSpec, RouteAuth, RouteMatchSpec, RouteSpec, RouteTarget } from './types.js';

export interface KnownNames {
  readonly auth: ReadonlySet<string>;
  readonly rateLimits: ReadonlySet<string>;
  readonly cors: ReadonlySet<string>;
  /** null when the backend resolves function names itself (Kubernetes). */
  readonly functions: ReadonlySet<string> | null;
  /** The Kubernetes backend's watched namespaces (SPEC §5); absent: NAMESPACE/NAME is not allowed. */
  readonly namespaces?: NamespaceScope;
}

/** DNS-1123 label: a Kubernetes Service name, which a function name becomes (SPEC §5). */
export const FUNCTION_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Compiles routes file by file, so that each file's parsed data can go as soon as
 * its routes are built (with 100,000 routes the parsed data of every file, alive
 * at once, was ~80 MB of the load's peak). Names are unique across all files.
 */
export class RoutesCompiler {
  readonly routes: RouteSpec[] = [];
  readonly #firstByName = new Map<string, NameSite>();
  readonly #parts = new SharedRouteParts();

  constructor(private readonly names: KnownNames) {}

  add(src: YamlSource): void {
    const list: unknown = (src.data as { routes?: unknown } | null)?.routes;
    if (!Array.isArray(list)) return;
    list.forEach((raw: unknown, i) => {
      const at = ['routes', i];
      checkUniqueName(src, at, raw, this.#firstByName);
      // The schema vouches for the shape only where it found nothing wrong.
      if (src.isClean(at)) this.routes.push(compileRoute(src, at, raw as RawRoute, this.names, this.#parts));
    });
  }
}

/**
 * Where a name was first defined. Its position is looked up only for a duplicate:
 * a lookup per route meant yaml's Document for every file (positions.ts).
 */
interface NameSite {
  readonly positions: FilePositions;
  readonly at: Path;
}

function checkUniqueName(src: YamlSource, at: Path, raw: unknown, first: Map<string, NameSite>): void {
  const name = (raw as { name?: unknown } | null)?.name;
  if (typeof name !== 'string') return;
  const earlier = first.get(name);
  if (earlier === undefined) {
    first.set(name, { positions: src.positions, at });
    return;
  }
  const where = earlier.positions.value([...earlier.at, 'name']);
  src.report([...at, 'name'], `duplicate route name "${name}" (first defined at ${where.file}:${where.line}:${where.col})`);
}

function compileRoute(src: YamlSource, at: Path, raw: RawRoute, names: KnownNames, parts: SharedRouteParts): RouteSpec {
  const p = (...k: (string | number)[]): Path => [...at, ...k];
  return {
    name: raw.name,
    position: src.at(at),
    match: compileMatch(src, p('match'), raw.match, parts),
    target: compileTarget(src, at, raw, names, parts),
    rewrite: compileRewrite(src, p('rewrite'), raw),
    auth: compileAuth(src, p('auth'), raw.auth, names.auth, parts),
    scopes: parts.list(raw.scopes ?? []),
    rateLimit: parts.list(nameRefs(src, p('rateLimit'), raw.rateLimit, names.rateLimits, 'rate limit policy')),
    cors: raw.cors === undefined ? null : nameRef(src, p('cors'), raw.cors, names.cors, 'cors policy'),
    timeoutMs: duration(src, p('timeout'), raw.timeout, DEFAULTS.routeTimeoutMs, { positive: true, timer: true }),
    retries: raw.retries ?? DEFAULTS.routeRetries,
    maxBodyBytes: size(src, p('maxBodySize'), raw.maxBodySize, DEFAULTS.maxBodyBytes),
    wake: raw.wake ?? 'authenticated',
    forwardCredentials: raw.forwardCredentials ?? false,
    middleware: raw.middleware === undefined ? NO_MIDDLEWARE : compileMiddleware(src, p('middleware'), raw.middleware),
  };
}

const NO_MIDDLEWARE: readonly MiddlewareSpec[] = Object.freeze([]);

/** Paths only, never bare package names: a routes file names the code it runs by where it is. */
function compileMiddleware(src: YamlSource, at: Path, raw: readonly RawMiddleware[]): MiddlewareSpec[] {
  const out: MiddlewareSpec[] = [];
  raw.forEach((entry, i) => {
    const where: Path = typeof entry === 'string' ? [...at, i] : [...at, i, 'module'];
    const ref = typeof entry === 'string' ? entry : entry.module;
    if (!ref.startsWith('./') && !ref.startsWith('../') && !path.isAbsolute(ref)) {
      src.report(where, `middleware "${ref}" must be a path: "./${ref}" for a file beside this routes file`);
      return;
    }
    const options = typeof entry === 'string' ? {} : (entry.options ?? {});
    const positions = src.positions;
    out.push({ ref, file: path.resolve(path.dirname(src.absFile), ref), options, locate: () => positions.value(where) });
  });
  return out;
}

function compileMatch(src: YamlSource, at: Path, raw: RawMatch, parts: SharedRouteParts): RouteMatchSpec {
  const pathProblem = checkMatchPath(raw.path);
  if (pathProblem !== null) src.report([...at, 'path'], pathProblem);
  return {
    path: raw.path,
    methods: raw.methods === undefined ? null : parts.list(methodList(src, [...at, 'methods'], raw.methods)),
    host: raw.host === undefined ? null : compileHost(src, [...at, 'host'], raw.host),
    headers: raw.headers === undefined ? parts.headers({}) : parts.headers(compileHeaders(src, [...at, 'headers'], raw.headers)),
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

function compileTarget(src: YamlSource, at: Path, raw: RawRoute, names: KnownNames, parts: SharedRouteParts): RouteTarget {
  if (raw.function !== undefined && raw.upstream !== undefined) {
    src.reportKey([...at, 'upstream'], 'route has both function and upstream');
  } else if (raw.upstream !== undefined) {
    const upstream = raw.upstream;
    const target = parts.upstream(upstream, () => httpUrl(src, [...at, 'upstream'], upstream));
    if (target !== null) return target;
  } else if (raw.function !== undefined) {
    return parts.function(functionRef(src, [...at, 'function'], raw.function, names));
  } else {
    src.report(at, 'route needs a function or an upstream');
  }
  return { kind: 'function', name: '' };
}

/**
 * The function's name as the registry knows it: NAMESPACE/NAME spelled with the first
 * listed namespace is the bare NAME (one function, one activator, one metrics label).
 */
function functionRef(src: YamlSource, at: Path, ref: string, names: KnownNames): string {
  const { namespace, name } = splitFunctionRef(ref);
  if (!FUNCTION_NAME.test(name)) {
    src.report(at, `function name "${name}" must be a DNS-1123 label (lower-case letters, digits, "-")`);
    return ref;
  }
  if (namespace === null) {
    if (names.functions !== null && !names.functions.has(name)) src.report(at, `unknown function "${name}"`);
    return ref;
  }
  const scope = names.namespaces;
  if (!FUNCTION_NAME.test(namespace)) src.report(at, `namespace "${namespace}" of function "${ref}" must be a DNS-1123 label`);
  else if (scope === undefined) src.report(at, `function "${ref}" names a namespace: only the Kubernetes backend has namespaces`);
  else if (scope.kind === 'list' && scope.names.length === 0) src.report(at, `function "${ref}" is in namespace "${namespace}", but the gateway watches only its kubeconfig namespace (list namespaces with --namespace)`);
  else if (scope.kind === 'list' && !scope.names.includes(namespace)) src.report(at, `function "${ref}" is in namespace "${namespace}", which the gateway does not watch (--namespace ${scope.names.join(',')})`);
  else if (scope.kind === 'list' && scope.names[0] === namespace) return name;
  return ref;
}

function compileRewrite(src: YamlSource, at: Path, raw: RawRoute): string | null {
  if (raw.rewrite === undefined) return null;
  const problem = checkRewrite(raw.rewrite, raw.match.path);
  if (problem !== null) src.report(at, problem);
  return raw.rewrite;
}

function compileAuth(src: YamlSource, at: Path, raw: NameOrList, known: ReadonlySet<string>, parts: SharedRouteParts): RouteAuth {
  if (raw === 'public') return parts.publicAuth();
  if (typeof raw === 'string') return parts.policies([nameRef(src, at, raw, known, 'auth policy')]);
  // 'public' passes the name check here so that it gets its own message below.
  const names = nameRefs(src, at, raw, new Set([...known, 'public']), 'auth policy');
  raw.forEach((name, i) => {
    if (name === 'public') src.report([...at, i], '"public" cannot be listed with policies; write auth: public alone');
  });
  return parts.policies(names);
}
