import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { PUBLIC_ROUTE, useConfigTree } from './fixture.js';

describe('config loading', () => {
  const tree = useConfigTree();

  describe('directories and files', () => {
    it('reports a missing routes or policies directory at DIR:1:1', async () => {
      fs.rmSync(tree().path('routes'), { recursive: true });
      fs.rmSync(tree().path('policies'), { recursive: true });
      assert.deepEqual(await tree().problems(), [
        'policies:1:1: cannot read policies directory: no such file',
        'routes:1:1: cannot read routes directory: no such file',
      ]);
    });

    it('accepts an empty policies directory and an empty policy file', async () => {
      tree().write('routes/r.yaml', PUBLIC_ROUTE).write('policies/empty.yaml', '# nothing yet\n');
      assert.equal((await tree().config()).routes.length, 1);
    });

    it('keeps file paths relative when the directories were given relative', async () => {
      tree().write('routes/a.yaml', 'routes:\n  - { name: a }\n');
      const rel = path.relative(process.cwd(), tree().root);
      const result = await loadConfig({ routesDir: path.join(rel, 'routes'), policiesDir: path.join(rel, 'policies'), functionsFile: null });
      assert.ok(!result.ok);
      assert.deepEqual(result.problems.map((p) => p.file), [path.join(rel, 'routes', 'a.yaml'), path.join(rel, 'routes', 'a.yaml')]);
    });

    it('reports a YAML syntax error at its position, and the other files still', async () => {
      tree().write('routes/a.yaml', 'routes:\n  - name: a\n    name: b\n');
      tree().write('routes/b.yaml', 'routes:\n  - name: "b\n');
      tree().write('routes/c.yaml', 'routes:\n  - { name: c }\n');
      assert.deepEqual(await tree().problems(), [
        'routes/a.yaml:3:5: Map keys must be unique',
        'routes/b.yaml:3:1: Missing closing "quote',
        'routes/c.yaml:2:5: missing required key "match"',
        'routes/c.yaml:2:5: missing required key "auth"',
      ]);
    });

    it('requires routes: in a routes file, even an empty one', async () => {
      tree().write('routes/a.yaml', '');
      assert.deepEqual(await tree().problems(), ['routes/a.yaml:1:1: missing required key "routes"']);
    });

    it('reports every problem across files, sorted by file, line and column', async () => {
      tree().write('routes/b.yaml', 'routes:\n  - { name: b, match: { path: b }, auth: nope, upstream: http://u }\n');
      tree().write('policies/a.yaml', 'cors:\n  c: { origins: [] }\n');
      assert.deepEqual(await tree().problems(), [
        'policies/a.yaml:2:17: origins must not be empty',
        'routes/b.yaml:2:31: path "b" must start with /',
        'routes/b.yaml:2:42: unknown auth policy "nope"',
      ]);
    });
  });
});
