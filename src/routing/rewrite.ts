// `rewrite` templates (SPEC §2): parsed once at load into parts, so producing
// the upstream path per request is a few string concatenations, no regex.

export type RewritePart =
  | { readonly kind: 'text'; readonly text: string }
  /** The request segment at `index`, a param of the route, still percent-encoded. */
  | { readonly kind: 'param'; readonly index: number }
  /** A trailing `/*`: the rest of the path under the route's prefix, with its leading `/`. */
  | { readonly kind: 'rest' };

export type RewriteTemplate = readonly RewritePart[];

/** The route's params by name and its prefix position, which a template may refer to. */
export interface RewriteContext {
  readonly paramIndex: ReadonlyMap<string, number>;
  /** Segments before the route's `/*`, or -1 when the route is not a prefix route. */
  readonly prefixAt: number;
}

// Compile-time only: a `:name` reference at the start of a template segment.
const PARAM_REF = /^:([A-Za-z_][A-Za-z0-9_]*)(.*)$/s;

type Compiled = { ok: true; template: RewriteTemplate } | { ok: false; message: string };

/** Compiles `/v1/orders/:id` or `/v2/*`; refers only to params the route has. */
export function compileRewrite(template: string, context: RewriteContext): Compiled {
  if (!template.startsWith('/')) return { ok: false, message: `rewrite "${template}" must start with "/"` };
  const segments = template.split('/').slice(1);
  const parts: RewritePart[] = [];
  let text = '';
  for (let k = 0; k < segments.length; k++) {
    const segment = segments[k] ?? '';
    if (segment === '*' && k === segments.length - 1) {
      if (context.prefixAt < 0) return { ok: false, message: `rewrite "${template}" ends in "/*" but the path is not a prefix (".../*")` };
      if (text !== '') parts.push(Object.freeze({ kind: 'text', text }));
      parts.push(Object.freeze({ kind: 'rest' }));
      return { ok: true, template: Object.freeze(parts) };
    }
    text += '/';
    const ref = PARAM_REF.exec(segment);
    if (ref === null) {
      text += segment;
      continue;
    }
    const name = ref[1] ?? '';
    const index = context.paramIndex.get(name);
    if (index === undefined) return { ok: false, message: `rewrite "${template}" uses ":${name}", which the path does not define` };
    parts.push(Object.freeze({ kind: 'text', text }), Object.freeze({ kind: 'param', index }));
    text = ref[2] ?? '';
  }
  if (text !== '') parts.push(Object.freeze({ kind: 'text', text }));
  return { ok: true, template: Object.freeze(parts) };
}

/** Where the rest under a prefix starts in the normalised path: after `prefixAt` segments. */
function restOffset(segments: readonly string[], prefixAt: number): number {
  let offset = 0;
  for (let k = 0; k < prefixAt; k++) offset += 1 + (segments[k] ?? '').length;
  return offset;
}

/** The upstream path for one matched request. */
export function applyRewrite(
  template: RewriteTemplate,
  path: string,
  segments: readonly string[],
  prefixAt: number,
): string {
  let out = '';
  for (let k = 0; k < template.length; k++) {
    const part = template[k]!;
    if (part.kind === 'text') out += part.text;
    else if (part.kind === 'param') out += segments[part.index] ?? '';
    else out += path.slice(restOffset(segments, prefixAt));
  }
  // `/*` on `/api/*` for the request `/api` leaves nothing: upstream still needs `/`.
  return out === '' ? '/' : out;
}
