// The loader's view of the outside world, passed in so that tests can give a
// fixed environment and the semantic passes stay free of globals (STYLE rule 12).
import { readFile, stat } from 'node:fs/promises';
import type { ProblemList } from './problems.js';
import type { KnownNames } from './routes.js';
import { parseYaml } from './positions.js';
import type { YamlSource } from './positions.js';
import { checkSchema } from './schema-errors.js';
import type { FileKind } from './schema.js';

export interface ConfigIo {
  /** Rejects (ENOENT, EACCES, EISDIR...) when the file cannot be read. */
  readText(absPath: string): Promise<string>;
  isDirectory(absPath: string): Promise<boolean>;
  /** Where `secretEnv` variables are looked up. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** What a function's relative `cwd` resolves against. */
  readonly cwd: string;
}

export function nodeConfigIo(): ConfigIo {
  return {
    readText: (p) => readFile(p, 'utf8'),
    isDirectory: async (p) => (await stat(p).catch(() => null))?.isDirectory() ?? false,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** What every semantic pass of one load shares. */
export interface CompileContext {
  readonly io: ConfigIo;
  readonly names: KnownNames;
  readonly problems: ProblemList;
  /** Absolute paths of every file read, for the reload watcher. */
  readonly files: Set<string>;
}

/** Parse one file and check it against its schema; null on a YAML syntax error. */
export function parseConfigFile(file: string, absFile: string, text: string, kind: FileKind, problems: ProblemList): YamlSource | null {
  const src = parseYaml(file, absFile, text, problems);
  if (src !== null) checkSchema(src, kind);
  return src;
}

/** The reason in a file-system error, without Node's "ENOENT: ..., open '/x'" noise. */
export function ioReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'not a directory';
  return err instanceof Error ? err.message : String(err);
}
