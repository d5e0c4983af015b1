// Config problems: collected whole (every problem, not the first) and printed as
// `FILE:LINE:COL: message`, the line `gatehouse validate` prints (SPEC §1).
import type { ConfigProblem, SourcePosition } from './types.js';

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** By file, then line, then column; ties keep the order they were found in. */
export function compareProblems(a: ConfigProblem, b: ConfigProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col;
}

/** Collects problems during one load; shared by every file of that load. */
export class ProblemList {
  readonly #items: ConfigProblem[] = [];

  add(at: SourcePosition, message: string): void {
    // A file read twice (a keysFile placed directly in the policies directory)
    // would otherwise report its syntax errors twice.
    if (this.#items.some((p) => p.file === at.file && p.line === at.line && p.col === at.col && p.message === message)) return;
    this.#items.push({ file: at.file, line: at.line, col: at.col, message });
  }

  get count(): number {
    return this.#items.length;
  }

  /** A sorted copy (Array.prototype.sort is stable, so ties keep discovery order). */
  sorted(): readonly ConfigProblem[] {
    return [...this.#items].sort(compareProblems);
  }
}
