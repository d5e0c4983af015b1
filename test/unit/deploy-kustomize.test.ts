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
import { GATEWAY_IMAGE, kustomizationProblems, renderKustomization, type Rendered } from '../support/kustomize-check.js';

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

// The overlays for functions across namespaces (SPEC §5): the same base, the
// gateway's --namespace patched, and the RBAC where it now looks. They live
// beside deploy/kubernetes, not in it: kustomize refuses a base that contains
// its overlay ("cycle detected").
const OVERLAYS = path.join(REPO, 'deploy/kubernetes-overlays');

interface Object_ { kind: string; metadata: { name: string; namespace?: string }; spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } } }
const gatewayArgs = (objects: readonly Rendered[]): string[] =>
  (objects as unknown as Object_[]).find((o) => o.kind === 'Deployment' && o.metadata.name === 'gatehouse')?.spec?.template?.spec?.containers?.[0]?.args ?? [];
const rbac = (objects: readonly Rendered[]): string[] =>
  objects.filter((o) => /Role/.test(o.kind)).map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.namespace ?? '*'}`).sort();
const ids = (objects: readonly Rendered[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describe('deploy/kubernetes-overlays rendered by kubectl kustomize', () => {
  it('namespaces: passes the checks; the gateway watches its own namespace, team-a and team-b, with a Role + RoleBinding in each', async () => {
    const dir = path.join(OVERLAYS, 'namespaces');
    assert.deepEqual(await kustomizationProblems(dir), []);
    const objects = await renderKustomization(dir);
    const args = gatewayArgs(objects);
    assert.equal(args[args.indexOf('--namespace') + 1], '$(POD_NAMESPACE),team-a,team-b');
    assert.deepEqual(rbac(objects), ['Role/gatehouse@gatehouse', 'Role/gatehouse@team-a', 'Role/gatehouse@team-b', 'RoleBinding/gatehouse@gatehouse', 'RoleBinding/gatehouse@team-a', 'RoleBinding/gatehouse@team-b']);
    // The whole base, and nothing else but the two Role + RoleBinding pairs.
    const base = ids(await renderKustomization(DEPLOY));
    assert.deepEqual(ids(objects).filter((id) => !/Role/.test(id)).sort(), base.filter((id) => !/Role/.test(id)).sort());
  });

  it('all-namespaces: passes the checks; the gateway watches *, with one ClusterRole + ClusterRoleBinding and no Role', async () => {
    const dir = path.join(OVERLAYS, 'all-namespaces');
    assert.deepEqual(await kustomizationProblems(dir), []);
    const objects = await renderKustomization(dir);
    const args = gatewayArgs(objects);
    assert.equal(args[args.indexOf('--namespace') + 1], '*');
    assert.deepEqual(rbac(objects), ['ClusterRole/gatehouse@*', 'ClusterRoleBinding/gatehouse@*']);
  });
});

describe('deploy/kubernetes-overlays: a broken copy fails the check', () => {
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-overlays-'));
    cpSync(DEPLOY, path.join(root, 'kubernetes'), { recursive: true });
    cpSync(OVERLAYS, path.join(root, 'kubernetes-overlays'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const file = (relative: string) => path.join(root, relative);
  const edit = (relative: string, from: string | RegExp, to: string): void => {
    const before = readFileSync(file(relative), 'utf8');
    const after = before.replace(from, to);
    assert.notEqual(after, before, `${relative}: ${String(from)} is not there to break`);
    writeFileSync(file(relative), after);
  };

  it('the unbroken copies pass', async () => {
    assert.deepEqual(await kustomizationProblems(file('kubernetes-overlays/namespaces')), []);
    assert.deepEqual(await kustomizationProblems(file('kubernetes-overlays/all-namespaces')), []);
  });

  it('a namespace listed in --namespace without its Role', async () => {
    edit('kubernetes-overlays/namespaces/kustomization.yaml', 'team-a,team-b', 'team-a,team-b,team-c');
    assert.deepEqual(await kustomizationProblems(file('kubernetes-overlays/namespaces')), [
      'Roles wanted for gatehouse, team-a, team-b, team-c (what --namespace watches), rendered: Role/gatehouse in gatehouse; Role/gatehouse in team-a; Role/gatehouse in team-b',
      'RoleBindings wanted for gatehouse, team-a, team-b, team-c, rendered: RoleBinding/gatehouse in gatehouse; RoleBinding/gatehouse in team-a; RoleBinding/gatehouse in team-b',
    ]);
  });

  it('a Role in a namespace the gateway does not watch, or with more verbs than the gateway uses', async () => {
    edit('kubernetes-overlays/namespaces/kustomization.yaml', 'team-a,team-b', 'team-a');
    edit('kubernetes-overlays/namespaces/function-rbac.yaml', /verbs: \[get, patch\]/, 'verbs: [get, patch, update]');
    const problems = await kustomizationProblems(file('kubernetes-overlays/namespaces'));
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /^Roles wanted for gatehouse, team-a \(/);
    assert.match(problems[2]!, /^Role\/gatehouse in team-a: grants update apps\/deployments, update apps\/deployments\/scale/);
  });

  it('the all-namespaces overlay with the base Role left in, or its ClusterRoleBinding missing', async () => {
    edit('kubernetes-overlays/all-namespaces/kustomization.yaml', /  # The namespaced Role[^]*$/, '');
    let problems = await kustomizationProblems(file('kubernetes-overlays/all-namespaces'));
    assert.match(problems.join('\n'), /ClusterRoles wanted for \* .*Role\/gatehouse in gatehouse/);
    edit('kubernetes-overlays/all-namespaces/cluster-rbac.yaml', /---\n[^]*$/, '');
    problems = await kustomizationProblems(file('kubernetes-overlays/all-namespaces'));
    assert.match(problems.join('\n'), /ClusterRoleBindings wanted for \*, rendered: RoleBinding\/gatehouse in gatehouse/);
  });

  it('the base with a ClusterRole added: it watches one namespace, so cluster-wide RBAC is too much', async () => {
    writeFileSync(file('kubernetes/rbac.yaml'), readFileSync(file('kubernetes/rbac.yaml'), 'utf8') + readFileSync(file('kubernetes-overlays/all-namespaces/cluster-rbac.yaml'), 'utf8').replace(/^#.*\n/gm, '---\n'));
    const problems = await kustomizationProblems(file('kubernetes'));
    assert.match(problems.join('\n'), /^Roles wanted for gatehouse \(what --namespace watches\), rendered: .*ClusterRole\/gatehouse in \*/m);
  });
});
