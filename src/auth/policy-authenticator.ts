// Route `auth` (SPEC §2, §3): public, one policy, or a list where any one admits
// and the first that succeeds defines the consumer. Compiled once per config.
import { createPublicKey, createSecretKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApiKeyPolicySpec, GatewayConfig, JwtPolicySpec, RouteSpec } from '../config/types.js';
import { ApiKeyVerifier } from './api-keys.js';
import { PUBLIC_ADMISSION, type Authenticator, type AuthOutcome } from './authenticate.js';
import { bearerToken } from './bearer.js';
import type { AuthFailureReason, Verdict } from './failure.js';
import { identityHeaders } from './identity.js';
import type { JwksKeySet } from './jwt/jwks.js';
import type { JwksRegistry } from './jwt/jwks-registry.js';
import { JwtVerifier, type JwtIdentity, type KeySource } from './jwt/verifier.js';

export interface AuthObserver {
  failed(policy: string, reason: AuthFailureReason): void;
}

type CompiledPolicy =
  | { readonly kind: 'jwt'; readonly spec: JwtPolicySpec; readonly verifier: JwtVerifier }
  | { readonly kind: 'apiKey'; readonly spec: ApiKeyPolicySpec; readonly verifier: ApiKeyVerifier };

const REALM = 'Bearer realm="gatehouse"';
const NO_PARAMS: readonly string[] = Object.freeze([]);

export class PolicyAuthenticator implements Authenticator {
  constructor(
    private readonly policies: ReadonlyMap<string, CompiledPolicy>,
    private readonly observer: AuthObserver,
    /** Route name → query parameters to drop upstream (see `credentialQueryParams`). */
    private readonly queryParams: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** A public route is answered synchronously: no promise, no await on the hot path. */
  authenticate(route: RouteSpec, req: IncomingMessage): AuthOutcome | Promise<AuthOutcome> {
    return route.auth.kind === 'public' ? PUBLIC_ADMISSION : this.#authenticate(route, req);
  }

  async #authenticate(route: RouteSpec, req: IncomingMessage): Promise<AuthOutcome> {
    if (route.auth.kind === 'public') return PUBLIC_ADMISSION;
    let token: Verdict<string> | undefined;
    let jwtPolicies = false;
    let tokenPresented = false;
    const failures: Array<[string, AuthFailureReason]> = [];
    for (const name of route.auth.names) {
      const policy = this.policies.get(name) as CompiledPolicy; // names were checked at load
      if (policy.kind === 'jwt') {
        jwtPolicies = true;
        token ??= bearerToken(req);
        tokenPresented ||= token.ok || token.reason !== 'missing';
        const verdict = token.ok ? await policy.verifier.verify(token.value) : token;
        if (verdict.ok) return this.#admitted(name, admitJwt(route, policy.spec, verdict.value, this.#queryParamsOf(route)));
        failures.push([name, verdict.reason]);
      } else {
        const verdict = policy.verifier.verify(req);
        if (verdict.ok) return admitApiKey(policy.spec, verdict.value, this.#queryParamsOf(route));
        failures.push([name, verdict.reason]);
      }
    }
    for (const [name, reason] of failures) this.observer.failed(name, reason);
    const reason = failures.find(([, r]) => r !== 'missing')?.[1] ?? 'missing';
    const challenge = jwtPolicies ? (tokenPresented ? `${REALM}, error="invalid_token"` : REALM) : null;
    return {
      kind: 'refused',
      status: 401,
      reason,
      detail: reason === 'missing' ? 'credentials are required' : `the credentials were refused (${reason})`,
      headers: challenge ? { 'www-authenticate': challenge } : {},
    };
  }

  /** A valid token without a route scope is refused (403) and counted like any other
   * refusal, as gatehouse_auth_failures_total{reason="scope"} (SPEC §6). */
  #admitted(policy: string, outcome: AuthOutcome): AuthOutcome {
    if (outcome.kind === 'refused') this.observer.failed(policy, outcome.reason);
    return outcome;
  }

