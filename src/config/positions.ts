// A parsed YAML file that can answer "where is this value?" for any path into its
// data, so every problem points at the node at fault (SPEC §1: `FILE:LINE:COL`).
import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { ProblemList } from './problems.js';
import type { SourcePosition } from './types.js';

/** Keys and sequence indexes from the document root, as in a JSON pointer. */
export type Path = readonly (string | number)[];

interface Located {
  readonly value: Node | null;
  readonly key: Node | null;
  /** The deepest node on the path that exists (for a path that runs off the tree). */
  readonly nearest: Node | null;
}

export class YamlSource {
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #problems: ProblemList;
  readonly #dirty = new Set<string>();

  constructor(
    /** As displayed in problems: the directory as given joined with the name. */
    readonly file: string,
    readonly absFile: string,
    readonly data: unknown,
    doc: Document,
    lines: LineCounter,
    problems: ProblemList,
  ) {
    this.#doc = doc;
    this.#lines = lines;
    this.#problems = problems;
  }

  /** Position of the value at `path`, else of the nearest thing that exists. */
  at(path: Path): SourcePosition {
    const l = locate(this.#doc, path);
    return this.#position(l.value ?? l.nearest);
  }

  /** Position of the map key naming the last segment of `path` (an unknown key, a name). */
  keyAt(path: Path): SourcePosition {
    const l = locate(this.#doc, path);
    return this.#position(l.key ?? l.value ?? l.nearest);
  }

  report(path: Path, message: string): void {
    this.#problems.add(this.at(path), message);
  }

  reportKey(path: Path, message: string): void {
    this.#problems.add(this.keyAt(path), message);
  }

  /** Schema validation found a structural error at (or under) `path`. */
  markDirty(path: Path): void {
    this.#dirty.add(pointer(path));
  }

  /**
   * True when nothing at or under `path` failed the schema, so the semantic pass
   * may trust the value's shape. Unknown keys don't count: they change no type.
   */
  isClean(path: Path): boolean {
    const p = pointer(path);
    for (const d of this.#dirty) if (d === p || d.startsWith(`${p}/`)) return false;
    return true;
  }

  #position(node: Node | null): SourcePosition {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.#lines.linePos(offset);
    return { file: this.file, line, col };
  }
}

export function pointer(path: Path): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Parse `text`; YAML syntax errors and warnings are reported at their own
 * positions and give null (the data of a broken document is not trusted).
 */
export function parseYaml(file: string, absFile: string, text: string, problems: ProblemList): YamlSource | null {
  const lines = new LineCounter();
  // uniqueKeys: a duplicated key is an error, never a silent "last one wins".
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues = [...doc.errors, ...doc.warnings];
  for (const e of issues) {
    const { line, col } = lines.linePos(e.pos[0]);
    problems.add({ file, line, col }, e.message.split('\n')[0] ?? e.message);
  }
  if (issues.length > 0) return null;
  let data: unknown;
  try {
    // An empty (or comments-only) file is an empty map: fine for policies, and
    // "missing required key" for the kinds that need one.
    data = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // toJS throws on alias bombs ("Excessive alias count") and similar.
    problems.add({ file, line: 1, col: 1 }, err instanceof Error ? err.message : String(err));
    return null;
  }
  return new YamlSource(file, absFile, data, doc, lines, problems);
}

function locate(doc: Document, path: Path): Located {
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
  return isNode(node) && node.range !== undefined && node.range !== null && node.range[1] > node.range[0];
}

function child(node: unknown, seg: string | number): { node: unknown; key: Node | null } | null {
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
  return isScalar(key) ? String(key.value) : String(key);
}
