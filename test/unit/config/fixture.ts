// A fresh config tree per test: write files, load them, read problems as the
// `FILE:LINE:COL: message` lines `gatehouse validate` prints, relative to the tree.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NamespaceScope } from '../../../src/config/function-namespaces.js';
import { nodeConfigIo } from '../../../src/config/io.js';
import type { ConfigIo } from '../../../src/config/io.js';
import { loadConfig } from '../../../src/config/load.js';
import { formatProblem } from '../../../src/config/problems.js';
import type { GatewayConfig, LoadResult } from '../../../src/config/types.js';

export interface LoadOptions {
  /** Load `functions.yaml` from the tree, as the local backend does (default: no functions file). */
  readonly functions?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** The Kubernetes backend's `--namespace` (absent: the local backend's rules). */
  readonly namespaces?: NamespaceScope;
}

export class ConfigTree {
  constructor(readonly root: string) {
    fs.mkdirSync(path.join(root, 'routes'));
    fs.mkdirSync(path.join(root, 'policies'));
  }

  /** Write `text` (common indentation removed) to `rel`, creating folders. */
  write(rel: string, text: string): this {
    const file = path.join(this.root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, dedent(text));
    return this;
  }

  path(rel: string): string {
    return path.join(this.root, rel);
  }

  async load(opts: LoadOptions = {}): Promise<LoadResult> {
    const io: ConfigIo = { ...nodeConfigIo(), env: opts.env ?? {}, cwd: this.root };
    const functionsFile = opts.functions === true ? this.path('functions.yaml') : null;
    return loadConfig({ routesDir: this.path('routes'), policiesDir: this.path('policies'), functionsFile, namespaces: opts.namespaces }, io);
  }

  /** Problems as printed, with the tree's root cut off every path. */
  async problems(opts: LoadOptions = {}): Promise<string[]> {
    const result = await this.load(opts);
    if (result.ok) return [];
    return result.problems.map((p) => formatProblem(p).replaceAll(this.root + path.sep, ''));
  }

  async config(opts: LoadOptions = {}): Promise<GatewayConfig> {
    const result = await this.load(opts);
    if (!result.ok) throw new Error(`expected a valid config:\n${result.problems.map(formatProblem).join('\n')}`);
    return result.config;
  }
}

/** One fresh temporary tree per test, removed after it. */
export function useConfigTree(): () => ConfigTree {
  let tree: ConfigTree | undefined;
  beforeEach(() => {
    tree = new ConfigTree(fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-config-')));
  });
  afterEach(() => {
    if (tree) fs.rmSync(tree.root, { recursive: true, force: true });
  });
  return () => {
    if (!tree) throw new Error('useConfigTree() is only usable inside a test');
    return tree;
  };
}

export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = Math.min(...indents, Infinity);
  return lines.map((l) => l.slice(cut)).join('\n').replace(/[ ]+$/, '');
}

/** A minimal valid route, for tests about something else. */
export const PUBLIC_ROUTE = `
  routes:
    - name: ping
      match: { path: /ping }
      upstream: http://127.0.0.1:9000
      auth: public
`;
