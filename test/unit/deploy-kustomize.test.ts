// deploy/kubernetes rendered for real by `kubectl kustomize`, as `kubectl apply
// -k` would send it, and checked by kustomizationProblems(); then copies of it,
// each broken one way, to show that the same check catches what the manifest
// files alone cannot show. kubectl comes from npm test's pretest (as root with
// apt-get) or by hand: without it these tests fail, saying how to install it.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { GATEWAY_IMAGE, kustomizationProblems, renderKustomization } from '../support/kustomize-check.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)); // from build/test/unit/
const DEPLOY = path.join(REPO, 'deploy/kubernetes');

describe('deploy/kubernetes rendered by kubectl kustomize', () => {
  it('renders, and every rendered object passes its schema and what the gateway needs', async () => {
    assert.deepEqual(await kustomizationProblems(DEPLOY), []);
  });

  it('renders every object of the manifest files, plus one hashed ConfigMap per configMapGenerator', async () => {
    const listed = readdirSync(DEPLOY)
      .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
      .flatMap((f) => parseAllDocuments(readFileSync(path.join(DEPLOY, f), 'utf8')))
      .map((doc) => doc.toJS() as { kind?: string; metadata?: { name?: string } } | null)
      .flatMap((o) => (o?.kind ? [`${o.kind}/${o.metadata?.name}`] : []));
    const kustomization = parseYaml(readFileSync(path.join(DEPLOY, 'kustomization.yaml'), 'utf8')) as { configMapGenerator?: { name: string }[] };
    const generators = (kustomization.configMapGenerator ?? []).map((g) => g.name);
    assert.ok(generators.length > 0);

    const rendered = (await renderKustomization(DEPLOY)).map((o) => `${o.kind}/${o.metadata.name}`);
    const configMaps = rendered.filter((id) => id.startsWith('ConfigMap/'));
    assert.deepEqual(rendered.filter((id) => !configMaps.includes(id)).sort(), listed.filter((id) => !id.startsWith('ConfigMap/')).sort());
    assert.deepEqual(configMaps.map((id) => id.replace(/-[a-z0-9]{10}$/, '')).sort(), generators.map((g) => `ConfigMap/${g}`).sort());
  });
});

describe('deploy/kubernetes rendered by kubectl kustomize: a broken copy fails the check', () => {
  let copy = '';
  beforeEach(() => {
    // config/ holds the copies of routes/ and policies/ that the generators read
    // (kustomize reads nothing above the folder), so a copy of the folder renders alone.
    copy = path.join(mkdtempSync(path.join(os.tmpdir(), 'gatehouse-kustomize-')), 'kubernetes');
    cpSync(DEPLOY, copy, { recursive: true });
  });
  afterEach(() => rmSync(path.dirname(copy), { recursive: true, force: true }));

  const edit = (file: string, from: string | RegExp, to: string): void => {
    const before = readFileSync(path.join(copy, file), 'utf8');
    const after = before.replace(from, to);
    assert.notEqual(after, before, `${file}: ${String(from)} is not there to break`);
    writeFileSync(path.join(copy, file), after);
  };

  it('the unbroken copy passes (so what fails below is the breakage)', async () => {
    assert.deepEqual(await kustomizationProblems(copy), []);
  });

  it('a syntax error in kustomization.yaml', async () => {
    edit('kustomization.yaml', /^images:$/m, 'images: [');
    const problems = await kustomizationProblems(copy);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^kubectl kustomize .* failed: .*yaml/i);
  });

  it('a configMapGenerator file that is missing', async () => {
    rmSync(path.join(copy, 'config/routes/examples.yaml'));
    const problems = await kustomizationProblems(copy);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^kubectl kustomize .* failed: .*config\/routes\/examples\.yaml/);
  });

  it('a wrong image name in images: (a new name, or an entry that matches no container)', async () => {
    const wrong = (image: string) => [`Deployment/gatehouse: runs image ${image}, not gatehouse with a tag (images: in kustomization.yaml)`];
    edit('kustomization.yaml', /newName: gatehouse$/m, 'newName: gatehous');
    assert.deepEqual(await kustomizationProblems(copy), wrong('gatehous:dev'));
    edit('kustomization.yaml', /- name: gatehouse$/m, '- name: gatehouse-gateway');
    assert.deepEqual(await kustomizationProblems(copy), wrong('gatehouse'));
  });

  it('but not a registry\'s image, as README says to set it (kustomize edit set image gatehouse=REGISTRY/gatehouse:TAG)', async () => {
    edit('kustomization.yaml', /newName: gatehouse$/m, 'newName: registry.example:5000/team/gatehouse');
    edit('kustomization.yaml', /newTag: dev$/m, 'newTag: 1.2.3');
    assert.deepEqual(await kustomizationProblems(copy), []);
    for (const image of ['gatehouse:dev', `gatehouse@sha256:${'a'.repeat(64)}`]) assert.match(image, GATEWAY_IMAGE);
    for (const image of ['gatehouse', 'gatehous:dev', 'team/gatehouse-old:dev', 'node:20-alpine']) assert.doesNotMatch(image, GATEWAY_IMAGE);
  });

  it('generated ConfigMaps without their hash suffix, so changed config would not roll the gateway out', async () => {
    edit('kustomization.yaml', /^generatorOptions:$/m, 'generatorOptions:\n  disableNameSuffixHash: true');
    const problems = await kustomizationProblems(copy);
    assert.ok(problems.length > 0);
    for (const p of problems) assert.match(p, /: ConfigMap gatehouse-[a-z-]+ has no generated hash suffix/);
  });
});
