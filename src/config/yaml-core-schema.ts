// The YAML 1.2 core schema exactly as the `yaml` package resolves it
// (yaml/dist/schema/core: the same tests, in the same order, the same
// conversions), written as js-yaml types. js-yaml's own CORE_SCHEMA differs at
// the edges (`0b101` and `+0x1F` are numbers there, `+.5` and `-.5e3` strings), and
// a value must not change its type depending on which parser read the file.
import { FAILSAFE_SCHEMA, Type, type Schema } from 'js-yaml';

/**
 * One js-yaml type per tag (js-yaml keeps only the last type of a tag), its forms
 * tried in yaml's order. `starts` holds every character a form can begin with: every
 * plain scalar is offered to every type, and most (names, paths) begin with none.
 */
function scalar(tag: string, starts: string, forms: readonly (readonly [RegExp, (text: string) => unknown])[]): Type {
  const formOf = (text: unknown) => (typeof text === 'string' && starts.includes(text.charAt(0)) ? forms.find(([test]) => test.test(text)) : undefined);
  return new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (text: unknown) => formOf(text) !== undefined,
    construct: (text: string) => formOf(text)?.[1](text),
  });
}

const integer = (from: number, radix: number) => (text: string): number => parseInt(text.substring(from), radix);

const nonFinite = (text: string): number => {
  if (text.slice(-3).toLowerCase() === 'nan') return NaN;
  return text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
};

export const YAML_CORE_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', '~nN', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar('bool', 'tTfF', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === 't' || text[0] === 'T']]),
    scalar('int', '0123456789+-', [
      [/^0o[0-7]+$/, integer(2, 8)],
      [/^[-+]?[0-9]+$/, integer(0, 10)],
      [/^0x[0-9a-fA-F]+$/, integer(2, 16)],
    ]),
    scalar('float', '0123456789+-.', [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, nonFinite],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, parseFloat],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, parseFloat],
    ]),
  ],
});
