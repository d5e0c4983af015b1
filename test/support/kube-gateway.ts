// Shared by the k8s-*.test.ts files: the real gateway process with
// `--backend kubernetes` against a fake cluster (test/support/kube). Each
// function NAME is routed at /NAME/* (public, rewritten to /*). Every gateway a
// test starts is stopped after it with SIGTERM, before the fake cluster goes
// (so its pods outlive the gateway's last request), and must exit 0 (SPEC §7).
import { untilStatus } from './wake.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import { makeConfigDir } from './config-dir.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import type { Reply } from './http-client.js';
import { useFakeCluster, type FakeCluster, type FakeClusterOptions } from './kube/cluster.js';
import type { PodTemplate } from './kube/kubelet.js';
import { deployment, service } from './kube/objects.js';
import { until } from './wait.js';

export interface KubeGateway extends GatewayProcess {
  /** `/NAME/rest` reaches function NAME as `/rest` (`/NAMESPACE/NAME/rest` for NAMESPACE/NAME). */
  fn(name: string, rest: string): string;
  /** Rewrites the routes file with routes for `functions`: the gateway reloads. */
  routeTo(functions: readonly string[], paths?: readonly string[]): void;
}

export interface KubeGateways {
  readonly cluster: () => FakeCluster;
  /** A gateway routing to `functions`, started now; extra CLI flags after the defaults. */
  start(functions: readonly string[], extraArgs?: readonly string[]): Promise<KubeGateway>;
}

/** A fake cluster per test, and gateways on it that are stopped (and must exit 0) after the test. */
export function useKubeGateways(options: FakeClusterOptions = {}): KubeGateways {
  const cluster = useFakeCluster({ namespace: 'functions', ...options });
  const exits: Array<{ pid: number; code: number | null }> = [];
  // Runs after useFakeCluster's afterEach, which stopped the gateways through defer().
  afterEach(() => {
    const codes = exits.splice(0);
    assert.deepEqual(codes.filter((exit) => exit.code !== 0), [], 'every gateway exits 0 on SIGTERM');
  });
  const start = async (functions: readonly string[], extraArgs: readonly string[] = []): Promise<KubeGateway> => {
    const env = cluster();
    const routesFor = (names: readonly string[], paths = names): string =>
      JSON.stringify({ routes: names.map((name, i) => ({ name: name.replace('/', '.'), match: { path: `/${paths[i] ?? name}/*` }, function: name, auth: 'public', rewrite: '/*' })) });
    const config = makeConfigDir({ routes: { 'functions.yaml': routesFor(functions) } });
    env.defer(() => config.remove());
    const namespace = extraArgs.some((arg) => arg.startsWith('--namespace=')) ? [] : [`--namespace=${env.namespace}`];
    const args = ['--backend=kubernetes', `--kubeconfig=${env.kubeconfig}`, ...namespace, '--shutdown-timeout=10s', ...extraArgs];
    const gateway = await startGatewayProcess(config, args);
    // Never throws: the cluster's other cleanups (pods!) must still run.
    env.defer(async () => void exits.push({ pid: gateway.pid, code: await gateway.stop('SIGTERM') }));
    return Object.assign(gateway, {
      fn: (name: string, rest: string) => gateway.url(`/${name}${rest}`),
      routeTo: (names: readonly string[], paths?: readonly string[]) => config.write('routes/functions.yaml', routesFor(names, paths)),
    });
  };
  return { cluster, start };
}

/** Service + Deployment NAME (replicas 0 unless given), annotated, with a pod template. */
export function addFunction(cluster: FakeCluster, name: string, seed: { annotations?: Record<string, string>; replicas?: number; pod?: PodTemplate; namespace?: string } = {}): void {
  const namespace = seed.namespace ?? cluster.namespace;
  if (seed.pod) cluster.kubelet.configure(namespace, name, seed.pod);
  if (namespace === cluster.namespace) return cluster.addFunction(name, { service: { annotations: seed.annotations }, deployment: { replicas: seed.replicas ?? 0 } });
  cluster.apiserver.store.create('services', service(name, namespace, { annotations: seed.annotations }));
  cluster.apiserver.store.create('deployments', deployment(name, namespace, { replicas: seed.replicas ?? 0 }));
}

