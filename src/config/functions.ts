// The local backend's functions file (SPEC §5): name → how to start, probe and
// hold one function's child processes.
import path from 'node:path';
import { duration, size } from './fields.js';
import type { ConfigIo } from './io.js';
import { withKeyPosition, type Path, type YamlSource } from './positions.js';
import type { RawFunction } from './raw.js';
import { section } from './raw.js';
import { FUNCTION_NAME } from './routes.js';
import { DEFAULTS } from './types.js';
import type { LocalFunctionSpec } from './types.js';

/** Names declared in the file (even invalid ones), so routes are not also told "unknown function". */
export function declaredFunctions(src: YamlSource): Set<string> {
  return new Set(Object.keys(section(src.data, 'functions')));
}

export async function compileFunctions(src: YamlSource, io: ConfigIo): Promise<Map<string, LocalFunctionSpec>> {
  const out = new Map<string, LocalFunctionSpec>();
  for (const [name, raw] of Object.entries(section(src.data, 'functions'))) {
    const at: Path = ['functions', name];
    if (!FUNCTION_NAME.test(name)) {
      src.reportKey(at, `function name "${name}" must be a DNS-1123 label (lower-case letters, digits, "-"; at most 63)`);
    }
    // The schema vouches for the shape only where it found nothing wrong.
    if (src.isClean(at)) out.set(name, await compileFunction(src, at, name, raw as RawFunction, io));
  }
  return out;
}

async function compileFunction(src: YamlSource, at: Path, name: string, raw: RawFunction, io: ConfigIo): Promise<LocalFunctionSpec> {
  const p = (k: string): Path => [...at, k];
  return withKeyPosition(
    {
      name,
      command: raw.command,
      cwd: await compileCwd(src, p('cwd'), raw.cwd, io),
      env: compileEnv(src, p('env'), raw.env ?? {}),
      readinessPath: compileReadinessPath(src, p('readinessPath'), raw.readinessPath),
      maxInstances: raw.maxInstances ?? DEFAULTS.maxInstances,
      concurrency: raw.concurrency ?? DEFAULTS.concurrency,
      idleTimeoutMs: raw.idleTimeout === undefined ? null : duration(src, p('idleTimeout'), raw.idleTimeout, 0, { positive: true, timer: true }),
      coldStartTimeoutMs: duration(src, p('coldStartTimeout'), raw.coldStartTimeout, DEFAULTS.coldStartTimeoutMs, { positive: true, timer: true }),
      maxPending: raw.maxPending ?? DEFAULTS.maxPending,
      maxPendingBytes: size(src, p('maxPendingBytes'), raw.maxPendingBytes, DEFAULTS.maxPendingBytes),
    },
    src,
    at,
  );
}

/** Absolute; a missing directory is refused now rather than failing every wake later. */
async function compileCwd(src: YamlSource, at: Path, raw: string | undefined, io: ConfigIo): Promise<string> {
  const cwd = path.resolve(io.cwd, raw ?? '.');
  if (!(await io.isDirectory(cwd))) src.report(at, `cwd ${cwd} is not a directory`);
  return cwd;
}

function compileEnv(src: YamlSource, at: Path, raw: Readonly<Record<string, string | number>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    // execve cannot pass a name holding '=' or NUL, nor a value holding NUL.
    if (name === '' || /[=\0]/.test(name)) src.reportKey([...at, name], `"${name}" is not an environment variable name`);
    else if (String(value).includes('\0')) src.report([...at, name], `env ${name} must not contain a NUL character`);
    out[name] = String(value);
  }
  return out;
}

function compileReadinessPath(src: YamlSource, at: Path, raw: string | undefined): string {
  if (raw === undefined) return DEFAULTS.readinessPath;
  if (!raw.startsWith('/')) src.report(at, `readinessPath "${raw}" must start with /`);
  return raw;
}
