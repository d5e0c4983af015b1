// The fast parse (js-yaml with yaml's core schema) must mean what yaml means: for
// every text it accepts, yaml accepts it too, with equal data, and each recorded
// item start is yaml's position of that item. What it cannot promise, it declines.
import assert from 'node:assert/strict';
import { fastYaml } from '../../../src/config/fast-yaml.js';
import { parseYaml } from '../../../src/config/positions.js';
import { ProblemList } from '../../../src/config/problems.js';
import { parseFull } from '../../../src/config/yaml-document.js';

const SCALARS = [
  '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n',
  '0', '-0', '+0', '-1', '+1', '007', '00', '0o17', '0o8', '0x1F', '0X1F', '0x', '+0x1F', '-0x1F', '0b101', '1_000',
  '1e3', '1E3', '1e+3', '1.5e-3', '.5', '+.5', '-.5', '5.', '-.5e3', '0e0', '1.0', '.inf', '-.inf', '+.inf', '.Inf',
  '.INF', '.nan', '.NaN', '.NAN', 'nan', 'inf', 'Infinity', '2001-12-14', '12:30:00', '1:30', '<<', '=', '0.1.2',
  '1,000', '30s', '10MiB', '123456789012345678901234567890', "'quoted'", '"dq"', '"\\u00e9\\t"', "'it''s'", 'a b  c',
];

const DOCUMENTS = [
  ...SCALARS.map((s) => `v: ${s}\n`),
  ...SCALARS.map((s) => `[${s}]\n`),
  'routes:\n  - name: a\n  - { name: b }\n  -   name: c\n',
  'routes:\n  - # a comment\n    name: a\n  -\n    name: b\n',
  'routes:\n- name: a\n- name: b\n',
  'routes: [{ name: a }, { name: b }]\n',
  'routes: [{ name: a }]\n',
  'routes: [ [a], {b: c} ]\n',
  '{ routes: [{ name: a }] }\n',
  'routes:\n  - [a]\n  - {b: c}\n  -  # c\n    [d]\n  - x: [y]\n',
  'routes: [a, b: 1]\n',
  'routes:\n  -\n  - name: b\n',
  'routes:\n  - - nested\n  - [x]\n',
  'routes:\r\n  - name: a\r\n  - name: b\r\n',
  'a: |\n  line\n  line\nb: >-\n  folded\n  text\nc: "multi\n  line"\nroutes:\n  - x: 1\n',
  'a: b#c\nd: e # comment\n',
  '__proto__: 1\nconstructor: 2\n',
  '"1": a\n1: b\n',
  '1: a\n1.0: b\n',
  'a: 1\na: 2\n',
  'a:\n  b: 1\n c: 2\n',
  'a: b: c\n',
  'a:\n\t- b\n',
  'a: [1, 2\n',
  'a: "unterminated\n',
  'a: 1\n---\nb: 2\n',
  '---\na: 1\n...\n',
  '---\n',
  '',
  '# only a comment\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: !local x\n',
  '%YAML 1.1\n---\na: yes\n',
  '? a\n: b\n',
  '~: 1\n',
  'null: 1\n',
  ': 1\n',
  '[a]: 1\n',
  '{a: 1}: 2\n',
  '\uFEFFa: 1\n',
  'a: 1\rb: 2\n',
  'a:    \n  - 1\n',
  'a: { b: [1, {c: d}], e: "f" }\n',
  'a:\n- 1\n- 2\n',
  'key with spaces: v\n"quoted key": v\n',
  'a: -\n',
  'a: - b\n',
  "a: 'x'y\n",
  'a: "x"y\n',
  'a: [b]c\n',
  'a: {b: c}d\n',
  'a:\n  - b\n  c: d\n',
  'a: b\n  c: d\n',
  'a: b\n c\n',
  '- a\nb: c\n',
  'a: 1 # c\n# c\n  # c\nb: 2\n',
  'a: "x\\qy"\n',
  "a: '\\n'\n",
  'a: x\u00a0y\n',
  'a: `b`\n',
  'a: @b\n',
  'a: %b\n',
  'a: |2\n   x\n',
  'a: |-\n\n  x\n\n',
  'a: >\n\n  x\n\n  y\n',
];

describe('fast YAML parse', () => {
  for (const text of DOCUMENTS) {
    it(`means what yaml means: ${JSON.stringify(text)}`, () => {
      const fast = fastYaml(text);
      if (fast === null) return; // declined: the full parse decides, as before
      const full = parseFull(text);
      assert.ok(full.ok, `yaml refuses what js-yaml read: ${JSON.stringify(full.ok ? null : full.issues)}`);
      assert.deepStrictEqual(fast.data, full.data);
      // Every item of every top-level list is placed where yaml places it.
      const sourced = parseYaml('f.yaml', '/f.yaml', text, new ProblemList());
      if (typeof fast.data !== 'object' || Array.isArray(fast.data)) return;
      for (const [name, list] of Object.entries(fast.data as Record<string, unknown>)) {
        if (!Array.isArray(list)) continue;
        list.forEach((_, i) => assert.deepEqual(sourced?.at([name, i]), { file: 'f.yaml', ...full.locator.valueAt([name, i]) }, `${name}[${i}]`));
      }
    });
  }

  for (const text of ['a: &x 1\nb: *x\n', 'a: !!str 1\n', '%YAML 1.1\n---\na: yes\n', '? a\n: b\n', '~: 1\n', '\uFEFFa: 1\n', 'a: 1\rb: 2\n', 'a: 1\na: 2\n']) {
    it(`declines what it cannot promise: ${JSON.stringify(text)}`, () => assert.equal(fastYaml(text), null));
  }

  it('records where each route of a routes file starts, block or flow', () => {
    const fast = fastYaml('routes:\n  - name: a\n  - { name: b }\nmore: [{ x: 1 }]\n');
    assert.ok(fast !== null);
    const data = fast.data as { routes: object[]; more: object[] };
    assert.deepEqual([...data.routes, ...data.more].map((item) => fast.starts.get(item)), [12, 24, 43]);
  });
});