  #queryParamsOf(route: RouteSpec): readonly string[] {
    return this.queryParams.get(route.name) ?? NO_PARAMS;
  }
}

function admitJwt(route: RouteSpec, spec: JwtPolicySpec, identity: JwtIdentity, queryParams: readonly string[]): AuthOutcome {
  const missing = route.scopes.filter((scope) => !identity.scopes.has(scope));
  if (missing.length > 0) {
    return {
      kind: 'refused',
      status: 403,
      reason: 'scope',
      detail: `the token lacks a required scope`,
      headers: { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${route.scopes.join(' ')}"` },
    };
  }
  const consumer = `${spec.name}:${identity.subject}`;
  return {
    kind: 'admitted',
    consumer,
    policy: spec.name,
    identityHeaders: identityHeaders(consumer, spec.name, spec.forwardClaims, identity.claims),
    claims: identity.claims,
    rateLimitPlan: null,
    credentialQueryParams: queryParams,
  };
}

/** API keys carry no scopes: a route's `scopes` constrain JWT consumers (SPEC §2: "JWT scope/scp claim"). */
function admitApiKey(spec: ApiKeyPolicySpec, key: { id: string; rateLimit: string | null }, queryParams: readonly string[]): AuthOutcome {
  return {
    kind: 'admitted',
    consumer: key.id,
    policy: spec.name,
    identityHeaders: identityHeaders(key.id, spec.name, {}, null),
    claims: null,
    rateLimitPlan: key.rateLimit,
    credentialQueryParams: queryParams,
  };
}

/** Build every policy's verifier once per config; JWKS sets come from the long-lived registry. */
export function compileAuthenticator(config: GatewayConfig, jwks: JwksRegistry, observer: AuthObserver): { authenticator: PolicyAuthenticator; jwksInUse: Set<JwksKeySet> } {
  const policies = new Map<string, CompiledPolicy>();
  const jwksInUse = new Set<JwksKeySet>();
  for (const [name, spec] of config.auth) {
    if (spec.type === 'apiKey') {
      policies.set(name, { kind: 'apiKey', spec, verifier: new ApiKeyVerifier(spec) });
      continue;
    }
    policies.set(name, { kind: 'jwt', spec, verifier: new JwtVerifier(spec, keySourceFor(name, spec, jwks, jwksInUse)) });
  }
  return { authenticator: new PolicyAuthenticator(policies, observer, credentialQueryParams(config.routes, policies)), jwksInUse };
}

/**
 * Per route that does not forward credentials: the query parameters its query-key
 * policies read. They are dropped upstream whichever policy admitted: a request
 * admitted by its token must not carry a valid API key to the function either.
 */
function credentialQueryParams(routes: readonly RouteSpec[], policies: ReadonlyMap<string, CompiledPolicy>): Map<string, readonly string[]> {
  const byRoute = new Map<string, readonly string[]>();
  for (const route of routes) {
    if (route.auth.kind === 'public' || route.forwardCredentials) continue;
    const params = new Set<string>();
    for (const name of route.auth.names) {
      const policy = policies.get(name);
      if (policy?.kind === 'apiKey' && policy.spec.in === 'query') params.add(policy.spec.paramName);
    }
    if (params.size > 0) byRoute.set(route.name, Object.freeze([...params]));
  }
  return byRoute;
}

function keySourceFor(name: string, spec: JwtPolicySpec, jwks: JwksRegistry, inUse: Set<JwksKeySet>): KeySource {
  const key = spec.key;
  if (key.kind === 'jwks') {
    const set = jwks.keySet(name, key.uri);
    inUse.add(set);
    return set;
  }
  const keyObject = key.kind === 'publicKey' ? createPublicKey(key.pem) : createSecretKey(Buffer.from(secretFrom(key.env), 'utf8'));
  const found = { kind: 'key' as const, key: keyObject, alg: null };
  return { keyFor: () => found };
}

function secretFrom(env: string): string {
  const secret = process.env[env];
  if (secret === undefined) throw new Error(`secretEnv ${env} is not set`);
  return secret;
}
