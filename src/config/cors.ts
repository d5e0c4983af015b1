// CORS policies (SPEC §3). Origins are stored in the form browsers send them
// (lower-case scheme and host, default port dropped) so matching is a plain compare.
import { duration, headerName, methodList } from './fields.js';
import { withKeyPosition, type Path, type YamlSource } from './positions.js';
import type { RawCors } from './raw.js';
import type { CorsPolicySpec } from './types.js';

const ORIGIN = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#@\s]+)$/;

export function compileCors(src: YamlSource, at: Path, name: string, raw: RawCors): CorsPolicySpec {
  const credentials = raw.credentials ?? false;
  const origins = compileOrigins(src, [...at, 'origins'], raw.origins);
  if (credentials && origins.includes('*')) {
    // Fetch spec (CORS protocol): a credentialed response may not use `*`.
    src.report([...at, 'credentials'], 'credentials: true cannot be used with origins ["*"]; list the origins');
  }
  const maxAgeMs = duration(src, [...at, 'maxAge'], raw.maxAge, 0);
  return withKeyPosition(
    {
      name,
      origins,
      methods: raw.methods === undefined ? ['GET', 'HEAD', 'POST'] : methodList(src, [...at, 'methods'], raw.methods),
      headers: compileHeaders(src, [...at, 'headers'], raw.headers ?? []),
      exposeHeaders: compileExposeHeaders(src, [...at, 'exposeHeaders'], raw.exposeHeaders ?? [], credentials),
      credentials,
      maxAgeSeconds: raw.maxAge === undefined ? null : Math.floor(maxAgeMs / 1000),
    },
    src,
    at,
  );
}

/** Checked as header names but kept as written: they are echoed in Access-Control-Allow-Headers. */
function compileHeaders(src: YamlSource, at: Path, raw: readonly string[]): string[] {
  raw.forEach((h, i) => headerName(src, [...at, i], h));
  return [...raw];
}

/** Like `headers`; `*` means "every header" to a browser only without credentials (Fetch spec, CORS protocol). */
function compileExposeHeaders(src: YamlSource, at: Path, raw: readonly string[], credentials: boolean): string[] {
  raw.forEach((h, i) => {
    if (h === '*' && credentials) src.report([...at, i], 'exposeHeaders "*" exposes nothing with credentials: true (browsers read it as a header named "*"); list the headers');
  });
  return compileHeaders(src, at, raw);
}

function compileOrigins(src: YamlSource, at: Path, raw: readonly string[]): string[] {
  if (raw.includes('*')) {
    if (raw.length > 1) src.report(at, '"*" must be the only origin');
    return ['*'];
  }
  const seen = new Set<string>();
  return raw.map((o, i) => {
    const origin = normaliseOrigin(o);
    if (origin === null) src.report([...at, i], `origin "${o}" must be "*" or scheme://host[:port] (no path, not even "/")`);
    else if (seen.has(origin)) src.report([...at, i], `origin "${o}" is listed twice`);
    else seen.add(origin);
    return origin ?? o;
  });
}

/** The serialisation a browser puts in `Origin`, or null when `o` is not one. */
function normaliseOrigin(o: string): string | null {
  const m = ORIGIN.exec(o);
  if (m === null || !URL.canParse(o)) return null;
  const url = new URL(o);
  // http(s): URL gives the exact Origin serialisation (default port dropped).
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  // Other schemes (capacitor://, app://) have an opaque URL origin; compare lower-cased.
  return `${(m[1] ?? '').toLowerCase()}://${(m[2] ?? '').toLowerCase()}`;
}
