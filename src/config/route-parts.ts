// The frozen values routes have in common, made once per load: a config of
// 100,000 routes names a few method lists, auth lists, functions and upstreams,
// not 100,000 of each. Each route held its own copies (~1 KB a route with 100,000
// routes, measured); sharing them is safe because every one is frozen, and an
// upstream URL is only ever read.
import type { RouteAuth, RouteTarget } from './types.js';

const NONE: readonly never[] = Object.freeze([]);
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const PUBLIC: RouteAuth = Object.freeze({ kind: 'public' });

export class SharedRouteParts {
  readonly #lists = new Map<string, readonly string[]>();
  readonly #auth = new Map<string, RouteAuth>();
  readonly #functions = new Map<string, RouteTarget>();
  readonly #upstreams = new Map<string, RouteTarget>();

  /** A list of names or methods: one frozen array per distinct content. */
  list(items: readonly string[]): readonly string[] {
    if (items.length === 0) return NONE;
    // NUL cannot occur in a YAML plain or quoted name without an escape, and names are checked anyway.
    const key = items.join('\0');
    let shared = this.#lists.get(key);
    if (shared === undefined) {
      shared = Object.freeze([...items]);
      this.#lists.set(key, shared);
    }
    return shared;
  }

  headers(headers: Record<string, string>): Readonly<Record<string, string>> {
    return Object.keys(headers).length === 0 ? NO_HEADERS : headers;
  }

  publicAuth(): RouteAuth {
    return PUBLIC;
  }

  policies(names: readonly string[]): RouteAuth {
    const key = names.join('\0');
    let auth = this.#auth.get(key);
    if (auth === undefined) {
      auth = Object.freeze({ kind: 'policies', names: this.list(names) });
      this.#auth.set(key, auth);
    }
    return auth;
  }

  function(name: string): RouteTarget {
    let target = this.#functions.get(name);
    if (target === undefined) {
      target = Object.freeze({ kind: 'function', name });
      this.#functions.set(name, target);
    }
    return target;
  }

  /** The upstream target for `text`, parsed once per distinct text; null when `parse` refuses it (reported each time). */
  upstream(text: string, parse: () => URL | null): RouteTarget | null {
    const known = this.#upstreams.get(text);
    if (known !== undefined) return known;
    const url = parse();
    if (url === null) return null;
    const target: RouteTarget = Object.freeze({ kind: 'upstream', url });
    this.#upstreams.set(text, target);
    return target;
  }
}
