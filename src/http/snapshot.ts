// One config compiled into everything the request path reads: the route table,
// CORS policies with prepared header values, and the header sets of SPEC §4.
// Built beside the live one on reload and swapped in one reference (STYLE §6);
// a request keeps the snapshot it started with.
import type { Authenticator } from '../auth/authenticate.js';
import type { JwksKeySet } from '../auth/jwt/jwks.js';
import type { JwksRegistry } from '../auth/jwt/jwks-registry.js';
import { compileAuthenticator, type AuthObserver } from '../auth/policy-authenticator.js';
import type { ConfigProblem, GatewayConfig } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { RateLimiter } from '../ratelimit/limiter.js';
import type { MemoryStore } from '../ratelimit/memory-store.js';
import { PolicyRateLimiter, type RateLimitObserver } from '../ratelimit/policy-limiter.js';
import type { RateLimitStore } from '../ratelimit/store.js';
import { compileRouteTable } from '../routing/table.js';
import type { RouteTable } from '../routing/types.js';
import type { Lease } from '../functions/types.js';
import { fixedLeases } from './activate.js';
import { compileCors, type CompiledCors } from './cors.js';
import type { MiddlewareChain } from './middleware/chain.js';

export interface GatewaySnapshot {
  readonly version: number;
  readonly config: GatewayConfig;
  readonly table: RouteTable;
  readonly cors: ReadonlyMap<string, CompiledCors>;
  /** Every header named by any forwardClaims map: removed from every request (SPEC §4). */
  readonly forbiddenHeaders: ReadonlySet<string>;
  /** Authorization and every API-key header: dropped unless a route forwards credentials. */
  readonly credentialHeaders: readonly string[];
  /** Every auth policy's verifier, built once for this config. */
  readonly authenticator: Authenticator;
  /** The JWKS key sets this config uses (started when it goes live). */
  readonly jwksInUse: ReadonlySet<JwksKeySet>;
  /** Every rate-limit policy, on the gateway's store. */
  readonly rateLimiter: RateLimiter;
  /** Route name → the lease of an `upstream:` route (functions' routes have none). */
  readonly fixedLeases: ReadonlyMap<string, Lease>;
  /** Route name → its middleware, for the routes that list any (SPEC §2). */
  readonly middleware: ReadonlyMap<string, MiddlewareChain>;
}

/** Long-lived services a snapshot's compiled parts share across reloads. */
export interface SnapshotServices {
  readonly jwks: JwksRegistry;
  readonly authObserver: AuthObserver;
  /** Memory by default, Redis with --redis. */
  readonly rateLimitStore: RateLimitStore;
  /** Where `onStoreError: local` decides while the store is down. */
  readonly fallbackStore: MemoryStore;
  readonly rateLimitObserver: RateLimitObserver;
  readonly logger: Logger;
}

export type SnapshotResult =
  | { readonly ok: true; readonly snapshot: GatewaySnapshot }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export function compileSnapshot(config: GatewayConfig, version: number, services: SnapshotServices, middleware: ReadonlyMap<string, MiddlewareChain>): SnapshotResult {
  const compiled = compileRouteTable(config.routes);
  if (!compiled.ok) return { ok: false, problems: compiled.problems };
  const forbidden = new Set<string>();
  const credentials = new Set<string>(['authorization']);
  for (const policy of config.auth.values()) {
    if (policy.type === 'jwt') for (const header of Object.values(policy.forwardClaims)) forbidden.add(header);
    else if (policy.in === 'header') credentials.add(policy.paramName);
  }
  const cors = new Map([...config.cors].map(([name, spec]) => [name, compileCors(spec)]));
  const { authenticator, jwksInUse } = compileAuthenticator(config, services.jwks, services.authObserver);
  const rateLimiter = new PolicyRateLimiter(config.rateLimits, services.rateLimitStore, services.fallbackStore, services.rateLimitObserver, services.logger);
  return {
    ok: true,
    snapshot: Object.freeze({
      version,
      config,
      table: compiled.table,
      cors,
      forbiddenHeaders: forbidden,
      credentialHeaders: Object.freeze([...credentials]),
      authenticator,
      jwksInUse,
      rateLimiter,
      fixedLeases: fixedLeases(config.routes),
      middleware,
    }),
  };
}
