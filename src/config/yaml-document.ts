// The full parse: the `yaml` package's Document, which knows the source range of
// every node. The reference for what a file means and where its problems are;
// positions.ts uses it for every file the fast path declines, and builds it on
// demand for the others, when a problem needs a position the fast path lacks.
import { createRequire } from 'node:module';
import type { Document, LineCounter, Node } from 'yaml';
import type * as YamlModule from 'yaml';

/**
 * The `yaml` package, loaded on first use: 40 ms of every `gatehouse validate`
 * (measured) for a config whose files all took the fast path. Synchronous, as
 * position lookups are; the package ships a CommonJS build for require.
 */
const require = createRequire(import.meta.url);

function yaml(): typeof YamlModule {
  const loaded: typeof YamlModule = require('yaml');
  return loaded;
}

/** Keys and sequence indexes from the document root, as in a JSON pointer. */
export type Path = readonly (string | number)[];

/** 1-based, as yaml's LineCounter counts. */
export interface LineCol {
  readonly line: number;
  readonly col: number;
}

/** A syntax error or warning, where yaml found it. */
export interface YamlIssue extends LineCol {
  readonly message: string;
}

export type FullParse =
  | { readonly ok: true; readonly data: unknown; readonly locator: NodeLocator }
  | { readonly ok: false; readonly issues: readonly YamlIssue[] };

/** Where the nodes on a path start. */
export class NodeLocator {
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /** The value at `path`, else the nearest thing on the way that exists. */
  valueAt(path: Path): LineCol {
    const l = locate(this.#doc, path);
    return this.#lines.linePos(offsetOf(l.value ?? l.nearest));
  }

  /** The map key naming the last segment of `path` (an unknown key, a name). */
  keyAt(path: Path): LineCol {
    const l = locate(this.#doc, path);
    return this.#lines.linePos(offsetOf(l.key ?? l.value ?? l.nearest));
  }
}

/** Syntax errors and warnings make the data untrusted: the file gives issues only. */
export function parseFull(text: string): FullParse {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  // uniqueKeys: a duplicated key is an error, never a silent "last one wins".
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues = [...doc.errors, ...doc.warnings];
  if (issues.length > 0) return { ok: false, issues: issues.map((e) => ({ ...lines.linePos(e.pos[0]), message: e.message.split('\n')[0] ?? e.message })) };
  try {
    // An empty (or comments-only) file is an empty map: fine for policies, and
    // "missing required key" for the kinds that need one.
    const data: unknown = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 100 });
    return { ok: true, data, locator: new NodeLocator(doc, lines) };
  } catch (err) {
    // toJS throws on alias bombs ("Excessive alias count") and similar.
    return { ok: false, issues: [{ line: 1, col: 1, message: err instanceof Error ? err.message : String(err) }] };
  }
}

interface Located {
  readonly value: Node | null;
  readonly key: Node | null;
  /** The deepest node on the path that exists (for a path that runs off the tree). */
  readonly nearest: Node | null;
}

function offsetOf(node: Node | null): number {
  return node?.range?.[0] ?? 0;
}

function locate(doc: Document, path: Path): Located {
  const { isAlias, isNode } = yaml();
  let node: unknown = doc.contents;
  let key: Node | null = null;
  let nearest: Node | null = isNode(node) ? node : null;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    const step = child(node, seg);
    if (step === null) return { value: null, key: null, nearest };
    node = step.node;
    key = step.key;
    if (hasSource(node)) nearest = node;
    else if (key) nearest = key;
  }
  return { value: hasSource(node) ? node : null, key, nearest };
}

/**
 * A node that occupies source text. An empty value (`match:` and nothing) is a
 * null scalar of zero width placed after the colon; the key is a better place to point.
 */
function hasSource(node: unknown): node is Node {
  return yaml().isNode(node) && node.range !== undefined && node.range !== null && node.range[1] > node.range[0];
}

function child(node: unknown, seg: string | number): { node: unknown; key: Node | null } | null {
  const { isMap, isNode, isSeq } = yaml();
  if (isMap(node)) {
    const pair = node.items.find((p) => keyText(p.key) === String(seg));
    if (!pair) return null;
    return { node: pair.value, key: isNode(pair.key) ? pair.key : null };
  }
  if (isSeq(node)) {
    const item: unknown = node.items[Number(seg)];
    return item === undefined ? null : { node: item, key: null };
  }
  return null;
}

function keyText(key: unknown): string {
  return yaml().isScalar(key) ? String(key.value) : String(key);
}
