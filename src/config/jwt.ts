// JWT auth policies (SPEC §3). The algorithm allow-list and the key source are
// checked together: an HS* algorithm only with a secret and a secret only with
// HS*, so a public key can never be used as an HMAC secret (the RS/HS confusion).
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import { duration, headerName, httpUrl } from './fields.js';
import { ioReason } from './io.js';
import type { CompileContext } from './io.js';
import { withKeyPosition, type Path, type YamlSource } from './positions.js';
import type { RawJwt } from './raw.js';
import type { JwtPolicySpec } from './types.js';

const ALGORITHMS = new Set(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
const KEY_SOURCES = ['jwksUri', 'publicKey', 'publicKeyFile', 'secretEnv'] as const;
const MIN_SECRET_BYTES = 32; // RFC 7518 §3.2: an HS256 key at least as long as the hash output.
const MAX_CLOCK_TOLERANCE_MS = 5 * 60_000;
// Headers that frame or route the message; a claim written into one could
// smuggle a request, so forwardClaims may not target them.
const FRAMING_HEADERS = new Set(['connection', 'content-length', 'host', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

type JwtKey = JwtPolicySpec['key'];

export async function compileJwt(src: YamlSource, at: Path, name: string, raw: RawJwt, ctx: CompileContext): Promise<JwtPolicySpec> {
  const p = (...k: (string | number)[]): Path => [...at, ...k];
  const key = await compileKey(src, at, raw, ctx);
  checkAlgorithms(src, p('algorithms'), raw, key);
  const audience = raw.audience;
  return withKeyPosition(
    {
      type: 'jwt',
      name,
      algorithms: raw.algorithms,
      key: key ?? { kind: 'secretEnv', env: '' },
      issuer: raw.issuer ?? null,
      audience: audience === undefined ? null : typeof audience === 'string' ? [audience] : audience,
      clockToleranceMs: duration(src, p('clockTolerance'), raw.clockTolerance, 0, { max: { ms: MAX_CLOCK_TOLERANCE_MS, text: '5m' } }),
      requireExp: raw.requireExp ?? true,
      forwardClaims: compileForwardClaims(src, p('forwardClaims'), raw.forwardClaims ?? {}),
    },
    src,
    at,
  );
}

function checkAlgorithms(src: YamlSource, at: Path, raw: RawJwt, key: JwtKey | null): void {
  const keyObject = key?.kind === 'publicKey' ? createPublicKey(key.pem) : null;
  raw.algorithms.forEach((alg, i) => {
    const problem = algorithmProblem(alg, raw.secretEnv !== undefined, keyObject);
    if (problem !== null) src.report([...at, i], problem);
  });
}

function algorithmProblem(alg: string, secret: boolean, key: KeyObject | null): string | null {
  if (alg.toLowerCase() === 'none') return 'algorithm none is never accepted';
  if (!ALGORITHMS.has(alg)) return `unknown algorithm "${alg}" (expected one of: ${[...ALGORITHMS].join(', ')})`;
  const hmac = alg.startsWith('HS');
  if (hmac && !secret) return `algorithm ${alg} needs secretEnv (an HMAC key never comes from a public key)`;
  if (!hmac && secret) return `algorithm ${alg} cannot be used with secretEnv (only HS256, HS384, HS512 can)`;
  if (key !== null && !keyFits(alg, key)) return `algorithm ${alg} does not fit the ${keyDescription(key)} public key`;
  return null;
}

const CURVES: Readonly<Record<string, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

function keyFits(alg: string, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (alg.startsWith('RS')) return type === 'rsa';
  if (alg.startsWith('PS')) return type === 'rsa' || type === 'rsa-pss';
  if (alg.startsWith('ES')) return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === CURVES[alg];
  return type === 'ed25519' || type === 'ed448'; // EdDSA
}

function keyDescription(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === undefined ? String(key.asymmetricKeyType) : `${String(key.asymmetricKeyType)} ${curve}`;
}

async function compileKey(src: YamlSource, at: Path, raw: RawJwt, ctx: CompileContext): Promise<JwtKey | null> {
  const present = KEY_SOURCES.filter((k) => raw[k] !== undefined);
  if (present.length === 0) {
    src.report(at, 'jwt policy needs one key source: jwksUri, publicKey, publicKeyFile or secretEnv');
    return null;
  }
  if (present.length > 1) {
    src.reportKey([...at, present[1] ?? ''], `jwt policy has both ${present[0] ?? ''} and ${present[1] ?? ''}; use exactly one key source`);
    return null;
  }
  if (raw.jwksUri !== undefined) {
    const uri = httpUrl(src, [...at, 'jwksUri'], raw.jwksUri);
    return uri === null ? null : { kind: 'jwks', uri };
  }
  if (raw.secretEnv !== undefined) return secretEnvKey(src, [...at, 'secretEnv'], raw.secretEnv, ctx);
  if (raw.publicKey !== undefined) return pemKey(src, [...at, 'publicKey'], raw.publicKey, null);
  return publicKeyFile(src, [...at, 'publicKeyFile'], raw.publicKeyFile ?? '', ctx);
}

/** Only the variable's name is kept: the secret itself never enters the config objects. */
function secretEnvKey(src: YamlSource, at: Path, env: string, ctx: CompileContext): JwtKey | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) {
    src.report(at, `secretEnv "${env}" is not an environment variable name`);
    return null;
  }
  const value = ctx.io.env[env];
  if (value === undefined || value === '') {
    src.report(at, `environment variable ${env} is not set`);
    return null;
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < MIN_SECRET_BYTES) {
    src.report(at, `environment variable ${env} holds ${bytes} bytes; an HS secret needs at least ${MIN_SECRET_BYTES}`);
    return null;
  }
  return { kind: 'secretEnv', env };
}

async function publicKeyFile(src: YamlSource, at: Path, rel: string, ctx: CompileContext): Promise<JwtKey | null> {
  // SPEC §3: relative paths resolve against the directory of the policy file.
  const abs = path.resolve(path.dirname(src.absFile), rel);
  ctx.files.add(abs);
  try {
    return pemKey(src, at, await ctx.io.readText(abs), abs);
  } catch (err) {
    src.report(at, `cannot read publicKeyFile ${abs}: ${ioReason(err)}`);
    return null;
  }
}

function pemKey(src: YamlSource, at: Path, pem: string, file: string | null): JwtKey | null {
  const what = file === null ? 'publicKey' : `publicKeyFile ${file}`;
  // createPublicKey happily derives a public key from a private one; a private
  // key in gateway config is a leak waiting to happen, so refuse it.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    src.report(at, `${what} holds a private key; give the public key only`);
    return null;
  }
  try {
    createPublicKey(pem);
  } catch (err) {
    src.report(at, `${what} is not a PEM public key (${err instanceof Error ? err.message : String(err)})`);
    return null;
  }
  return { kind: 'publicKey', pem, file };
}

function compileForwardClaims(src: YamlSource, at: Path, raw: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const targets = new Set<string>();
  for (const [claim, header] of Object.entries(raw)) {
    const lower = headerName(src, [...at, claim], header);
    if (lower.startsWith('x-gatehouse-')) src.report([...at, claim], `header ${header} is reserved for the gateway (x-gatehouse-*)`);
    else if (FRAMING_HEADERS.has(lower)) src.report([...at, claim], `claims cannot be forwarded in the ${lower} header`);
    else if (targets.has(lower)) src.report([...at, claim], `header ${lower} already receives another claim`);
    targets.add(lower);
    out[claim] = lower;
  }
  return out;
}
