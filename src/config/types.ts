// The one canonical, validated shape of Gatehouse's configuration (SPEC §2, §3, §5).
// The loader turns YAML into these objects once per reload: durations are
// milliseconds, sizes are bytes, names are resolved, and everything is frozen.
// Nothing downstream parses a config string again.
import type { NamespaceScope } from './function-namespaces.js';

/** Where a config node came from, for `FILE:LINE:COL: message` (1-based). */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface ConfigProblem extends SourcePosition {
  readonly message: string;
}

export type RouteTarget =
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'upstream'; readonly url: URL };

export type RouteAuth =
  | { readonly kind: 'public' }
  /** Any one of the named policies admits; the first that succeeds defines the consumer. */
  | { readonly kind: 'policies'; readonly names: readonly string[] };

export interface RouteMatchSpec {
  /** As written: `/orders/:id`, `/files/*`. */
  readonly path: string;
  /** Upper-case method names, or null for "all methods". */
  readonly methods: readonly string[] | null;
  /** Lower-case host without port (`api.example.com`, `*.example.com`), or null. */
  readonly host: string | null;
  /** Lower-case header name → expected value (compared case-insensitively). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface RouteSpec {
  readonly name: string;
  readonly position: SourcePosition;
  readonly match: RouteMatchSpec;
  readonly target: RouteTarget;
  /** Upstream path template (`/v1/orders/:id`), or null to send the normalised path. */
  readonly rewrite: string | null;
  readonly auth: RouteAuth;
  readonly scopes: readonly string[];
  readonly rateLimit: readonly string[];
  readonly cors: string | null;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly maxBodyBytes: number;
  readonly wake: 'authenticated' | 'any';
  readonly forwardCredentials: boolean;
  /** Express middleware run for this route only (SPEC §2), in order; empty for most routes. */
  readonly middleware: readonly MiddlewareSpec[];
}

/** One `middleware` entry: a module whose default export is a factory `(options) => handler | handler[]`. */
export interface MiddlewareSpec {
  /** As written in the routes file, for messages and logs. */
  readonly ref: string;
  /** Absolute path of the module (relative paths resolve against the routes file's directory). */
  readonly file: string;
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * Where the entry is, for a problem. Looked up only when one is reported: a
   * position deeper than a route's start needs yaml's Document for the file, which
   * the fast parse otherwise never builds (positions.ts).
   */
  locate(): SourcePosition;
}

export interface ApiKeyEntry {
  readonly id: string;
  /** Lower-case hex sha256 of the key. */
  readonly sha256: string;
  readonly rateLimit: string | null;
}

export interface JwtPolicySpec {
  readonly type: 'jwt';
  readonly name: string;
  readonly position: SourcePosition;
  readonly algorithms: readonly string[];
  readonly key:
    | { readonly kind: 'jwks'; readonly uri: URL }
    | { readonly kind: 'publicKey'; readonly pem: string; readonly file: string | null }
    | { readonly kind: 'secretEnv'; readonly env: string };
  readonly issuer: string | null;
  readonly audience: readonly string[] | null;
  readonly clockToleranceMs: number;
  readonly requireExp: boolean;
  /** claim name → header name (lower-case). */
  readonly forwardClaims: Readonly<Record<string, string>>;
}

export interface ApiKeyPolicySpec {
  readonly type: 'apiKey';
  readonly name: string;
  readonly position: SourcePosition;
  readonly in: 'header' | 'query';
  /** Header names are lower-case; query parameter names as written. */
  readonly paramName: string;
  readonly keys: readonly ApiKeyEntry[];
  /** Absolute path of the keysFile, when the keys came from one (it is watched). */
  readonly keysFile: string | null;
}

export type AuthPolicySpec = JwtPolicySpec | ApiKeyPolicySpec;

export type RateLimitKey =
  | { readonly kind: 'ip' }
  | { readonly kind: 'consumer' }
  | { readonly kind: 'route' }
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'claim'; readonly name: string };

export interface RateLimitSpec {
  readonly requests: number;
  readonly perMs: number;
  readonly burst: number;
}

export interface RateLimitPolicySpec {
  readonly name: string;
  readonly position: SourcePosition;
  readonly key: RateLimitKey;
  readonly limits: readonly RateLimitSpec[];
  readonly onStoreError: 'local' | 'allow' | 'deny';
}

export interface CorsPolicySpec {
  readonly name: string;
  readonly position: SourcePosition;
  /** Exact origins, or ['*']. */
  readonly origins: readonly string[];
  readonly methods: readonly string[];
  readonly headers: readonly string[];
  /** Added to the default exposed set (SPEC §3), as written. */
  readonly exposeHeaders: readonly string[];
  readonly credentials: boolean;
  readonly maxAgeSeconds: number | null;
}

/** How a function is held and woken; backend-agnostic (SPEC §5). */
export interface WakeSettings {
  readonly coldStartTimeoutMs: number;
  readonly maxPending: number;
  readonly maxPendingBytes: number;
  /** Max in-flight per endpoint; 0 = unlimited. */
  readonly concurrency: number;
  /** null = never stopped for idleness. */
  readonly idleTimeoutMs: number | null;
}

export interface LocalFunctionSpec extends WakeSettings {
  readonly name: string;
  readonly position: SourcePosition;
  readonly command: readonly string[];
  /** Absolute. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly readinessPath: string;
  readonly maxInstances: number;
}

export interface GatewayConfig {
  readonly routes: readonly RouteSpec[];
  readonly auth: ReadonlyMap<string, AuthPolicySpec>;
  readonly rateLimits: ReadonlyMap<string, RateLimitPolicySpec>;
  readonly cors: ReadonlyMap<string, CorsPolicySpec>;
  /** Local backend only; empty for the Kubernetes backend. */
  readonly functions: ReadonlyMap<string, LocalFunctionSpec>;
  /** Every file the config was read from (routes, policies, key files, functions), absolute. */
  readonly files: readonly string[];
}

export interface ConfigSources {
  readonly routesDir: string;
  readonly policiesDir: string;
  /** The local backend's functions file; null with the Kubernetes backend. */
  readonly functionsFile: string | null;
  /** The Kubernetes backend's namespaces, for route `function: NAMESPACE/NAME` (SPEC §5); absent with the local backend. */
  readonly namespaces?: NamespaceScope;
}

export type LoadResult =
  | { readonly ok: true; readonly config: GatewayConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export const DEFAULTS = Object.freeze({
  routeTimeoutMs: 30_000,
  routeRetries: 1,
  maxBodyBytes: 10 * 1024 * 1024,
  coldStartTimeoutMs: 30_000,
  maxPending: 1000,
  maxPendingBytes: 64 * 1024 * 1024,
  readinessPath: '/healthz',
  maxInstances: 1,
  concurrency: 0,
});
