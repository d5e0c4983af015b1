// One route compiled at load: its host key, path shape, method set, header
// conditions and rewrite template, all frozen. The walk reads only these.
import type { ConfigProblem, RouteSpec } from '../config/types.js';
import { compileHost, type HostKey } from './host.js';
import { normalisePath } from './normalise.js';
import { compileRewrite, type RewriteTemplate } from './rewrite.js';

/**
 * A route path's segments after normalisation: `:name` is a param, a final `*` the
 * prefix wildcard, any other text is static. The strings themselves rather than one
 * object per segment: those objects, and a Map to share them, cost ~0.4 s of a
 * 100,000-route load in allocation and GC (measured).
 */
export type Shape = readonly string[];

export type SegmentKind = 'static' | 'param' | 'prefix';

const COLON = 0x3a;

/** What a segment of a compiled shape is (only a final `*` is ever in one, and `:` starts only params). */
export function segmentKind(segment: string): SegmentKind {
  if (segment === '*') return 'prefix';
  return segment.charCodeAt(0) === COLON ? 'param' : 'static';
}

export interface ParamSlot {
  readonly name: string;
  /** Index of the request segment that carries the value. */
  readonly index: number;
}

export interface HeaderCondition {
  readonly name: string;
  readonly value: string;
}

export interface CompiledRoute {
  readonly spec: RouteSpec;
  /** Its place in the config, for reporting ties in config order. */
  readonly index: number;
  readonly host: HostKey;
  readonly shape: Shape;
  readonly params: readonly ParamSlot[];
  /** Segments before the trailing `/*`, or -1 for an exact route. */
  readonly prefixAt: number;
  /** Methods admitted, `HEAD` added when `GET` is listed; null admits every method. */
  readonly admits: ReadonlySet<string> | null;
  /** `HEAD` listed by the route itself: it beats a `HEAD` implied by `GET` (SPEC §2). */
  readonly explicitHead: boolean;
  /** The admitted methods, sorted, for a 405's `Allow`. */
  readonly allow: readonly string[];
  readonly headers: readonly HeaderCondition[];
  readonly rewrite: RewriteTemplate | null;
}

// Compile-time only. A param name also becomes a property of `params`, hence no `__proto__`.
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Compiled = { ok: true; route: CompiledRoute } | { ok: false; problems: ConfigProblem[] };
type ShapeResult = { ok: true; shape: Shape; params: ParamSlot[]; prefixAt: number } | { ok: false; message: string };
type MethodParts = Pick<CompiledRoute, 'admits' | 'explicitHead' | 'allow'>;

const NONE: readonly never[] = Object.freeze([]);
const ALL_METHODS: MethodParts = Object.freeze({ admits: null, explicitHead: false, allow: NONE });

/**
 * The method sets routes have in common, made once per table: 100,000 routes hold
 * a handful of method lists, and a Set with its sorted Allow list per route was
 * ~250 of the ~1,500 bytes a compiled route cost (measured with 100,000 routes).
 * The config shares its method lists already, so most lookups are by identity.
 */
export class SharedParts {
  readonly #byList = new Map<readonly string[], MethodParts>();
  readonly #byText = new Map<string, MethodParts>();

  methods(list: readonly string[] | null): MethodParts {
    if (list === null) return ALL_METHODS;
    let parts = this.#byList.get(list);
    if (parts === undefined) {
      const key = list.join(' ');
      parts = this.#byText.get(key) ?? compileMethods(list);
      this.#byText.set(key, parts);
      this.#byList.set(list, parts);
    }
    return parts;
  }
}

/** Checks one segment; a param is recorded in `params`. Returns why it is refused, or null. */
function checkSegment(segment: string, index: number, last: boolean, params: ParamSlot[]): string | null {
  if (segment === '*') return last ? null : '"*" is only allowed as the last segment ("/files/*")';
  if (!segment.startsWith(':')) return null;
  const name = segment.slice(1);
  if (!PARAM_NAME.test(name) || name === '__proto__') return `":${name}" is not a valid param name`;
  if (params.some((p) => p.name === name)) return `param ":${name}" appears twice`;
  params.push(Object.freeze({ name, index }));
  return null;
}

/**
 * Parses `/orders/:id` or `/files/*`. Static segments go through the same
 * normaliser as requests, so `/%7Euser` and `/~user` are one route.
 */
function compileShape(path: string): ShapeResult {
  if (path.includes('?')) return { ok: false, message: `path "${path}" must not hold a query string` };
  const normalised = normalisePath(path);
  if (!normalised.ok) return { ok: false, message: `path "${path}": ${normalised.reason}` };
  const shape = normalised.keys;
  const params: ParamSlot[] = [];
  for (let k = 0; k < shape.length; k++) {
    const problem = checkSegment(shape[k] ?? '', k, k === shape.length - 1, params);
    if (problem !== null) return { ok: false, message: `path "${path}": ${problem}` };
  }
  const prefixAt = shape.at(-1) === '*' ? shape.length - 1 : -1;
  return { ok: true, shape, params, prefixAt };
}

function compileMethods(methods: readonly string[]): MethodParts {
  const admits = new Set(methods);
  if (admits.has('GET')) admits.add('HEAD'); // RFC 9110 §9.3.2: HEAD is GET without the body
  return Object.freeze({ admits: Object.freeze(admits), explicitHead: methods.includes('HEAD'), allow: Object.freeze([...admits].sort()) });
}

function compileHeaders(headers: Readonly<Record<string, string>>): readonly HeaderCondition[] {
  if (Object.keys(headers).length === 0) return NONE;
  const conditions = Object.entries(headers)
    .map(([name, value]) => Object.freeze({ name: name.toLowerCase(), value }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return Object.freeze(conditions);
}

function problem(spec: RouteSpec, message: string): ConfigProblem {
  return { ...spec.position, message: `route "${spec.name}": ${message}` };
}

/** Compiles route `index` of the config, or says at the route's position why it cannot be. */
export function compileRoute(spec: RouteSpec, index: number, shared: SharedParts): Compiled {
  const problems: ConfigProblem[] = [];
  const host = compileHost(spec.match.host);
  if (!host.ok) problems.push(problem(spec, host.message));
  const shape = compileShape(spec.match.path);
  if (!shape.ok) problems.push(problem(spec, shape.message));
  if (!host.ok || !shape.ok) return { ok: false, problems };
  let rewrite: RewriteTemplate | null = null;
  if (spec.rewrite !== null) {
    const paramIndex = new Map(shape.params.map((p) => [p.name, p.index]));
    const compiled = compileRewrite(spec.rewrite, { paramIndex, prefixAt: shape.prefixAt });
    if (!compiled.ok) return { ok: false, problems: [problem(spec, compiled.message)] };
    rewrite = compiled.template;
  }
  const route: CompiledRoute = {
    spec,
    index,
    host: host.key,
    shape: Object.freeze(shape.shape),
    params: shape.params.length === 0 ? NONE : Object.freeze(shape.params),
    prefixAt: shape.prefixAt,
    ...shared.methods(spec.match.methods),
    headers: compileHeaders(spec.match.headers),
    rewrite,
  };
  return { ok: true, route: Object.freeze(route) };
}
