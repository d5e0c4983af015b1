// The fast way to read a config file: js-yaml, with the `yaml` package's core
// schema, and no syntax tree kept. Measured on 10,000 routes (1.6 MB in 20 files):
// yaml's parseDocument took 0.85 s and most of a 280 MB peak, js-yaml 0.06 s.
//
// It only reads plain data. Whatever could make the two parsers disagree sends the
// file down the full path instead (positions.ts), so a file means the same either
// way and every problem is still reported by yaml, at yaml's position:
// - js-yaml refuses it (a syntax error, a duplicate key, a second document);
// - anchors, aliases, tags, directives, explicit `?` keys, collections or nulls as
//   keys, a byte-order mark, a lone CR (found by the crude scan below: a false
//   alarm costs only time).
// test/unit/config/fast-yaml.test.ts holds the cases checked against yaml. Left
// over: a text js-yaml reads and yaml refuses (none known) is accepted, unless some
// problem in the file needs a position, which runs yaml and reports its errors.
import { load, type State } from 'js-yaml';
import { YAML_CORE_SCHEMA } from './yaml-core-schema.js';

/** Data, plus where the collections near the top start (route `i` of `routes:`). */
export interface FastYaml {
  readonly data: unknown;
  /** A map or list in `data` (at most four levels deep) → the offset of its first character. */
  readonly starts: ReadonlyMap<object, number>;
}

// `&a`, `*a`, `!tag` or `?` where a node may begin; `%` directives; `~:`, `null:` or
// `:` alone as a key; `[..]:` or `{..}:` keys; a BOM; a CR without its LF.
const NEEDS_FULL_PARSE = new RegExp(
  [
    String.raw`(?:^|[\s[\]{},])[&*!]`,
    String.raw`(?:^|[\s[{,])\?(?:\s|$)`,
    String.raw`^%`,
    String.raw`(?:^|[\s{,?])(?:~|null|Null|NULL)?[ \t]*:(?:[\s,\]}]|$)`,
    String.raw`[\]}][ \t]*:(?:\s|$)`,
    '\uFEFF',
    String.raw`\r(?!\n)`,
  ].join('|'),
  'm',
);

/** The data of `text`, or null when it must go through the full parser. */
export function fastYaml(text: string): FastYaml | null {
  if (NEEDS_FULL_PARSE.test(text)) return null;
  const recorder = new StartRecorder();
  let data: unknown;
  try {
    data = load(text, { schema: YAML_CORE_SCHEMA, onWarning: () => recorder.warned(), listener: (event, state) => recorder.on(event, state) });
  } catch {
    return null; // yaml says what is wrong, and where
  }
  // An empty document: yaml's loader turns it into {} itself (its own rule, kept in one place).
  if (recorder.hadWarning || data === undefined || data === null) return null;
  return { data, starts: recorder.starts };
}

/** Deep enough for an item of a top-level list, even in flow style (js-yaml nests those once more). */
const RECORDED_DEPTH = 4;

/**
 * js-yaml calls `open` as it begins a node and `close` when the node is built (its
 * result). A node is keyed by its result object: without aliases each is one node.
 * js-yaml may build a flow collection inside a wrapper node (it first tries it as a
 * block mapping's key, then keeps it), so the first close of an object — the
 * innermost node — is where it starts.
 */
class StartRecorder {
  readonly starts = new Map<object, number>();
  hadWarning = false;
  readonly #opened: number[] = [];

  on(event: 'open' | 'close', state: State): void {
    if (event === 'open') {
      this.#opened.push(state.position);
      return;
    }
    const depth = this.#opened.length;
    const openedAt = this.#opened.pop() ?? 0;
    const result: unknown = state.result;
    if (depth <= RECORDED_DEPTH && typeof result === 'object' && result !== null && !this.starts.has(result)) {
      this.starts.set(result, firstCharacter(state.input, openedAt));
    }
  }

  warned(): void {
    this.hadWarning = true;
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;

/** Past separating white space and comments: where yaml's node range begins. */
function firstCharacter(text: string, from: number): number {
  let at = from;
  for (;;) {
    const c = text.charCodeAt(at);
    if (isBreakOrSpace(c)) at++;
    else if (c === HASH && (at === 0 || isBreakOrSpace(text.charCodeAt(at - 1)))) at = skipLine(text, at);
    else return at;
  }
}

function isBreakOrSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

function skipLine(text: string, from: number): number {
  const lf = text.indexOf('\n', from);
  return lf === -1 ? text.length : lf;
}
