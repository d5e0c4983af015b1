// 10,000 routes in 20 files (test/support/route-corpus.ts): loading stays exact
// at scale. The fast parse places only each route's start; every other position
// comes from yaml's Document, built for the one file that needs it — so a problem
// in the 9,999th route is reported where it is, as in a file of one route.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { formatProblem } from '../../../src/config/problems.js';
import { parseFull } from '../../../src/config/yaml-document.js';
import { compileRouteTable } from '../../../src/routing/table.js';
import { writeRouteCorpus, type RouteCorpus } from '../../support/route-corpus.js';

const ROUTES = 10_000;

describe('config loading with 10,000 routes', function () {
  this.timeout(30_000);
  const corpora: RouteCorpus[] = [];
  const corpus = (options: { brokenTimeoutAt?: number } = {}): RouteCorpus => {
    const made = writeRouteCorpus({ routes: ROUTES, ...options });
    corpora.push(made);
    return made;
  };
  afterEach(() => {
    for (const made of corpora.splice(0)) made.remove();
  });
  const load = (c: RouteCorpus) => loadConfig({ routesDir: c.routesDir, policiesDir: c.policiesDir, functionsFile: c.functionsFile });

  it('loads every route, with the position of each, and compiles the table', async () => {
    const c = corpus();
    const result = await load(c);
    assert.ok(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
    assert.equal(result.config.routes.length, ROUTES);
    const last = result.config.routes.at(-1);
    assert.equal(last?.name, `route-${ROUTES - 1}`);
    const lastFile = path.join(c.routesDir, 'routes-019.yaml');
    const line = readFileSync(lastFile, 'utf8').split('\n').indexOf(`  - name: route-${ROUTES - 1}`) + 1;
    assert.deepEqual(last?.position, { file: lastFile, line, col: 5 });
    // Every route of the first and the last file where yaml's Document places it.
    const routes = result.config.routes;
    for (const name of ['routes-000.yaml', 'routes-019.yaml']) {
      const file = path.join(c.routesDir, name);
      const full = parseFull(readFileSync(file, 'utf8'));
      assert.ok(full.ok);
      const inFile = routes.filter((r) => r.position.file === file);
      assert.equal(inFile.length, 500);
      inFile.forEach((r, i) => assert.deepEqual(r.position, { file, ...full.locator.valueAt(['routes', i]) }, r.name));
    }
    const table = compileRouteTable(result.config.routes);
    assert.ok(table.ok);
    assert.equal(table.table.routes.length, ROUTES);
  });

  it('reports a problem in the 9,999th route at its line and column', async () => {
    const c = corpus({ brokenTimeoutAt: 9_998 });
    const result = await load(c);
    assert.ok(!result.ok);
    const at = c.brokenAt;
    assert.ok(at !== null);
    assert.deepEqual(result.problems.map(formatProblem), [`${at.file}:${at.line}:${at.col}: timeout "soon" is not a duration (expected e.g. 250ms, 30s, 5m, 1h, 1d)`]);
  });

  it('places a duplicate name in the last file and its first definition in the first', async () => {
    const c = corpus();
    const extra = path.join(c.routesDir, 'zz-extra.yaml');
    writeFileSync(extra, 'routes:\n  - name: route-0\n    match: { path: /extra }\n    upstream: http://127.0.0.1:9/\n    auth: public\n');
    const result = await load(c);
    assert.ok(!result.ok);
    const first = path.join(c.routesDir, 'routes-000.yaml');
    assert.deepEqual(result.problems.map(formatProblem), [`${extra}:2:11: duplicate route name "route-0" (first defined at ${first}:3:11)`]);
  });
});
