// deploy/kubernetes/ as a cluster would see it, without a cluster: every
// manifest parsed and validated against the Kubernetes schemas (kubernetes-models),
// with unknown fields refused (the field lists of @kubernetes/client-node's
// models, as `kubectl apply`'s strict validation would); the references between
// the objects resolved; the gateway's Deployment checked against SPEC §1, §5, §6
// and §7; the Role compared with the API calls the Kubernetes backend makes; the
// generated ConfigMaps' sources compared with the repo's own routes/ and policies/;
// the Dockerfile's few promises. This file reads kustomization.yaml itself
// (and refuses the features it does not understand) to check the sources;
// deploy-kustomize.test.ts renders it with `kubectl kustomize` and checks what
// a cluster would be sent, with the same schema checks (support/kube-schemas.ts).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { parseDuration, parseSize } from '../../src/config/units.js';
import { KUBERNETES_API_CALLS } from '../../src/functions/backends/kubernetes/api-calls.js';
import { MODELS, modelName, unknownFields, VALIDATORS } from '../support/kube-schemas.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)); // from build/test/unit/
const DEPLOY = path.join(REPO, 'deploy/kubernetes');
const BACKEND = path.join(REPO, 'src/functions/backends/kubernetes');

// ---------------------------------------------------------------- reading

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly file: string;
}

function readManifests(): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const file of manifestFiles()) {
    for (const doc of parseAllDocuments(readFileSync(path.join(DEPLOY, file), 'utf8'))) {
      assert.deepEqual(doc.errors.map(String), [], `${file}: YAML errors`);
      const value: unknown = doc.toJS();
      if (value === null) continue; // an empty document
      assert.ok(typeof value === 'object' && !Array.isArray(value), `${file}: a document that is not an object`);
      objects.push({ ...(value as Omit<KubeObject, 'file'>), file });
    }
  }
  return objects;
}

/** Every manifest: the YAML files of deploy/kubernetes/ but kustomization.yaml. */
function manifestFiles(): string[] {
  return readdirSync(DEPLOY).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
}

interface Kustomization {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly resources?: string[];
  readonly images?: unknown[];
  readonly generatorOptions?: { readonly labels?: Record<string, string>; readonly disableNameSuffixHash?: boolean };
  readonly configMapGenerator?: { readonly name: string; readonly files?: string[] }[];
}

// What the test reads; a patch, component or overlay would change the objects
// behind its back, so anything else must be taught to it first.
const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'generatorOptions', 'configMapGenerator']);

function readKustomization(): Kustomization {
  return parseYaml(readFileSync(path.join(DEPLOY, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

/** A generated ConfigMap: its name and its data (key -> the source file's text). */
interface Generated {
  readonly name: string;
  readonly sources: ReadonlyMap<string, string>; // key -> path relative to DEPLOY
}

function generatedConfigMaps(k: Kustomization): Generated[] {
  return (k.configMapGenerator ?? []).map((g) => {
    const sources = new Map<string, string>();
    for (const entry of g.files ?? []) {
      const eq = entry.indexOf('=');
      const file = eq < 0 ? entry : entry.slice(eq + 1);
      const key = eq < 0 ? path.posix.basename(entry) : entry.slice(0, eq);
      assert.ok(!sources.has(key), `configMapGenerator ${g.name}: key ${key} twice`);
      sources.set(key, file);
    }
    return { name: g.name, sources };
  });
}

const manifests = readManifests();
const kustomization = readKustomization();
const generated = generatedConfigMaps(kustomization);

function all<T>(kind: string): (T & KubeObject)[] {
  return manifests.filter((o) => o.kind === kind) as (T & KubeObject)[];
}

function one<T>(kind: string, name: string): T & KubeObject {
  const found = all<T>(kind).filter((o) => o.metadata.name === name);
  assert.equal(found.length, 1, `one ${kind} named ${name}`);
  return found[0]!;
}

// ---------------------------------------------------- pod templates

function podSpec(d: IDeployment) {
  const spec = d.spec?.template.spec;
  assert.ok(spec, `Deployment ${d.metadata?.name}: no pod spec`);
  return spec;
}

/** Files a volume shows, relative to its mount path. */
function volumeFiles(volume: IVolume): string[] {
  const fromConfigMap = (name: string, items: readonly { key: string; path: string }[] | undefined): string[] => {
    const source = generated.find((g) => g.name === name);
    assert.ok(source, `volume ${volume.name}: ConfigMap ${name} is not generated by kustomization.yaml`);
    for (const item of items ?? []) assert.ok(source.sources.has(item.key), `volume ${volume.name}: ConfigMap ${name} has no key ${item.key}`);
    return items ? items.map((i) => i.path) : [...source.sources.keys()];
  };
  if (volume.configMap) return fromConfigMap(volume.configMap.name ?? '', volume.configMap.items);
  if (volume.projected) {
    return (volume.projected.sources ?? []).flatMap((s) => {
      assert.ok(s.configMap, `volume ${volume.name}: only ConfigMap sources are understood here`);
      return fromConfigMap(s.configMap.name ?? '', s.configMap.items);
    });
  }
  return [];
}

/** Absolute paths of the files a container sees through its mounts. */
function mountedFiles(d: IDeployment, c: IContainer): Set<string> {
  const volumes = podSpec(d).volumes ?? [];
  const files = new Set<string>();
  for (const mount of c.volumeMounts ?? []) {
    const volume = volumes.find((v) => v.name === mount.name);
    assert.ok(volume, `${c.name}: mount of an unknown volume ${mount.name}`);
    for (const f of volumeFiles(volume)) files.add(path.posix.join(mount.mountPath, f));
  }
  return files;
}

function mountPathOf(d: IDeployment, c: IContainer, env: string): string {
  const value = envValue(c, env);
  assert.ok(value, `${c.name}: ${env} is not set`);
  assert.ok((c.volumeMounts ?? []).some((m) => m.mountPath === value), `${c.name}: ${env}=${value} is no mount path`);
  return value;
}

function envValue(c: IContainer, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}

/** `--name value` or `--name=value` in a command line. */
function flag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i]?.startsWith(`--${name}=`)) return argv[i]!.slice(name.length + 3);
  }
  return undefined;
}

function portNumber(c: IContainer, port: number | string | undefined): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

// ====================================================================== tests

