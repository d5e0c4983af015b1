// A throwaway config directory per test: routes/, policies/, functions.yaml.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ConfigFiles {
  /** routes/*.yaml: file name → YAML text. */
  readonly routes: Record<string, string>;
  readonly policies?: Record<string, string>;
  /** functions.yaml text (local backend). */
  readonly functions?: string;
}

export interface ConfigDir {
  readonly root: string;
  readonly routesDir: string;
  readonly policiesDir: string;
  readonly functionsFile: string;
  write(relative: string, text: string): void;
  remove(): void;
}

export function makeConfigDir(files: ConfigFiles): ConfigDir {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-test-'));
  const routesDir = path.join(root, 'routes');
  const policiesDir = path.join(root, 'policies');
  mkdirSync(routesDir);
  mkdirSync(policiesDir);
  const write = (relative: string, text: string): void => writeFileSync(path.join(root, relative), text);
  for (const [name, text] of Object.entries(files.routes)) write(`routes/${name}`, text);
  for (const [name, text] of Object.entries(files.policies ?? {})) write(`policies/${name}`, text);
  write('functions.yaml', files.functions ?? 'functions: {}\n');
  return { root, routesDir, policiesDir, functionsFile: path.join(root, 'functions.yaml'), write, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The repo's test function, as a functions.yaml `command`. */
export const TEST_FUNCTION = JSON.stringify(['node', path.resolve('test/support/functions/test-function.mjs')]);
