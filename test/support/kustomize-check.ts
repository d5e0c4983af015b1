// deploy/kubernetes as `kubectl apply -k` would send it: rendered by
// `kubectl kustomize` (offline), then checked object by object against the
// Kubernetes schemas and for what the gateway needs of the whole: its image,
// its generated config under hashed names, one namespace, the Role of SPEC §5.
// The manifest files alone cannot show a broken kustomization.yaml, a missing
// generator file or an `images:` entry that renames the gateway's image.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { KUBERNETES_API_CALLS } from '../../src/functions/backends/kubernetes/api-calls.js';
import { schemaProblems } from './kube-schemas.js';
import { installHint } from './test-tools.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)); // from build/test/support/

/**
 * The gateway's image: named gatehouse (README: `docker build -t gatehouse:dev`,
 * or pushed as REGISTRY/gatehouse:TAG with `kustomize edit set image`), with the
 * tag or digest that `images:` gives it; gateway.yaml's bare `gatehouse` means
 * no `images:` entry matched it.
 */
export const GATEWAY_IMAGE = /^(?:[^/\s]+\/)*gatehouse(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;
const GATEWAY = 'gatehouse'; // the Deployment, its ServiceAccount and its Service

/** An object as rendered; the fields read here are typed by the kind's model. */
export interface Rendered {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

/** `kubectl kustomize DIR`, as objects. Rejects with kubectl's own words when it fails. */
export async function renderKustomization(dir: string): Promise<Rendered[]> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('kubectl', ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 }, (error, out, err) => {
      if (!error) return resolve(out);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        installHint('kubectl').then((hint) => reject(new KubectlMissing(`kubectl is not on PATH. ${hint}`)), reject);
        return;
      }
      reject(new Error(`kubectl kustomize ${dir} failed: ${(err || error.message).trim().split('\n').join(' / ')}`));
    });
  });
  const objects: Rendered[] = [];
  for (const doc of parseAllDocuments(stdout)) {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize printed YAML that does not parse: ${doc.errors.map(String).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value !== null) objects.push(value as Rendered);
  }
  return objects;
}

/** Not a problem of the manifests: no check could run. */
export class KubectlMissing extends Error {}

/**
 * Everything wrong with what `dir` renders, one line each; [] when nothing is.
 * A rendering that fails is one such line. A missing kubectl rejects instead.
 */
export async function kustomizationProblems(dir: string): Promise<string[]> {
  let objects: Rendered[];
  try {
    objects = await renderKustomization(dir);
  } catch (error) {
    if (error instanceof KubectlMissing) throw error;
    return [(error as Error).message];
  }
  return renderedProblems(objects);
}

/** What is wrong with rendered objects: each one's schema first, then what the gateway needs of them together. */
export function renderedProblems(objects: readonly Rendered[]): string[] {
  const problems = objects.flatMap((o) => schemaProblems(o));
  // The same name in two namespaces is two objects (the overlays' Roles).
  const ids = objects.map((o) => `${o.kind}/${o.metadata?.name}${o.metadata?.namespace && RBAC_KINDS.has(o.kind) ? ` in ${o.metadata.namespace}` : ''}`);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) problems.push(`${id}: rendered twice`);
  if (problems.length > 0) return problems; // the checks below read fields the schemas vouch for
  const of = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as (T & Rendered)[];
  return [
    ...namespaceProblems(objects),
    ...configMapProblems(of<IDeployment>('Deployment'), of<IConfigMap>('ConfigMap')),
    ...gatewayProblems(of<IDeployment>('Deployment'), of<IService>('Service'), of<IConfigMap>('ConfigMap')),
    ...rbacProblems(objects),
  ];
}

/** Kinds that live outside the gateway's namespace: RBAC in the namespaces it watches, or cluster-scoped. */
const RBAC_KINDS = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

/** One Namespace, every other object but RBAC in it, and every RoleBinding's subjects in it (rbacProblems places the RBAC). */
function namespaceProblems(objects: readonly Rendered[]): string[] {
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  if (namespaces.length !== 1) return [`${namespaces.length} Namespaces rendered (${namespaces.join(', ')}), not one`];
  const namespace = namespaces[0];
  const problems: string[] = [];
  for (const o of objects.filter((o) => o.kind !== 'Namespace' && !RBAC_KINDS.has(o.kind))) {
    if (o.metadata.namespace !== namespace) problems.push(`${o.kind}/${o.metadata.name}: in namespace ${o.metadata.namespace ?? '(none)'}, not ${namespace}`);
  }
  for (const b of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') as unknown as IRoleBinding[]) {
    for (const s of b.subjects ?? []) {
      if (s.kind === 'ServiceAccount' && s.namespace !== namespace) problems.push(`${b.kind}/${b.metadata?.name}: subject ${s.name} in namespace ${s.namespace}, not ${namespace}`);
    }
  }
  return problems;
}