describe('deploy/kubernetes: the manifests', () => {
  it('parse, and every object passes the Kubernetes schema of its kind', () => {
    assert.ok(manifests.length > 0);
    for (const o of manifests) {
      const validate = VALIDATORS[`${o.apiVersion}/${o.kind}`];
      assert.ok(validate, `${o.file}: ${o.apiVersion} ${o.kind} is not a kind this test knows`);
      const { file: _file, ...data } = o;
      assert.doesNotThrow(() => validate(data), `${o.file}: ${o.kind} ${o.metadata?.name}`);
    }
  });

  it('use no field the Kubernetes API does not know', () => {
    for (const o of manifests) {
      const type = modelName(o.apiVersion, o.kind);
      assert.ok(MODELS[type]?.getAttributeTypeMap, `no client model ${type}`);
      const unknown: string[] = [];
      const { file: _file, ...data } = o;
      unknownFields(data, type, `${o.kind}/${o.metadata.name}`, unknown);
      assert.deepEqual(unknown, [], `${o.file}: unknown fields`);
    }
  });

  it('name every object, once per kind, and leave the namespace to kustomization.yaml', () => {
    const seen = new Set<string>();
    for (const o of manifests) {
      assert.ok(o.metadata?.name, `${o.file}: a ${o.kind} without a name`);
      const id = `${o.kind}/${o.metadata.name}`;
      assert.ok(!seen.has(id), `${o.file}: ${id} twice`);
      seen.add(id);
      assert.equal(o.metadata.namespace, undefined, `${o.file}: ${id} sets its own namespace`);
    }
    const namespaces = all('Namespace');
    assert.equal(namespaces.length, 1);
    assert.equal(kustomization.namespace, namespaces[0]!.metadata.name);
  });

  it('kustomization.yaml lists every manifest, and generates ConfigMaps from files that exist', () => {
    assert.equal(kustomization.apiVersion, 'kustomize.config.k8s.io/v1beta1');
    assert.equal(kustomization.kind, 'Kustomization');
    for (const field of Object.keys(kustomization)) assert.ok(KUSTOMIZATION_FIELDS.has(field), `kustomization.yaml: ${field} is not understood by this test`);
    assert.deepEqual([...(kustomization.resources ?? [])].sort(), manifestFiles());
    assert.ok(generated.length > 0);
    for (const g of generated) {
      let bytes = 0;
      for (const [key, file] of g.sources) {
        assert.match(key, /^[-._a-zA-Z0-9]{1,253}$/, `ConfigMap ${g.name}: ${key} is no valid key`);
        assert.ok(!path.isAbsolute(file) && !path.normalize(file).startsWith('..'), `ConfigMap ${g.name}: ${file} is outside deploy/kubernetes (kustomize refuses it)`);
        assert.ok(existsSync(path.join(DEPLOY, file)), `ConfigMap ${g.name}: ${file} does not exist`);
        bytes += statSync(path.join(DEPLOY, file)).size;
      }
      assert.ok(bytes < 1024 * 1024, `ConfigMap ${g.name}: ${bytes} bytes, over the 1MiB a ConfigMap can hold`);
      const data = Object.fromEntries([...g.sources].map(([key, file]) => [key, readFileSync(path.join(DEPLOY, file), 'utf8')]));
      assert.doesNotThrow(() => new ConfigMap({ metadata: { name: g.name }, data }).validate(), `ConfigMap ${g.name}`);
    }
  });

  it('Deployments select their own pods, and Services select a Deployment and name its ports', () => {
    const deployments = all<IDeployment>('Deployment');
    for (const d of deployments) {
      const labels = d.spec?.template.metadata?.labels ?? {};
      for (const [k, v] of Object.entries(d.spec?.selector.matchLabels ?? {})) assert.equal(labels[k], v, `Deployment ${d.metadata.name}: selector ${k}`);
    }
    for (const s of all<IService>('Service')) {
      const selector = Object.entries(s.spec?.selector ?? {});
      assert.ok(selector.length > 0, `Service ${s.metadata.name}: no selector`);
      const targets = deployments.filter((d) => selector.every(([k, v]) => d.spec?.template.metadata?.labels?.[k] === v));
      assert.equal(targets.length, 1, `Service ${s.metadata.name} selects one Deployment`);
      const containers = podSpec(targets[0]!).containers;
      for (const p of s.spec?.ports ?? []) {
        assert.ok(p.name, `Service ${s.metadata.name}: an unnamed port`);
        const target = p.targetPort ?? p.port;
        assert.ok(containers.some((c) => portNumber(c, target) !== undefined), `Service ${s.metadata.name}: port ${p.name} targets ${target}, which no container has`);
      }
    }
  });

  it('every pod runs as non-root with a read-only root filesystem, no privileges, limits and a readiness probe', () => {
    for (const d of all<IDeployment>('Deployment')) {
      const spec = podSpec(d);
      const name = `Deployment ${d.metadata.name}`;
      assert.equal(spec.securityContext?.runAsNonRoot, true, `${name}: runAsNonRoot`);
      assert.ok((spec.securityContext?.runAsUser ?? 0) > 0, `${name}: runAsUser`);
      assert.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${name}: seccompProfile`);
      for (const c of spec.containers) {
        const sc = c.securityContext;
        assert.equal(sc?.allowPrivilegeEscalation, false, `${name}/${c.name}: allowPrivilegeEscalation`);
        assert.equal(sc?.readOnlyRootFilesystem, true, `${name}/${c.name}: readOnlyRootFilesystem`);
        assert.deepEqual(sc?.capabilities?.drop, ['ALL'], `${name}/${c.name}: capabilities`);
        assert.equal(sc?.privileged ?? false, false, `${name}/${c.name}: privileged`);
        for (const r of ['cpu', 'memory']) {
          assert.ok(c.resources?.requests?.[r], `${name}/${c.name}: no ${r} request`);
          assert.ok(c.resources?.limits?.[r], `${name}/${c.name}: no ${r} limit`);
        }
        assert.ok(c.readinessProbe, `${name}/${c.name}: no readiness probe`);
        mountedFiles(d, c); // every mount resolves, every ConfigMap reference is generated
      }
    }
  });
});

describe('deploy/kubernetes: the gateway', () => {
  const gateway = one<IDeployment>('Deployment', 'gatehouse');
  const spec = podSpec(gateway);
  const container = spec.containers[0]!;
  const argv = [...(container.command ?? []), ...(container.args ?? [])];

  it('runs two replicas of `node dist/cli.js serve --backend kubernetes` in the pod namespace', () => {
    assert.equal(gateway.spec?.replicas, 2);
    assert.equal(spec.containers.length, 1);
    assert.deepEqual(argv.slice(0, 3), ['node', 'dist/cli.js', 'serve']);
    assert.equal(flag(argv, 'backend'), 'kubernetes');
    assert.equal(flag(argv, 'namespace'), '$(POD_NAMESPACE)');
    const namespaceEnv = container.env?.find((e) => e.name === 'POD_NAMESPACE');
    assert.equal(namespaceEnv?.valueFrom?.fieldRef?.fieldPath, 'metadata.namespace');
  });

  it('probes /readyz and /healthz on the admin port, bound to all addresses', () => {
    assert.equal(flag(argv, 'admin-host'), '0.0.0.0');
    const adminPort = Number(flag(argv, 'admin-port') ?? envValue(container, 'GATEHOUSE_ADMIN_PORT') ?? 9090);
    const port = Number(flag(argv, 'port') ?? envValue(container, 'GATEHOUSE_PORT') ?? 8080);
    assert.deepEqual(container.ports?.map((p) => [p.name, p.containerPort]), [['http', port], ['admin', adminPort]]);
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(portNumber(container, container.readinessProbe?.httpGet?.port), adminPort);
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(portNumber(container, container.livenessProbe?.httpGet?.port), adminPort);
    const service = one<IService>('Service', 'gatehouse');
    assert.deepEqual(service.spec?.ports?.map((p) => portNumber(container, p.targetPort)), [port], 'the Service publishes the public port only');
  });

  it('outlives its drain: terminationGracePeriodSeconds > preStop sleep + --shutdown-timeout', () => {
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    const sleep = /^(?:\/bin\/|\/usr\/bin\/)?sleep$/.test(preStop[0] ?? '') ? Number(preStop[1]) : NaN;
    assert.ok(sleep > 0, `preStop sleeps: ${JSON.stringify(preStop)}`);
    const timeout = parseDuration(flag(argv, 'shutdown-timeout') ?? envValue(container, 'GATEHOUSE_SHUTDOWN_TIMEOUT') ?? '30s');
    assert.ok(timeout !== null && timeout > 0);
    const grace = spec.terminationGracePeriodSeconds ?? 30;
    assert.ok(grace > sleep + timeout / 1000, `grace ${grace}s <= ${sleep}s + ${timeout / 1000}s`);
  });

  it('runs as uid 1000 (node) with its service account, and no other pod gets an API token', () => {
    assert.equal(spec.securityContext?.runAsUser, 1000);
    assert.equal(spec.serviceAccountName, 'gatehouse');
    one('ServiceAccount', 'gatehouse');
    for (const d of all<IDeployment>('Deployment').filter((d) => d !== gateway)) {
      assert.equal(podSpec(d).serviceAccountName, undefined, `Deployment ${d.metadata.name}: a service account`);
      assert.equal(podSpec(d).automountServiceAccountToken, false, `Deployment ${d.metadata.name}: mounts an API token`);
    }
  });

  it('shares rate limits through the Redis Service of GATEHOUSE_REDIS_URL', () => {
    const url = new URL(envValue(container, 'GATEHOUSE_REDIS_URL') ?? flag(argv, 'redis') ?? '');
    assert.equal(url.protocol, 'redis:');
    const redis = one<IService>('Service', url.hostname);
    assert.ok(redis.spec?.ports?.some((p) => p.port === Number(url.port || 6379)), `Service ${url.hostname} has no port ${url.port}`);
  });

  it('takes the admin token from a Secret that is optional or shipped', () => {
    const ref = container.env?.find((e) => e.name === 'GATEHOUSE_ADMIN_TOKEN')?.valueFrom?.secretKeyRef;
    assert.ok(ref?.name && ref.key, 'GATEHOUSE_ADMIN_TOKEN from a secretKeyRef');
    if (ref.optional !== true) {
      const secret = one<{ data?: Record<string, string>; stringData?: Record<string, string> }>('Secret', ref.name);
      assert.ok(secret.data?.[ref.key] ?? secret.stringData?.[ref.key], `Secret ${ref.name} has no ${ref.key}`);
    }
  });

  it('mounts the generated routes and policies where GATEHOUSE_ROUTES and GATEHOUSE_POLICIES point', () => {
    const files = mountedFiles(gateway, container);
    const routesDir = mountPathOf(gateway, container, 'GATEHOUSE_ROUTES');
    const policiesDir = mountPathOf(gateway, container, 'GATEHOUSE_POLICIES');
    const under = (dir: string) => [...files].filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1)).sort();
    // Everything the repo has, laid out as in the repo, so relative paths hold.
    assert.deepEqual(under(routesDir), filesUnder(path.join(REPO, 'routes')));
    assert.deepEqual(under(policiesDir), filesUnder(path.join(REPO, 'policies')));
  });

  it('resolves every file a policy names (publicKeyFile: keys/...) inside the mounted policies', () => {
    const files = mountedFiles(gateway, container);
    const policiesDir = mountPathOf(gateway, container, 'GATEHOUSE_POLICIES');
    const dir = path.join(DEPLOY, 'config/policies');
    let named = 0;
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      const policies = (parseYaml(readFileSync(path.join(dir, file), 'utf8')) ?? {}) as { auth?: Record<string, Record<string, unknown>> };
      for (const [name, policy] of Object.entries(policies.auth ?? {})) {
        for (const field of ['publicKeyFile', 'keysFile']) {
          const rel = policy[field];
          if (typeof rel !== 'string' || path.posix.isAbsolute(rel)) continue;
          named++;
          const abs = path.posix.resolve(policiesDir, rel);
          assert.ok(files.has(abs), `${file}: auth.${name}.${field} ${rel} -> ${abs} is not mounted`);
        }
      }
    }
    assert.ok(named > 0, 'the example policies name a key file');
  });
});

describe('deploy/kubernetes: the generated config is the repo\'s own', () => {
  it('config/ is an exact copy of routes/, policies/ and the example functions (run sync-config.sh)', () => {
    const pairs: [string, string][] = [
      ...filesUnder(path.join(REPO, 'routes')).map((f): [string, string] => [`routes/${f}`, `config/routes/${f}`]),
      ...filesUnder(path.join(REPO, 'policies')).map((f): [string, string] => [`policies/${f}`, `config/policies/${f}`]),
      ['deploy/local/functions/hello.js', 'config/functions/hello.js'],
      ['deploy/local/functions/echo.js', 'config/functions/echo.js'],
    ];
    assert.deepEqual(filesUnder(path.join(DEPLOY, 'config')), pairs.map(([, copy]) => copy.slice('config/'.length)).sort(), 'the copies are exactly these files');
    for (const [original, copy] of pairs) {
      assert.ok(readFileSync(path.join(REPO, original)).equals(readFileSync(path.join(DEPLOY, copy))), `${copy} differs from ${original}: run deploy/kubernetes/sync-config.sh`);
    }
  });

  it('every copied file is in a generated ConfigMap', () => {
    const used = new Set(generated.flatMap((g) => [...g.sources.values()]));
    for (const f of filesUnder(path.join(DEPLOY, 'config'))) assert.ok(used.has(`config/${f}`), `config/${f} is in no configMapGenerator`);
  });
});

describe('deploy/kubernetes: the example functions', () => {
  const KNOWN_ANNOTATIONS: Readonly<Record<string, (v: string) => boolean>> = {
    'gatehouse.io/idle-timeout': (v) => (parseDuration(v) ?? 0) > 0,
    'gatehouse.io/wake-replicas': (v) => /^[1-9]\d*$/.test(v),
    'gatehouse.io/cold-start-timeout': (v) => (parseDuration(v) ?? 0) > 0,
    'gatehouse.io/max-pending': (v) => /^[1-9]\d*$/.test(v),
    'gatehouse.io/max-pending-bytes': (v) => (parseSize(v) ?? 0) > 0,
    'gatehouse.io/readiness-path': (v) => v.startsWith('/'),
    'gatehouse.io/concurrency': (v) => /^\d+$/.test(v),
    'gatehouse.io/wake-hook': (v) => URL.canParse(v),
    'gatehouse.io/scale-target': (v) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v),
  };
  const routeFunctions = new Set(
    readdirSync(path.join(REPO, 'routes'))
      .filter((f) => /\.ya?ml$/.test(f))
      .flatMap((f) => ((parseYaml(readFileSync(path.join(REPO, 'routes', f), 'utf8')) ?? {}) as { routes?: { function?: string }[] }).routes ?? [])
      .flatMap((r) => (r.function ? [r.function] : [])),
  );

  it('every function the repo\'s routes name is a Service with a port named http and a Deployment at 0 replicas', () => {
    assert.deepEqual([...routeFunctions].sort(), ['echo', 'hello']);
    for (const name of routeFunctions) {
      const service = one<IService>('Service', name);
      assert.ok(service.spec?.ports?.some((p) => p.name === 'http'), `Service ${name}: no port named http`);
      const target = service.metadata.annotations?.['gatehouse.io/scale-target'] ?? name;
      const deployment = one<IDeployment>('Deployment', target);
      assert.equal(deployment.spec?.replicas, 0, `Deployment ${target} starts asleep`);
    }
  });

  it('carry the wake annotations, each one SPEC §5 knows and each value valid', () => {
    for (const name of routeFunctions) {
      const annotations = one<IService>('Service', name).metadata.annotations ?? {};
      for (const key of ['idle-timeout', 'wake-replicas', 'cold-start-timeout', 'readiness-path']) {
        assert.ok(annotations[`gatehouse.io/${key}`], `Service ${name}: no gatehouse.io/${key}`);
      }
    }
    for (const s of all<IService>('Service')) {
      for (const [key, value] of Object.entries(s.metadata.annotations ?? {})) {
        if (!key.startsWith('gatehouse.io/')) continue;
        const valid = KNOWN_ANNOTATIONS[key];
        assert.ok(valid, `Service ${s.metadata.name}: ${key} is not a gatehouse.io/ annotation of SPEC §5`);
        assert.ok(valid(value), `Service ${s.metadata.name}: ${key}: "${value}"`);
      }
    }
  });

  it('run a script their pod has mounted', () => {
    for (const name of routeFunctions) {
      const deployment = one<IDeployment>('Deployment', name);
      for (const c of podSpec(deployment).containers) {
        const script = c.command?.[1];
        assert.equal(c.command?.[0], 'node');
        assert.ok(script && mountedFiles(deployment, c).has(script), `Deployment ${name}: ${script} is not mounted`);
      }
    }
  });
});

describe('deploy/kubernetes: RBAC against the code', () => {
  const key = (c: { group: string; resource: string; verb: string }) => `${c.verb} ${c.group || 'core'}/${c.resource}`;
  const declared = new Set(KUBERNETES_API_CALLS.map(key));

  it('one namespaced Role, bound to the gateway\'s ServiceAccount only', () => {
    assert.deepEqual(manifests.filter((o) => /^Cluster/.test(o.kind)).map((o) => o.kind), [], 'no cluster-wide RBAC');
    const roles = all<IRole>('Role');
    assert.equal(roles.length, 1);
    const bindings = all<IRoleBinding>('RoleBinding');
    assert.equal(bindings.length, 1);
    const binding = bindings[0]!;
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roles[0]!.metadata.name });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'gatehouse', namespace: kustomization.namespace }]);
  });

  it('the Role grants exactly KUBERNETES_API_CALLS, nothing more, nothing less', () => {
    const role = all<IRole>('Role')[0]!;
    const granted = new Set<string>();
    for (const rule of role.rules ?? []) {
      assert.equal(rule.resourceNames, undefined, 'no resourceNames: functions are any Service in the namespace');
      assert.equal(rule.nonResourceURLs, undefined);
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const verb of rule.verbs) {
            assert.ok(![group, resource, verb].includes('*'), 'no wildcards');
            granted.add(key({ group, resource, verb }));
          }
        }
      }
    }
    assert.deepEqual([...granted].sort(), [...declared].sort());
    // SPEC §5, "Needed RBAC", word for word.
    assert.deepEqual([...declared].sort(), [
      'get apps/deployments', 'get apps/deployments/scale', 'get core/services', 'get discovery.k8s.io/endpointslices',
      'list core/services', 'list discovery.k8s.io/endpointslices',
      'patch apps/deployments', 'patch apps/deployments/scale',
      'watch core/services', 'watch discovery.k8s.io/endpointslices',
    ]);
  });

  it('every API call in src/functions/backends/kubernetes/ is one of KUBERNETES_API_CALLS', () => {
    // The kinds the backend may touch: a typed client method names one
    // (listNamespacedEndpointSlice, patchNamespacedDeploymentScale...).
    const KINDS: Readonly<Record<string, [group: string, resource: string]>> = {
      EndpointSlice: ['discovery.k8s.io', 'endpointslices'],
      Endpoints: ['', 'endpoints'],
      Deployment: ['apps', 'deployments'],
      Service: ['', 'services'],
      Pod: ['', 'pods'],
      Event: ['', 'events'],
      ConfigMap: ['', 'configmaps'],
      Secret: ['', 'secrets'],
      Lease: ['coordination.k8s.io', 'leases'],
    };
    const VERBS: Readonly<Record<string, string>> = { list: 'list', read: 'get', patch: 'patch', replace: 'update', create: 'create', delete: 'delete', deleteCollection: 'deletecollection' };
    const kindNames = Object.keys(KINDS).sort((a, b) => b.length - a.length);
    const files = filesUnder(BACKEND).filter((f) => f.endsWith('.ts'));
    const found: { where: string; call: string }[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(BACKEND, file), 'utf8');
      // `--namespace '*'` lists at the cluster scope (listServiceForAllNamespaces...): the same
      // verbs, granted by the all-namespaces overlay's ClusterRole instead of a Role.
      for (const m of text.matchAll(/\b(\w+?)([A-Z]\w*?)ForAllNamespaces\s*\(/g)) {
        assert.equal(m[1], 'list', `${file}: ${m[0]}: only lists may be cluster-wide`);
        const [group, resource] = KINDS[m[2]!] ?? assert.fail(`${file}: ${m[0]} touches a kind this test does not know; add it`);
        found.push({ where: `${file}: ${m[0]}`, call: key({ group, resource, verb: 'list' }) });
      }
      for (const m of text.matchAll(/\b(list|read|patch|replace|create|deleteCollection|delete)Namespaced([A-Z]\w*)\s*\(/g)) {
        const kind = kindNames.find((k) => m[2]!.startsWith(k));
        assert.ok(kind, `${file}: ${m[0]} touches a kind this test does not know; add it`);
        const sub = m[2]!.slice(kind.length).toLowerCase();
        const [group, resource] = KINDS[kind]!;
        found.push({ where: `${file}: ${m[0]}`, call: key({ group, resource: sub ? `${resource}/${sub}` : resource, verb: VERBS[m[1]!]! }) });
      }
      // Informers and watches take an API path: /api/v1/namespaces/${ns}/services,
      // /apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices.
      // With `*`, at the cluster scope: /api/v1/services, /apis/discovery.k8s.io/v1/endpointslices.
      for (const m of text.matchAll(/['`]\/api(?:s\/([a-z0-9.-]+))?\/v\d\w*\/(?:namespaces\/\$\{[^}]+\}\/)?([a-z]+)/g)) {
        found.push({ where: `${file}: ${m[0]}`, call: key({ group: m[1] ?? '', resource: m[2]!, verb: 'watch' }) });
      }
    }
    for (const { where, call } of found) assert.ok(declared.has(call), `${where} needs "${call}", which KUBERNETES_API_CALLS (and the Role) lack`);
    // Once the backend has code, a scan that finds nothing has been outwitted.
    if (files.some((f) => f !== 'api-calls.ts')) assert.ok(found.length > 0, 'no API call found in the backend: teach this scan its style');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: string[][] = [];
  for (const line of instructions) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  const runtime = stages.at(-1) ?? [];

  it('builds in one stage and runs production dependencies only, as a non-root user, in another', () => {
    assert.ok(stages.length >= 2, 'multi-stage');
    const build = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(stages[0]![0]!)?.[1];
    assert.ok(build, 'the build stage has a name');
    assert.ok(stages[0]!.some((l) => /^RUN\s.*npm run build/.test(l)), 'the build stage builds');
    assert.ok(runtime.some((l) => /^RUN\s.*npm ci\b.*--omit=dev/.test(l)), 'the runtime stage runs npm ci --omit=dev');
    assert.ok(runtime.some((l) => new RegExp(`^COPY\\s+--from=${build}\\s`, 'i').test(l)), 'the runtime stage copies the build output');
    const user = runtime.filter((l) => /^USER\s/i.test(l)).at(-1)?.split(/\s+/)[1];
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `runs as ${user ?? 'root'}`);
    assert.deepEqual(runtime.find((l) => /^EXPOSE\s/i.test(l))?.split(/\s+/).slice(1).sort(), ['8080', '9090']);
    assert.ok(runtime.includes('ENTRYPOINT ["node", "dist/cli.js"]'));
  });

  it('.dockerignore keeps node_modules and the development private key out of the build context', () => {
    const ignored = readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'deploy/local/dev-keys', '.git']) assert.ok(ignored.includes(p), p);
  });
});