/** What `kubectl scale` or an HPA would do: spec.replicas, straight into the store. */
export function scaleDeployment(cluster: FakeCluster, name: string, replicas: number): void {
  cluster.apiserver.store.mutate('deployments', cluster.namespace, name, (object) => {
    object.spec = { ...(object.spec as Record<string, unknown>), replicas };
  });
}

export function replicasOf(cluster: FakeCluster, name: string, namespace = cluster.namespace): number | undefined {
  return (cluster.apiserver.store.get('deployments', namespace, name)?.spec as { replicas?: number } | undefined)?.replicas;
}

/** PATCHes of deployments/NAME/scale the gateways sent (to `replicas`, when given). */
export function scalePatches(cluster: FakeCluster, name: string, replicas?: number): number {
  return cluster.apiserver
    .requests({ verb: 'patch', resource: 'deployments/scale', name })
    .filter((record) => record.status < 300) // a 409 (a precondition that failed) changed nothing
    .filter((record) => replicas === undefined || (record.body as { spec?: { replicas?: number } } | undefined)?.spec?.replicas === replicas).length;
}

/** The pids of NAME's pods that are Ready, once there are `n`. */
export async function readyPods(cluster: FakeCluster, name: string, n: number): Promise<Array<{ name: string; address: string; pid: number }>> {
  const pods = await cluster.kubelet.waitForPods(`${n} ready pod(s) of ${name}`, { deployment: name }, (all) => all.filter((p) => p.phase === 'ready').length === n);
  return pods.filter((p) => p.phase === 'ready').map((p) => ({ name: p.name, address: p.address, pid: p.pid ?? 0 }));
}

/**
 * When NAME's EndpointSlice first lists an address not in `known` as ready
 * (Date.now() at that store write), and that address.
 */
export function nextReadyEndpoint(cluster: FakeCluster, name: string, known: ReadonlySet<string>, timeoutMs = 15_000): Promise<{ address: string; at: number }> {
  const store = cluster.apiserver.store;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no new ready endpoint of ${name} within ${timeoutMs} ms`)), timeoutMs);
    const unsubscribe = store.subscribe((event) => {
      if (event.resource !== 'endpointslices' || event.object.metadata.labels?.['kubernetes.io/service-name'] !== name) return;
      const endpoints = (event.object.endpoints ?? []) as Array<{ addresses: string[]; conditions?: { ready?: boolean } }>;
      const fresh = endpoints.find((e) => e.conditions?.ready === true && !known.has(e.addresses[0] ?? ''));
      if (fresh) finish(undefined, { address: fresh.addresses[0] ?? '', at: Date.now() });
    });
    function finish(error: Error | undefined, found?: { address: string; at: number }): void {
      clearTimeout(timer);
      unsubscribe();
      if (error) reject(error);
      else resolve(found as { address: string; at: number });
    }
  });
}

/** GET that must complete within `boundMs` (a hang fails the test, naming the URL). Never retries. */
export function getWithin(url: string, boundMs = 20_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: boundMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: () => body.toString('utf8'), json: <T>() => JSON.parse(body.toString('utf8')) as T });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} did not complete within ${boundMs} ms`)));
    req.on('error', reject);
  });
}

/** The pid of the pod that answered (the test function sets x-function-pid). */
export const pidOf = (reply: Reply): number => Number(reply.headers['x-function-pid']);

/** /readyz, polled until it answers `status`. */
export function untilReadyz(gateway: GatewayProcess, status: number): Promise<number> {
  return until(`/readyz to answer ${status}`, async () => {
    const reply = await getWithin(gateway.adminUrl('/readyz'), 5000);
    return reply.status === status ? status : undefined;
  });
}

/** NAME with two Ready pods, and a gateway that sees both as endpoints. */
export async function twoPodsBehindAGateway(cluster: FakeCluster, start: KubeGateways['start'], name: string): Promise<{ pods: Array<{ name: string; address: string; pid: number }>; gateway: KubeGateway }> {
  addFunction(cluster, name, { replicas: 2 });
  const pods = await readyPods(cluster, name, 2);
  const gateway = await start([name]);
  await untilReadyz(gateway, 200);
  await untilStatus(gateway, name, 'both pods as endpoints', (view) => view.endpoints.length === 2);
  return { pods, gateway };
}
