// Small checkers shared by the semantic passes: each takes the source and the
// path of one value, reports a problem there when it is wrong, and returns the
// canonical value (or a fallback that is never used, since any problem fails the load).
import type { Path, YamlSource } from './positions.js';
import type { DurationText, NameOrList, SizeText } from './raw.js';
import { parseDuration, parseSize } from './units.js';

/** RFC 9110 §5.6.2 `token`: header field names and method names. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

// Node's timers overflow past 2^31-1 ms and then fire after 1 ms (TimeoutOverflowWarning),
// so a huge timeout would silently become an instant one.
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface DurationRule {
  /** Refuse 0 (a timeout of 0 can never be met). */
  readonly positive?: boolean;
  /** Inclusive upper bound, with how to say it. */
  readonly max?: { readonly ms: number; readonly text: string };
  /** The value arms a timer, so it must fit in one. */
  readonly timer?: boolean;
}

export function duration(src: YamlSource, path: Path, v: DurationText | undefined, fallback: number, rule: DurationRule = {}): number {
  if (v === undefined) return fallback;
  const ms = parseDuration(String(v));
  const name = String(path.at(-1));
  if (ms === null) {
    src.report(path, `${name} "${String(v)}" is not a duration (expected e.g. 250ms, 30s, 5m, 1h, 1d)`);
  } else if (rule.positive === true && ms === 0) {
    src.report(path, `${name} must be greater than 0`);
  } else if (rule.max !== undefined && ms > rule.max.ms) {
    src.report(path, `${name} must be at most ${rule.max.text}`);
  } else if (rule.timer === true && ms > MAX_TIMER_MS) {
    src.report(path, `${name} must be at most 24d (a Node.js timer limit)`);
  } else {
    return ms;
  }
  return fallback;
}

export function size(src: YamlSource, path: Path, v: SizeText | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const bytes = parseSize(String(v));
  if (bytes !== null) return bytes;
  src.report(path, `${String(path.at(-1))} "${String(v)}" is not a size (expected e.g. 512, 64KB, 10MiB, 1GiB)`);
  return fallback;
}

/** A list of names that must each be in `known`; a single string is a list of one. */
export function nameRefs(src: YamlSource, path: Path, v: NameOrList | undefined, known: ReadonlySet<string>, what: string): string[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [nameRef(src, path, v, known, what)];
  const seen = new Set<string>();
  return v.map((name, i) => {
    if (seen.has(name)) src.report([...path, i], `${what} "${name}" is listed twice`);
    seen.add(name);
    return nameRef(src, [...path, i], name, known, what);
  });
}

export function nameRef(src: YamlSource, path: Path, name: string, known: ReadonlySet<string>, what: string): string {
  if (!known.has(name)) src.report(path, `unknown ${what} "${name}"`);
  return name;
}

/** A header name, lower-cased (HTTP field names are case-insensitive, RFC 9110 §5.1). */
export function headerName(src: YamlSource, path: Path, name: string, atKey = false): string {
  if (!TOKEN.test(name)) {
    const message = `"${name}" is not a valid header name`;
    if (atKey) src.reportKey(path, message);
    else src.report(path, message);
  }
  return name.toLowerCase();
}

/** Upper-cased method tokens; duplicates are an error (one meaning per knob). */
export function methodList(src: YamlSource, path: Path, v: readonly string[]): string[] {
  const seen = new Set<string>();
  return v.map((m, i) => {
    const upper = m.toUpperCase();
    if (!TOKEN.test(m)) src.report([...path, i], `"${m}" is not a valid HTTP method`);
    else if (seen.has(upper)) src.report([...path, i], `method ${upper} is listed twice`);
    seen.add(upper);
    return upper;
  });
}

export function httpUrl(src: YamlSource, path: Path, v: string): URL | null {
  const url = URL.canParse(v) ? new URL(v) : null;
  if (url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return url;
  src.report(path, `${String(path.at(-1))} "${v}" must be an absolute http:// or https:// URL`);
  return null;
}
