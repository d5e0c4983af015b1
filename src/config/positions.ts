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

/** Stands in for a file yaml refused after js-yaml read it: its problems say why. */
const UNPLACED: Locator = {
  valueAt: () => ({ line: 1, col: 1 }),
  keyAt: () => ({ line: 1, col: 1 }),
};

/**
 * Where things are in one file, apart from its data: a file's data can go once its
 * routes are built, while an earlier route name can still be placed for a later
 * duplicate. Holds the text until yaml's Document is first needed, then the Document.
 */
export class FilePositions {
  #text: string | null;
  #locator: Locator | null;
  #lineStarts: readonly number[] | null = null;
  readonly #problems: ProblemList;

  constructor(
    /** As displayed in problems: the directory as given joined with the name. */
    readonly file: string,
    source: { readonly text: string } | { readonly locator: NodeLocator },
    problems: ProblemList,
  ) {
    this.#text = 'text' in source ? source.text : null;
    this.#locator = 'locator' in source ? source.locator : null;
    this.#problems = problems;
  }

  /** The value at `path`, else the nearest thing on the way that exists. */
  value(path: Path): SourcePosition {
    return { file: this.file, ...this.#located().valueAt(path) };
  }

  /** The map key naming the last segment of `path` (an unknown key, a name). */
  key(path: Path): SourcePosition {
    return { file: this.file, ...this.#located().keyAt(path) };
  }

  /** An offset the fast parse recorded, counted as yaml's LineCounter counts (after each LF; the fast path has no lone CR). */
  offset(offset: number): SourcePosition | null {
    if (this.#text === null) return null;
    this.#lineStarts ??= lineStarts(this.#text);
    const starts = this.#lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { file: this.file, line: low + 1, col: offset - starts[low]! + 1 };
  }

  #located(): Locator {
    if (this.#locator !== null) return this.#locator;
    const full = parseFull(this.#text ?? '');
    if (!full.ok) {
      // js-yaml read what yaml refuses: yaml's word is the reference, so the file fails
      // as it always did. (Only reached when some problem needs a position.)
      for (const issue of full.issues) this.#problems.add({ file: this.file, line: issue.line, col: issue.col }, issue.message);
    }
    this.#locator = full.ok ? full.locator : UNPLACED;
    this.#text = null; // offsets are answered by the Document from now on
    return this.#locator;
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', lf + 1)) starts.push(lf + 1);
  return starts;
}

export class YamlSource {
  readonly positions: FilePositions;
  /** Where the fast parse saw each collection near the top begin (none after a full parse). */
  readonly #starts: ReadonlyMap<object, number>;
  readonly #problems: ProblemList;
  /** Pointers of every path at or above a schema error: isClean is one lookup. */
  readonly #tainted = new Set<string>();

  constructor(
    readonly absFile: string,
    readonly data: unknown,
    positions: FilePositions,
    starts: ReadonlyMap<object, number>,
    problems: ProblemList,
  ) {
    this.positions = positions;
    this.#starts = starts;
    this.#problems = problems;
  }

  /** As displayed in problems: the directory as given joined with the name. */
  get file(): string {
    return this.positions.file;
  }

  /** Position of the value at `path`, else of the nearest thing that exists. */
  at(path: Path): SourcePosition {
    return this.#itemStart(path) ?? this.positions.value(path);
  }

  /** Position of the map key naming the last segment of `path` (an unknown key, a name). */
  keyAt(path: Path): SourcePosition {
    return this.positions.key(path);
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
    if (path.length !== 2 || this.#starts.size === 0) return null;
    const [name, index] = path;
    const list = typeof name === 'string' && isRecord(this.data) ? this.data[name] : undefined;
    const item: unknown = Array.isArray(list) && typeof index === 'number' ? list[index] : undefined;
    const offset = typeof item === 'object' && item !== null ? this.#starts.get(item) : undefined;
    return offset === undefined ? null : this.positions.offset(offset);
  }
}

/**
 * `spec` with `position`, the position of the map key at `at`, resolved when
 * first read. A policy's or a function's key is deeper than what the fast parse records,
 * so reading it builds yaml's Document for the file: nothing reads it unless a
 * problem does, and then a gateway that never meets one never loads yaml (~1.6 MB
 * of idle RSS, ~40 ms of start-up, measured). deepFreeze leaves accessors unread.
 */
export function withKeyPosition<T extends { readonly position: SourcePosition }>(spec: Omit<T, 'position'>, src: YamlSource, at: Path): T {
  const positions = src.positions;
  let found: SourcePosition | undefined;
  Object.defineProperty(spec, 'position', { enumerable: true, get: () => (found ??= positions.key(at)) });
  return spec as T; // the one property Omit took away is defined just above
}

export function pointer(path: Path): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

const NO_STARTS: ReadonlyMap<object, number> = new Map();

/**
 * Parse `text`; YAML syntax errors and warnings are reported at their own
 * positions and give null (the data of a broken document is not trusted).
 */
export function parseYaml(file: string, absFile: string, text: string, problems: ProblemList): YamlSource | null {
  const fast = fastYaml(text);
  if (fast !== null) return new YamlSource(absFile, fast.data, new FilePositions(file, { text }, problems), fast.starts, problems);
  const full = parseFull(text);
  if (!full.ok) {
    for (const issue of full.issues) problems.add({ file, line: issue.line, col: issue.col }, issue.message);
    return null;
  }
  return new YamlSource(absFile, full.data, new FilePositions(file, { locator: full.locator }, problems), NO_STARTS, problems);
}
