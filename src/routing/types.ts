// The route table's contract (SPEC §2). One implementation, one contract suite.
import type { ConfigProblem, RouteSpec } from '../config/types.js';

/** Result of normalising a request's raw path once, before matching. */
export type NormalisedPath =
  | {
      readonly ok: true;
      /** The path as sent, but for decoded unreserved characters: what goes upstream. */
      readonly path: string;
      /** Its segments, likewise as sent: params and rewrites take these. */
      readonly segments: readonly string[];
      /** What matching compares: the segments with upper-case escape hex (the same array when they have none in lower case). */
      readonly keys: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

export type RouteMatch =
  | {
      readonly kind: 'matched';
      readonly route: RouteSpec;
      readonly params: Readonly<Record<string, string>>;
      /** The path to send upstream: `rewrite` applied, else the normalised path (no query). */
      readonly upstreamPath: string;
    }
  /** Some route's host and path fit, but none of them allows the method. */
  | { readonly kind: 'method-not-allowed'; readonly allow: string }
  | { readonly kind: 'none' };

export interface RouteRequest {
  readonly method: string;
  /** The Host header as sent (may carry a port, any case), or undefined. */
  readonly host: string | undefined;
  readonly path: NormalisedPath & { ok: true };
  /** Lower-case header names, as node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Explanation {
  readonly result: RouteMatch;
  /** One human sentence per decision taken during the walk, in order. */
  readonly steps: readonly string[];
}

export interface RouteTable {
  match(request: RouteRequest): RouteMatch;
  explain(request: RouteRequest): Explanation;
  /** Every route, in match-priority order. */
  readonly routes: readonly RouteSpec[];
}

export type CompileResult =
  | { readonly ok: true; readonly table: RouteTable }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };
