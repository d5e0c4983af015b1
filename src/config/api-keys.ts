// API-key auth policies (SPEC §3): only sha256 hashes of keys are stored; the
// list is inline or in a keysFile (reported at positions in that file).
import path from 'node:path';
import { headerName, nameRef } from './fields.js';
import { ioReason, parseConfigFile } from './io.js';
import type { CompileContext } from './io.js';
import { withKeyPosition, type Path, type YamlSource } from './positions.js';
import type { RawApiKey, RawKeyEntry } from './raw.js';
import type { ApiKeyEntry, ApiKeyPolicySpec } from './types.js';

const HASH = /^sha256:([0-9a-fA-F]{64})$/;
// A key's id is its consumer id; JWT consumers are `POLICY:SUB` (SPEC §3), so an
// id with ':' could share a rate-limit bucket with a JWT user.
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

export async function compileApiKey(src: YamlSource, at: Path, name: string, raw: RawApiKey, ctx: CompileContext): Promise<ApiKeyPolicySpec> {
  const where = raw.in ?? 'header';
  const param = raw.name ?? 'X-API-Key';
  const { keys, keysFile } = await compileKeySource(src, at, raw, ctx);
  return withKeyPosition(
    {
      type: 'apiKey',
      name,
      in: where,
      paramName: where === 'header' ? headerName(src, [...at, 'name'], param) : param,
      keys,
      keysFile,
    },
    src,
    at,
  );
}

async function compileKeySource(src: YamlSource, at: Path, raw: RawApiKey, ctx: CompileContext): Promise<{ keys: ApiKeyEntry[]; keysFile: string | null }> {
  if (raw.keys !== undefined && raw.keysFile !== undefined) {
    src.reportKey([...at, 'keysFile'], 'apiKey policy has both keys and keysFile; use one');
  } else if (raw.keys !== undefined) {
    return { keys: compileEntries(src, [...at, 'keys'], raw.keys, ctx), keysFile: null };
  } else if (raw.keysFile !== undefined) {
    return readKeysFile(src, [...at, 'keysFile'], raw.keysFile, ctx);
  } else {
    src.report(at, 'apiKey policy needs keys or keysFile');
  }
  return { keys: [], keysFile: null };
}

async function readKeysFile(src: YamlSource, at: Path, rel: string, ctx: CompileContext): Promise<{ keys: ApiKeyEntry[]; keysFile: string }> {
  // SPEC §3: relative to the policy file's directory; shown relative to it too.
  const abs = path.resolve(path.dirname(src.absFile), rel);
  const shown = path.isAbsolute(rel) ? rel : path.join(path.dirname(src.file), rel);
  ctx.files.add(abs);
  let text: string;
  try {
    text = await ctx.io.readText(abs);
  } catch (err) {
    src.report(at, `cannot read keysFile ${abs}: ${ioReason(err)}`);
    return { keys: [], keysFile: abs };
  }
  const keysSrc = parseConfigFile(shown, abs, text, 'keys', ctx.problems);
  const list: unknown = (keysSrc?.data as { keys?: unknown } | null | undefined)?.keys;
  if (keysSrc === null || !Array.isArray(list)) return { keys: [], keysFile: abs };
  return { keys: compileEntries(keysSrc, ['keys'], list as RawKeyEntry[], ctx), keysFile: abs };
}

function compileEntries(src: YamlSource, at: Path, raw: readonly RawKeyEntry[], ctx: CompileContext): ApiKeyEntry[] {
  const ids = new Set<string>();
  const hashes = new Map<string, string>();
  const out: ApiKeyEntry[] = [];
  raw.forEach((entry, i) => {
    const p: Path = [...at, i];
    if (!src.isClean(p)) return;
    checkId(src, [...p, 'id'], entry.id, ids);
    const sha256 = compileHash(src, [...p, 'hash'], entry.hash, entry.id, hashes);
    const rateLimit = entry.rateLimit === undefined ? null : nameRef(src, [...p, 'rateLimit'], entry.rateLimit, ctx.names.rateLimits, 'rate limit policy');
    out.push({ id: entry.id, sha256, rateLimit });
  });
  return out;
}

function checkId(src: YamlSource, at: Path, id: string, ids: Set<string>): void {
  if (!KEY_ID.test(id)) src.report(at, `key id "${id}" must be letters, digits, ".", "_", "@" or "-" (it becomes the consumer id)`);
  else if (ids.has(id)) src.report(at, `key id "${id}" is listed twice`);
  ids.add(id);
}

/** Lower-case hex; two ids with one hash would make the consumer ambiguous. */
function compileHash(src: YamlSource, at: Path, hash: string, id: string, hashes: Map<string, string>): string {
  const hex = HASH.exec(hash)?.[1]?.toLowerCase();
  if (hex === undefined) {
    src.report(at, 'hash must be sha256:<64 hex digits> (see `gatehouse keys hash`)');
    return '';
  }
  const other = hashes.get(hex);
  if (other !== undefined) src.report(at, `key "${id}" has the same hash as key "${other}"`);
  else hashes.set(hex, id);
  return hex;
}
