// More of the simulated kubelet behind the fake apiserver (the scale-up /
// scale-down path itself is in kube-fake.test.ts): Deployment status, crashes,
// and a readiness that runs ahead of the app (SPEC §5).
import assert from 'node:assert/strict';
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { useFakeCluster, type FakeCluster } from '../support/kube/cluster.js';
import { endpointsOf, slicesInformer } from '../support/kube/informers.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Whether a process with this PID still exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('fake cluster kubelet', () => {
  const env = useFakeCluster({ namespace: 'functions' });

  async function watchSlices(cluster: FakeCluster, name: string) {
    const traced = slicesInformer(cluster, name);
    await traced.informer.start();
    return traced;
  }

  const scale = (cluster: FakeCluster, name: string, replicas: number) =>
    cluster.kubeConfig.makeApiClient(AppsV1Api).patchNamespacedDeploymentScale({ name, namespace: cluster.namespace, body: { spec: { replicas } } }, MERGE);

  it('keeps Deployment status and the Scale status current', async () => {
    const cluster = env();
    cluster.addFunction('orders');
    await scale(cluster, 'orders', 2);
    await cluster.kubelet.waitForPods('2 ready pods', { deployment: 'orders' }, (pods) => pods.filter((p) => p.phase === 'ready').length === 2);
    // The status write follows the pod change through the kubelet's queue.
    await cluster.apiserver.store.waitFor('deployments', cluster.namespace, 'orders', (d) => (d.status as { readyReplicas?: number }).readyReplicas === 2);
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    const status = (await apps.readNamespacedDeployment({ name: 'orders', namespace: cluster.namespace })).status;
    assert.deepEqual([status?.replicas, status?.readyReplicas, status?.availableReplicas], [2, 2, 2]);
    assert.equal((await apps.readNamespacedDeploymentScale({ name: 'orders', namespace: cluster.namespace })).status?.replicas, 2);
    const addresses = cluster.kubelet.pods({ deployment: 'orders' }).map((pod) => pod.address);
    assert.equal(new Set(addresses).size, 2, 'distinct loopback addresses');
  });

  it('drops a crashed pod from the slice at once and replaces it on another address (killPod)', async () => {
    const cluster = env();
    cluster.addFunction('orders');
    const { trace } = await watchSlices(cluster, 'orders');
    await scale(cluster, 'orders', 1);
    const [first] = await cluster.kubelet.waitForPods('a ready pod', { deployment: 'orders' }, (pods) => pods.some((p) => p.phase === 'ready'));
    await cluster.kubelet.killPod(first?.name ?? '');
    const [second] = await trace.until('a ready replacement', (t) => {
      const ready = endpointsOf(t.cache()).filter((seen) => seen.ready && seen.address !== first?.address);
      return ready.length === 1 ? ready : undefined;
    });
    assert.deepEqual(endpointsOf(trace.cache()).map((seen) => seen.address), [second?.address]);
    assert.equal(alive(first?.pid ?? 0), false);
    assert.equal(cluster.kubelet.pods({ deployment: 'orders', includeExited: true }).find((pod) => pod.name === first?.name)?.exit?.signal, 'SIGKILL');
  });

  it('with a fixed readiness delay, can list a pod Ready before the app answers /healthz', async () => {
    const cluster = env();
    cluster.addFunction('slow');
    cluster.kubelet.configure(cluster.namespace, 'slow', { readiness: { kind: 'delay', ms: 0 }, env: { READY_DELAY_MS: '60000' } });
    const { trace } = await watchSlices(cluster, 'slow');
    await scale(cluster, 'slow', 1);
    const [endpoint] = await trace.until('a ready endpoint', (t) => {
      const ready = endpointsOf(t.cache()).filter((seen) => seen.ready);
      return ready.length === 1 ? ready : undefined;
    });
    const [pod] = cluster.kubelet.pods({ deployment: 'slow' });
    await cluster.kubelet.waitForPods('the process to listen', { deployment: 'slow' }, () => cluster.kubelet.output(pod?.name ?? '').includes('listening'));
    const health = await fetch(`http://${endpoint?.address ?? ''}:${endpoint?.port ?? 0}/healthz`);
    assert.equal(health.status, 503);
  });
});
