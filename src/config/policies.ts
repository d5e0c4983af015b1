// The policy files (SPEC §3): each may hold the maps `auth`, `rateLimits` and
// `cors`; a name is unique per map across all files. Names are declared first so
// that references (routes, per-key rate limits) can be checked in any order.
import { compileApiKey } from './api-keys.js';
import { compileCors } from './cors.js';
import type { CompileContext } from './io.js';
import { compileJwt } from './jwt.js';
import type { Path, YamlSource } from './positions.js';
import { compileRateLimit } from './rate-limits.js';
import type { RawAuth, RawCors, RawRateLimit } from './raw.js';
import { section } from './raw.js';
import type { AuthPolicySpec, CorsPolicySpec, RateLimitPolicySpec, SourcePosition } from './types.js';

export type PolicyMap = 'auth' | 'rateLimits' | 'cors';

/** One policy as found: where, and its (not yet checked) value. */
interface Declared {
  readonly src: YamlSource;
  readonly at: Path;
  readonly raw: unknown;
}

export type Declarations = Readonly<Record<PolicyMap, ReadonlyMap<string, Declared>>>;

// Policy names end up in consumer ids (`POLICY:SUB`, SPEC §3) and metric labels.
const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const WHAT: Readonly<Record<PolicyMap, string>> = { auth: 'auth policy', rateLimits: 'rate limit policy', cors: 'cors policy' };

/** Every policy name of every file; duplicates and bad names are reported at the name. */
export function declarePolicies(sources: readonly YamlSource[]): Declarations {
  const out = { auth: new Map<string, Declared>(), rateLimits: new Map<string, Declared>(), cors: new Map<string, Declared>() };
  for (const src of sources) {
    for (const map of ['auth', 'rateLimits', 'cors'] as const) {
      for (const [name, raw] of Object.entries(section(src.data, map))) declare(out[map], map, { src, at: [map, name], raw }, name);
    }
  }
  return out;
}

function declare(into: Map<string, Declared>, map: PolicyMap, d: Declared, name: string): void {
  const earlier = into.get(name);
  if (earlier !== undefined) {
    d.src.reportKey(d.at, `duplicate ${WHAT[map]} "${name}" (first defined at ${where(earlier.src.keyAt(earlier.at))})`);
    return;
  }
  if (!POLICY_NAME.test(name)) d.src.reportKey(d.at, `${WHAT[map]} name "${name}" must be letters, digits, ".", "_" or "-"`);
  else if (map === 'auth' && name === 'public') d.src.reportKey(d.at, 'auth policy name "public" is reserved (auth: public means no auth)');
  into.set(name, d);
}

function where(p: SourcePosition): string {
  return `${p.file}:${p.line}:${p.col}`;
}

export interface Policies {
  readonly auth: Map<string, AuthPolicySpec>;
  readonly rateLimits: Map<string, RateLimitPolicySpec>;
  readonly cors: Map<string, CorsPolicySpec>;
}

/** Compile every declared policy whose shape the schema accepted. */
export async function compilePolicies(decl: Declarations, ctx: CompileContext): Promise<Policies> {
  const out: Policies = { auth: new Map(), rateLimits: new Map(), cors: new Map() };
  for (const [name, d] of clean(decl.auth)) {
    // The schema's discriminator has checked `type` and that branch's fields.
    const raw = d.raw as RawAuth;
    const spec = raw.type === 'jwt' ? await compileJwt(d.src, d.at, name, raw, ctx) : await compileApiKey(d.src, d.at, name, raw, ctx);
    out.auth.set(name, spec);
  }
  for (const [name, d] of clean(decl.rateLimits)) out.rateLimits.set(name, compileRateLimit(d.src, d.at, name, d.raw as RawRateLimit));
  for (const [name, d] of clean(decl.cors)) out.cors.set(name, compileCors(d.src, d.at, name, d.raw as RawCors));
  return out;
}

function clean(map: ReadonlyMap<string, Declared>): [string, Declared][] {
  return [...map].filter(([, d]) => d.src.isClean(d.at));
}
