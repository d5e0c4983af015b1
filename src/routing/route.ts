// One route compiled at load: its host key, path shape, method set, header
// conditions and rewrite template, all frozen. The walk reads only these.
import type { ConfigProblem, RouteSpec } from '../config/types.js';
import { compileHost, type HostKey } from './host.js';
import { normalisePath } from './normalise.js';
import { compileRewrite, type RewriteTemplate } from './rewrite.js';

export type ShapePart =
  | { readonly kind: 'static'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'prefix' };

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
  readonly shape: readonly ShapePart[];
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
type ShapeResult = { ok: true; shape: ShapePart[]; params: ParamSlot[]; prefixAt: number } | { ok: false; message: string };
type MethodParts = Pick<CompiledRoute, 'admits' | 'explicitHead' | 'allow'>;

const PREFIX: ShapePart = Object.freeze({ kind: 'prefix' });
const NONE: readonly never[] = Object.freeze([]);
const ALL_METHODS: MethodParts = Object.freeze({ admits: null, explicitHead: false, allow: NONE });

/**
 * The immutable pieces routes have in common, made once per table: 100,000 routes
 * hold a handful of method lists and far fewer distinct segments than segments.
 * A Set of methods, its sorted Allow list and the shape's part objects were
 * ~300 of the ~1,500 bytes a compiled route cost (measured with 100,000 routes).
 */
export class SharedParts {
  readonly #methods = new Map<string, MethodParts>();
  readonly #statics = new Map<string, ShapePart>();
  readonly #params = new Map<string, ShapePart>();

  methods(list: readonly string[] | null): MethodParts {
    if (list === null) return ALL_METHODS;
    const key = list.join(' ');
    let parts = this.#methods.get(key);
    if (parts === undefined) {
      parts = compileMethods(list);
      this.#methods.set(key, parts);
    }
    return parts;
  }

  staticPart(text: string): ShapePart {
    let part = this.#statics.get(text);
    if (part === undefined) {
      part = Object.freeze({ kind: 'static', text });
      this.#statics.set(text, part);
    }
    return part;
  }

  paramPart(name: string): ShapePart {
    let part = this.#params.get(name);
    if (part === undefined) {
      part = Object.freeze({ kind: 'param', name });
      this.#params.set(name, part);
    }
    return part;
  }
}

function shapePart(segment: string, index: number, last: boolean, params: ParamSlot[], shared: SharedParts): ShapePart | string {
  if (segment === '*') return last ? PREFIX : '"*" is only allowed as the last segment ("/files/*")';
  if (!segment.startsWith(':')) return shared.staticPart(segment);
  const name = segment.slice(1);
  if (!PARAM_NAME.test(name) || name === '__proto__') return `":${name}" is not a valid param name`;
  if (params.some((p) => p.name === name)) return `param ":${name}" appears twice`;
  params.push(Object.freeze({ name, index }));
  return shared.paramPart(name);
}

/**
 * Parses `/orders/:id` or `/files/*`. Static segments go through the same
 * normaliser as requests, so `/%7Euser` and `/~user` are one route.
 */
function compileShape(path: string, shared: SharedParts): ShapeResult {
  if (path.includes('?')) return { ok: false, message: `path "${path}" must not hold a query string` };
  const normalised = normalisePath(path);
  if (!normalised.ok) return { ok: false, message: `path "${path}": ${normalised.reason}` };
  const shape: ShapePart[] = [];
  const params: ParamSlot[] = [];
  const count = normalised.keys.length;
  for (let k = 0; k < count; k++) {
    const part = shapePart(normalised.keys[k] ?? '', k, k === count - 1, params, shared);
    if (typeof part === 'string') return { ok: false, message: `path "${path}": ${part}` };
    shape.push(part);
  }
  const prefixAt = shape.at(-1)?.kind === 'prefix' ? count - 1 : -1;
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
  const shape = compileShape(spec.match.path, shared);
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