interface ConfigMapRef {
  readonly name: string;
  /** The keys shown and where; undefined: every key, under its own name. */
  readonly items: readonly { readonly key: string; readonly path: string }[] | undefined;
  /** Whether the pod starts without it. */
  readonly optional: boolean;
}

/** The ConfigMaps a volume shows (itself, or the sources of a projected volume). */
function configMapRefs(volume: IVolume): ConfigMapRef[] {
  const sources = [volume.configMap, ...(volume.projected?.sources ?? []).map((s) => s.configMap)];
  return sources.flatMap((c) => (c ? [{ name: c.name ?? '', items: c.items, optional: c.optional === true }] : []));
}

/**
 * Every ConfigMap a Deployment mounts is rendered, under a generated (hashed)
 * name, so that changed config makes a new name and the Deployment rolls out.
 */
function configMapProblems(deployments: readonly (IDeployment & Rendered)[], configMaps: readonly (IConfigMap & Rendered)[]): string[] {
  const problems: string[] = [];
  for (const d of deployments) {
    for (const volume of d.spec?.template.spec?.volumes ?? []) {
      for (const ref of configMapRefs(volume)) {
        const where = `Deployment/${d.metadata.name}: volume ${volume.name}`;
        const cm = configMaps.find((c) => c.metadata.name === ref.name);
        if (!cm) {
          if (!ref.optional) problems.push(`${where}: ConfigMap ${ref.name} is not rendered`);
          continue;
        }
        if (!/-[a-z0-9]{10}$/.test(ref.name)) problems.push(`${where}: ConfigMap ${ref.name} has no generated hash suffix (disableNameSuffixHash, or not from configMapGenerator)`);
        for (const { key } of ref.items ?? []) if (!(key in { ...cm.data, ...cm.binaryData })) problems.push(`${where}: ConfigMap ${ref.name} has no key ${key}`);
      }
    }
  }
  return problems;
}

/** The gateway runs GATEWAY_IMAGE, reaches its Redis by Service name and sees the repo's routes/ and policies/. */
function gatewayProblems(deployments: readonly (IDeployment & Rendered)[], services: readonly (IService & Rendered)[], configMaps: readonly (IConfigMap & Rendered)[]): string[] {
  const gateway = deployments.find((d) => d.metadata.name === GATEWAY);
  const pod = gateway?.spec?.template.spec;
  const container = pod?.containers[0];
  if (!gateway || !pod || !container) return [`no Deployment/${GATEWAY} with a container`];
  const problems: string[] = [];
  if (pod.serviceAccountName !== GATEWAY) problems.push(`Deployment/${GATEWAY}: runs as service account ${pod.serviceAccountName ?? '(default)'}, not ${GATEWAY}`);
  if (!GATEWAY_IMAGE.test(container.image ?? '')) problems.push(`Deployment/${GATEWAY}: runs image ${container.image}, not gatehouse with a tag (images: in kustomization.yaml)`);
  const env = (name: string) => container.env?.find((e) => e.name === name)?.value;
  const redisHost = URL.canParse(env('GATEHOUSE_REDIS_URL') ?? '') ? new URL(env('GATEHOUSE_REDIS_URL')!).hostname : '';
  if (!services.some((s) => s.metadata.name === redisHost)) problems.push(`Deployment/${GATEWAY}: GATEHOUSE_REDIS_URL names host "${redisHost}", which is no rendered Service`);
  for (const s of services) {
    const selector = Object.entries(s.spec?.selector ?? {});
    const selects = deployments.some((d) => selector.length > 0 && selector.every(([k, v]) => d.spec?.template.metadata?.labels?.[k] === v));
    if (!selects) problems.push(`Service/${s.metadata.name}: selects no rendered Deployment's pods`);
  }
  // What the gateway reads at GATEHOUSE_ROUTES and GATEHOUSE_POLICIES: mount path -> file text.
  const seen = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    for (const ref of volume ? configMapRefs(volume) : []) {
      const cm = configMaps.find((c) => c.metadata.name === ref.name);
      for (const item of ref.items ?? Object.keys(cm?.data ?? {}).map((key) => ({ key, path: key }))) {
        const text = cm?.data?.[item.key];
        if (text !== undefined) seen.set(path.posix.join(mount.mountPath, item.path), text);
      }
    }
  }
  for (const [envName, repoDir] of [['GATEHOUSE_ROUTES', 'routes'], ['GATEHOUSE_POLICIES', 'policies']] as const) {
    const dir = env(envName) ?? '';
    const expected = filesUnder(path.join(REPO, repoDir));
    const mounted = [...seen.keys()].filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1)).sort();
    if (mounted.join() !== expected.join()) {
      problems.push(`Deployment/${GATEWAY}: ${envName}=${dir} shows [${mounted.join(', ')}], not the repo's ${repoDir}/ [${expected.join(', ')}]`);
      continue;
    }
    for (const f of expected) {
      if (seen.get(`${dir}/${f}`) !== readFileSync(path.join(REPO, repoDir, f), 'utf8')) problems.push(`Deployment/${GATEWAY}: ${dir}/${f} differs from ${repoDir}/${f} (run deploy/kubernetes/sync-config.sh)`);
    }
  }
  return problems;
}

