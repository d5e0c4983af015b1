// A parsed YAML file that can answer "where is this value?" for any path into its
// data, so every problem points at the node at fault (SPEC §1: `FILE:LINE:COL`).
//
// Two ways in (measured on 10,000 routes, `gatehouse validate`): yaml's Document
// knows every node's position but took 0.85 s and most of a 280 MB peak to build;
// js-yaml builds the data alone in 0.06 s (fast-yaml.ts). A valid config needs only
// one position per route (where it starts), which the fast parse records; any other
// position (a problem's) comes from yaml's Document, built for that file on first
// need, so every reported position is exactly yaml's.
import { fastYaml } from './fast-yaml.js';
import type { ProblemList } from './problems.js';
import { isRecord } from './raw.js';
import type { SourcePosition } from './types.js';
import { parseFull, type LineCol, type NodeLocator, type Path } from './yaml-document.js';

export type { Path } from './yaml-document.js';

/** What answers positions: yaml's Document (or, for a file yaml refused late, a stand-in). */
type Locator = Pick<NodeLocator, 'valueAt' | 'keyAt'>;

type Located =
  | { readonly kind: 'full'; readonly locator: Locator }
  /** The fast parse: item starts now, yaml's Document from `text` when first needed. */
  | { readonly kind: 'fast'; readonly text: string; readonly starts: ReadonlyMap<object, number> };

export class YamlSource {
  #located: Located;
  readonly #problems: ProblemList;
  /** Pointers of every path at or above a schema error: isClean is one lookup. */
  readonly #tainted = new Set<string>();
  #lineStarts: readonly number[] | null = null;

  constructor(
    /** As displayed in problems: the directory as given joined with the name. */
    readonly file: string,
    readonly absFile: string,
    readonly data: unknown,
    located: Located,
    problems: ProblemList,
  ) {
    this.#located = located;
    this.#problems = problems;
  }

  /** Position of the value at `path`, else of the nearest thing that exists. */
  at(path: Path): SourcePosition {
    return this.#itemStart(path) ?? { file: this.file, ...this.#locator().valueAt(path) };
  }

  /** Position of the map key naming the last segment of `path` (an unknown key, a name). */
  keyAt(path: Path): SourcePosition {
    return { file: this.file, ...this.#locator().keyAt(path) };
  }

  report(path: Path, message: string): void {
    this.#problems.add(this.at(path), message);
  }

  reportKey(path: Path, message: string): void {
    this.#problems.add(this.keyAt(path), message);
  }

  /** Schema validation found a structural error at (or under) `path`. */
  markDirty(path: Path): void {
    for (let n = 0; n <= path.length; n++) this.#tainted.add(pointer(path.slice(0, n)));
  }

  /**
   * True when nothing at or under `path` failed the schema, so the semantic pass
   * may trust the value's shape. Unknown keys don't count: they change no type.
   */
  isClean(path: Path): boolean {
    return this.#tainted.size === 0 || !this.#tainted.has(pointer(path));
  }

  /** `[list, i]`, item i of a top-level list, when the fast parse recorded where it starts. */
  #itemStart(path: Path): SourcePosition | null {
    if (this.#located.kind !== 'fast' || path.length !== 2) return null;
    const [name, index] = path;
    const list = typeof name === 'string' && isRecord(this.data) ? this.data[name] : undefined;
    const item: unknown = Array.isArray(list) && typeof index === 'number' ? list[index] : undefined;
    const offset = typeof item === 'object' && item !== null ? this.#located.starts.get(item) : undefined;
    if (offset === undefined) return null;
    return { file: this.file, ...this.#linePos(this.#located.text, offset) };
  }

  #locator(): Locator {
    if (this.#located.kind === 'full') return this.#located.locator;
    const full = parseFull(this.#located.text);
    if (!full.ok) {
      // js-yaml read what yaml refuses: yaml's word is the reference, so the file fails
      // as it always did. (Only reached when some problem needs a position.)
      for (const issue of full.issues) this.#problems.add({ file: this.file, line: issue.line, col: issue.col }, issue.message);
    }
    this.#located = { kind: 'full', locator: full.ok ? full.locator : UNPLACED };
    return this.#located.locator;
  }

  /** As yaml's LineCounter: a line starts after each LF (the fast path has no lone CR). */
  #linePos(text: string, offset: number): LineCol {
    this.#lineStarts ??= lineStarts(text);
    const starts = this.#lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - starts[low]! + 1 };
  }
}

/** Stands in for a file yaml refused after js-yaml read it: its problems say why. */
const UNPLACED: Locator = {
  valueAt: () => ({ line: 1, col: 1 }),
  keyAt: () => ({ line: 1, col: 1 }),
};

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', lf + 1)) starts.push(lf + 1);
  return starts;
}

export function pointer(path: Path): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Parse `text`; YAML syntax errors and warnings are reported at their own
 * positions and give null (the data of a broken document is not trusted).
 */
export function parseYaml(file: string, absFile: string, text: string, problems: ProblemList): YamlSource | null {
  const fast = fastYaml(text);
  if (fast !== null) return new YamlSource(file, absFile, fast.data, { kind: 'fast', text, starts: fast.starts }, problems);
  const full = parseFull(text);
  if (!full.ok) {
    for (const issue of full.issues) problems.add({ file, line: issue.line, col: issue.col }, issue.message);
    return null;
  }
  return new YamlSource(file, absFile, full.data, { kind: 'full', locator: full.locator }, problems);
}
