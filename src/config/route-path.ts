// Pure checks of the strings a route matches on and rewrites to (SPEC §2).
// Each returns an error message, or null when the value is fine.

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// RFC 3986 pchar, less ':' at the start of a segment (a param) and '*' (the prefix wildcard).
const STATIC_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@]|%[0-9A-Fa-f]{2})+$/;
// The matcher decodes these before comparing (SPEC §2), so an encoded one could never match.
const ENCODED_UNRESERVED = /%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[Dd]|2[Ee]|5[Ff]|7[Ee])/;

/** Parameter names in a match path, in order (`/a/:x/:y` → ['x', 'y']). */
export function pathParams(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => s.slice(1));
}

export function checkMatchPath(path: string): string | null {
  if (!path.startsWith('/')) return `path "${path}" must start with /`;
  if (path === '/') return null;
  const segments = path.slice(1).split('/');
  const params = new Set<string>();
  for (const [i, seg] of segments.entries()) {
    const problem = checkSegment(seg, i === segments.length - 1, params);
    if (problem !== null) return `path "${path}": ${problem}`;
  }
  return null;
}

function checkSegment(seg: string, last: boolean, params: Set<string>): string | null {
  if (seg === '') return 'empty segment (no "//" and no trailing "/"; use "/*" for a prefix)';
  if (seg === '*') return last ? null : '"*" may only be the final segment, as "/*"';
  if (seg.includes('*')) return `"*" must be a whole segment, as "/*" at the end (found "${seg}")`;
  if (seg.startsWith(':')) return checkParam(seg.slice(1), params);
  return checkStatic(seg);
}

function checkParam(name: string, params: Set<string>): string | null {
  if (!PARAM_NAME.test(name)) return `":${name}" is not a valid parameter (a letter or _, then letters, digits, _)`;
  if (params.has(name)) return `parameter ":${name}" appears twice`;
  params.add(name);
  return null;
}

function checkStatic(seg: string): string | null {
  if (seg === '.' || seg === '..') return `"${seg}" segments are never matched (requests with them get 400)`;
  if (!STATIC_SEGMENT.test(seg)) return `segment "${seg}" has characters that must be percent-encoded`;
  if (ENCODED_UNRESERVED.test(seg)) return `segment "${seg}" percent-encodes an unreserved character; write it plainly`;
  return null;
}

/**
 * A rewrite is a path whose `:param` segments come from the match path; a final
 * `/*` (the rest of a prefix match) only when the match path ends in `/*`.
 */
export function checkRewrite(rewrite: string, matchPath: string): string | null {
  if (!rewrite.startsWith('/')) return `rewrite "${rewrite}" must start with /`;
  if (rewrite === '/') return null;
  const known = new Set(pathParams(matchPath));
  const segments = rewrite.slice(1).split('/');
  for (const [i, seg] of segments.entries()) {
    const problem = checkRewriteSegment(seg, i === segments.length - 1, known, matchPath);
    if (problem !== null) return `rewrite "${rewrite}": ${problem}`;
  }
  return null;
}

// `:name` at the start of a segment, optionally followed by text (`:id.json`),
// as the route table's rewrite compiler reads it.
const PARAM_REF = /^:([A-Za-z_][A-Za-z0-9_]*)(.*)$/s;

function checkRewriteSegment(seg: string, last: boolean, known: Set<string>, matchPath: string): string | null {
  if (seg.startsWith(':')) {
    const ref = PARAM_REF.exec(seg);
    if (ref === null) return `"${seg}" is not a valid parameter reference`;
    if (!known.has(ref[1] ?? '')) return `":${ref[1] ?? ''}" is not a parameter of the match path "${matchPath}"`;
    const rest = ref[2] ?? '';
    return rest === '' || STATIC_SEGMENT.test(rest) ? null : `"${rest}" has characters that must be percent-encoded`;
  }
  if (seg === '*') {
    if (!last) return '"*" may only be the final segment';
    return matchPath.endsWith('/*') ? null : '"/*" needs a match path ending in "/*"';
  }
  if (seg === '') return 'empty segment';
  return checkStatic(seg);
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A lower-case host name, or `*.suffix`; never a port (SPEC §2: ports are ignored). */
export function checkHost(host: string): string | null {
  if (/:\d*$/.test(host) && !host.startsWith('[')) return `host "${host}" must not include a port`;
  const name = host.startsWith('*.') ? host.slice(2) : host;
  if (name.length > 253 || !name.split('.').every((l) => LABEL.test(l))) {
    return `host "${host}" must be a host name (e.g. api.example.com) or "*.example.com"`;
  }
  return null;
}