/**
 * The namespaces the gateway's Deployment watches, from its `--namespace` argument
 * ($(POD_NAMESPACE) is its own): a list, or '*' for every one (SPEC §5).
 */
function watchedNamespaces(deployments: readonly (IDeployment & Rendered)[]): { readonly watched: readonly string[] | '*' } | { readonly problem: string } {
  const gateway = deployments.find((d) => d.metadata.name === GATEWAY);
  const args = gateway?.spec?.template.spec?.containers[0]?.args ?? [];
  const at = args.indexOf('--namespace');
  const value = at === -1 ? args.find((a) => a.startsWith('--namespace='))?.slice('--namespace='.length) : args[at + 1];
  if (value === undefined) return { problem: `Deployment/${GATEWAY}: no --namespace argument (the RBAC cannot be checked against what it watches)` };
  if (value === '*') return { watched: '*' };
  return { watched: value.split(',').map((ns) => (ns === '$(POD_NAMESPACE)' ? (gateway?.metadata.namespace ?? '') : ns)) };
}

/**
 * Exactly KUBERNETES_API_CALLS (SPEC §5, word for word: deploy-manifests.test.ts) bound
 * to the gateway's ServiceAccount wherever it watches: one Role + RoleBinding per
 * namespace of `--namespace`, or for `*` one ClusterRole + ClusterRoleBinding and no Role.
 */
function rbacProblems(objects: readonly Rendered[]): string[] {
  const of = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as (T & Rendered)[];
  const found = watchedNamespaces(of<IDeployment>('Deployment'));
  if ('problem' in found) return [found.problem];
  const watched = found.watched;
  const problems: string[] = [];
  if (!objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === GATEWAY)) problems.push(`no ServiceAccount/${GATEWAY} rendered`);
  const roles = [...of<IRole>('Role'), ...of<IRole>('ClusterRole')];
  const bindings = [...of<IRoleBinding>('RoleBinding'), ...of<IRoleBinding>('ClusterRoleBinding')];
  const where = (o: Rendered) => (o.kind.startsWith('Cluster') ? '*' : (o.metadata.namespace ?? ''));
  const expected = watched === '*' ? ['*'] : [...watched];
  const placed = (list: readonly Rendered[]) => list.map(where).sort().join(', ');
  const wantKind = watched === '*' ? 'ClusterRole' : 'Role';
  if (placed(roles) !== [...expected].sort().join(', ') || roles.some((r) => r.kind !== wantKind)) {
    problems.push(`${wantKind}s wanted for ${expected.join(', ')} (what --namespace watches), rendered: ${roles.map((r) => `${r.kind}/${r.metadata.name} in ${where(r)}`).join('; ') || 'none'}`);
  }
  if (placed(bindings) !== [...expected].sort().join(', ') || bindings.some((b) => b.kind !== `${wantKind}Binding`)) {
    problems.push(`${wantKind}Bindings wanted for ${expected.join(', ')}, rendered: ${bindings.map((b) => `${b.kind}/${b.metadata.name} in ${where(b)}`).join('; ') || 'none'}`);
  }
  const key = (verb: string, group: string, resource: string) => `${verb} ${group || 'core'}/${resource}`;
  const wanted = KUBERNETES_API_CALLS.map((c) => key(c.verb, c.group, c.resource));
  for (const role of roles) {
    const id = `${role.kind}/${role.metadata.name} in ${where(role)}`;
    const granted = (role.rules ?? []).flatMap((r) => (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).flatMap((res) => r.verbs.map((v) => key(v, g, res)))));
    const extra = [...new Set(granted)].filter((g) => !wanted.includes(g)).sort();
    const lacking = wanted.filter((w) => !granted.includes(w)).sort();
    if (extra.length > 0) problems.push(`${id}: grants ${extra.join(', ')}, which KUBERNETES_API_CALLS lacks`);
    if (lacking.length > 0) problems.push(`${id}: lacks ${lacking.join(', ')}, which the gateway calls`);
    if ((role.rules ?? []).some((r) => r.resourceNames !== undefined)) problems.push(`${id}: resourceNames (functions are any Service in the namespace)`);
  }
  for (const binding of bindings) {
    const id = `${binding.kind}/${binding.metadata.name} in ${where(binding)}`;
    const role = roles.find((r) => r.kind === binding.roleRef.kind && r.metadata.name === binding.roleRef.name && where(r) === where(binding));
    if (!role) problems.push(`${id}: binds ${binding.roleRef.kind}/${binding.roleRef.name}, which is not rendered beside it`);
    const subjects = (binding.subjects ?? []).map((s) => `${s.kind}/${s.name}`);
    if (subjects.join() !== `ServiceAccount/${GATEWAY}`) problems.push(`${id}: subjects [${subjects.join(', ')}], not ServiceAccount/${GATEWAY}`);
  }
  return problems;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}
