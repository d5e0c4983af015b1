// The I/O shell of config loading: find and read the files, then run the
// passes (schema per file, names, policies, functions, routes) and return either
// one frozen GatewayConfig or every problem found, sorted (SPEC §1 `validate`).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isConfigYamlName } from './file-names.js';
import { deepFreeze } from './freeze.js';
import { compileFunctions, declaredFunctions } from './functions.js';
import { ioReason, nodeConfigIo, parseConfigFile } from './io.js';
import type { CompileContext, ConfigIo } from './io.js';
import { compilePolicies, declarePolicies } from './policies.js';
import type { YamlSource } from './positions.js';
import { ProblemList } from './problems.js';
import { RoutesCompiler } from './routes.js';
import type { FileKind } from './schema.js';
import type { ConfigSources, GatewayConfig, LocalFunctionSpec, LoadResult } from './types.js';

export type { ConfigIo } from './io.js';

export async function loadConfig(sources: ConfigSources, io: ConfigIo = nodeConfigIo()): Promise<LoadResult> {
  const problems = new ProblemList();
  const files = new Set<string>();
  const reader: Reader = { io, problems, files };
  const policyFiles = await readDir(sources.policiesDir, 'policies', reader);
  const fnFile = sources.functionsFile === null ? null : await readFile(sources.functionsFile, 'functions', reader);

  const declared = declarePolicies(policyFiles);
  const names = {
    auth: new Set(declared.auth.keys()),
    rateLimits: new Set(declared.rateLimits.keys()),
    cors: new Set(declared.cors.keys()),
    // Unchecked when there is no functions file, or when it failed to read or
    // parse (its own problem is reported; "unknown function" everywhere would be noise).
    functions: fnFile === null ? null : declaredFunctions(fnFile),
    namespaces: sources.namespaces,
  };
  const ctx: CompileContext = { io, names, problems, files };
  const policies = await compilePolicies(declared, ctx);
  const functions = fnFile === null ? new Map<string, LocalFunctionSpec>() : await compileFunctions(fnFile, io);
  // Routes last, once every name they may refer to is known, and one file at a time:
  // a file's parsed data is dropped as soon as its routes are built.
  const routes = new RoutesCompiler(names);
  await readDir(sources.routesDir, 'routes', reader, (src) => routes.add(src));
  // Middleware modules are config too: editing one reloads (the watcher watches `files`).
  for (const route of routes.routes) for (const middleware of route.middleware) files.add(middleware.file);

  if (problems.count > 0) return { ok: false, problems: problems.sorted() };
  const config: GatewayConfig = { routes: routes.routes, ...policies, functions, files: [...files].sort() };
  return { ok: true, config: deepFreeze(config) };
}

/** What reading needs: where to read, where to put problems, what was read. */
interface Reader {
  readonly io: ConfigIo;
  readonly problems: ProblemList;
  readonly files: Set<string>;
}

/** Files being read while earlier ones are parsed: one at a time, 200 routes files spent
 * most of a 100,000-route load's I/O waiting in turn; a bound keeps descriptors few. */
const READ_AHEAD = 8;

/**
 * Every YAML file directly in `dir`, by name; subfolders hold key files, not config.
 * Each is handed to `use` as soon as it is parsed when given (and not kept), else returned.
 */
async function readDir(dir: string, kind: FileKind, r: Reader, use?: (src: YamlSource) => void): Promise<YamlSource[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    r.problems.add({ file: dir, line: 1, col: 1 }, `cannot read ${kind} directory: ${ioReason(err)}`);
    return [];
  }
  // Code-unit order, not locale order, so the same files load the same way everywhere.
  const files = names
    .filter(isConfigYamlName)
    .sort()
    .map((name) => path.join(dir, name));
  const out: YamlSource[] = [];
  const reads: Array<Promise<FileText | null>> = [];
  let next = 0;
  for (let k = 0; k < files.length; k++) {
    while (next < files.length && reads.length < READ_AHEAD) reads.push(readIfFile(files[next++]!, kind, r));
    const read = await reads.shift();
    if (read === null || read === undefined) continue;
    const src = parseConfigFile(read.file, read.abs, read.text, kind, r.problems);
    if (src === null) continue;
    if (use === undefined) out.push(src);
    else use(src);
  }
  return out;
}

interface FileText {
  readonly file: string;
  readonly abs: string;
  readonly text: string;
}

async function readIfFile(file: string, kind: FileKind, r: Reader): Promise<FileText | null> {
  // stat follows symlinks: a Kubernetes ConfigMap mounts each file as one.
  if (!(await stat(file).catch(() => null))?.isFile()) return null;
  return readText(file, kind, r);
}

async function readText(file: string, kind: FileKind, r: Reader): Promise<FileText | null> {
  const abs = path.resolve(file);
  try {
    const text = await r.io.readText(abs);
    r.files.add(abs);
    return { file, abs, text };
  } catch (err) {
    r.problems.add({ file, line: 1, col: 1 }, `cannot read ${kind} file: ${ioReason(err)}`);
    return null;
  }
}

async function readFile(file: string, kind: FileKind, r: Reader): Promise<YamlSource | null> {
  const read = await readText(file, kind, r);
  return read === null ? null : parseConfigFile(read.file, read.abs, read.text, kind, r.problems);
}
