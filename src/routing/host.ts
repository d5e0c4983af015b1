// Hosts: the route's host condition compiled once, the request's Host header
// reduced once per request to the key the host index is built on.

/** A route's host condition (SPEC §2): exact beats wildcard beats none. */
export type HostKey =
  | { readonly kind: 'exact'; readonly host: string }
  /** `*.example.com` is stored as its suffix `example.com`. */
  | { readonly kind: 'wildcard'; readonly suffix: string }
  | { readonly kind: 'none' };

const NO_HOST: HostKey = Object.freeze({ kind: 'none' });

const WILDCARD_ONLY_LEADING = 'a wildcard is only allowed as a whole leading label, as in *.example.com';

/** Why a host condition can never match a request's host key, or null. */
function hostProblem(host: string): string | null {
  if (host === '' || host.includes('*')) return WILDCARD_ONLY_LEADING;
  // Requests are matched with the port stripped, so a route's port would never match.
  if (!host.startsWith('[') && host.includes(':')) return 'a host condition has no port';
  return null;
}

/** Compiles a route's `match.host` the way requestHostKey() reduces a request's Host. */
export function compileHost(host: string | null): { ok: true; key: HostKey } | { ok: false; message: string } {
  if (host === null) return { ok: true, key: NO_HOST };
  let lower = host.toLowerCase();
  if (lower.length > 1 && lower.endsWith('.')) lower = lower.slice(0, -1);
  const wildcard = lower.startsWith('*.');
  const name = wildcard ? lower.slice(2) : lower;
  const problem = hostProblem(name);
  if (problem !== null) return { ok: false, message: `host "${host}": ${problem}` };
  return { ok: true, key: Object.freeze(wildcard ? { kind: 'wildcard', suffix: name } : { kind: 'exact', host: name }) };
}

/** How a route's host reads in steps and listings. */
export function describeHost(key: HostKey): string {
  if (key.kind === 'exact') return key.host;
  if (key.kind === 'wildcard') return `*.${key.suffix}`;
  return '*';
}

const OPEN_BRACKET = 0x5b;
const DOT = 0x2e;

/**
 * The Host header as the host index knows it: lower case, port stripped
 * (`Example.COM:8080` → `example.com`, `[::1]:80` → `[::1]`), one trailing
 * dot dropped (`example.com.` names the same host, RFC 1034 §3.1). Returns null
 * when there is no usable host: only host-less routes can match then.
 */
export function requestHostKey(host: string | undefined): string | null {
  if (host === undefined) return null;
  let end: number;
  if (host.charCodeAt(0) === OPEN_BRACKET) {
    const close = host.indexOf(']'); // an IPv6 literal's colons are not a port
    end = close === -1 ? host.length : close + 1;
  } else {
    const colon = host.indexOf(':');
    end = colon === -1 ? host.length : colon;
  }
  if (end > 1 && host.charCodeAt(end - 1) === DOT) end--;
  if (end === 0) return null;
  return (end === host.length ? host : host.slice(0, end)).toLowerCase();
}
