// The fake kube-apiserver (test/support/kube) driven by the real
// @kubernetes/client-node 1.4.0: typed calls, Watch and makeInformer, as the
// gateway's Kubernetes backend uses them (SPEC §5, ARCHITECTURE "Testing shape").
import assert from 'node:assert/strict';
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, Watch, type V1Service } from '@kubernetes/client-node';
import { useFakeCluster } from '../support/kube/cluster.js';
import { endpointsOf, servicesInformer, slicesInformer } from '../support/kube/informers.js';
import { loadKubeConfig, removeKubeconfig, writeKubeconfig } from '../support/kube/kubeconfig.js';
import { endpointSlice, service, SERVICE_NAME_LABEL } from '../support/kube/objects.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The message of the Status an ApiException carries (its body is the response text). */
function statusMessage(error: ApiException<unknown>): string {
  const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
  return String((body as { message?: unknown } | undefined)?.message);
}

describe('fake kube-apiserver, driven by @kubernetes/client-node', () => {
  const env = useFakeCluster({ namespace: 'functions' });

  const services = (restartAfterMs?: number) => ({ ...servicesInformer(env(), restartAfterMs), core: env().kubeConfig.makeApiClient(CoreV1Api) });

  describe('list and watch', () => {
    it('lists, then watches from the list resourceVersion: add, update and delete arrive in order', async () => {
      const { apiserver, namespace } = env();
      apiserver.store.create('services', service('alpha', namespace));
      const { informer, trace, core, listed } = services();
      await informer.start();
      await trace.untilEvent('add alpha');
      await core.createNamespacedService({ namespace, body: service('beta', namespace) as V1Service });
      await trace.untilEvent('add beta');
      await core.patchNamespacedService({ name: 'beta', namespace, body: { metadata: { annotations: { 'gatehouse.io/idle-timeout': '10m' } } } }, MERGE);
      await trace.untilEvent('update beta');
      await core.deleteNamespacedService({ name: 'beta', namespace });
      await trace.untilEvent('delete beta');

      assert.deepEqual(trace.events, ['connect', 'add alpha', 'add beta', 'update beta', 'delete beta']);
      assert.equal(apiserver.count({ verb: 'list' }), 1);
      const watches = apiserver.requests({ verb: 'watch' });
      assert.equal(watches.length, 1);
      assert.equal(watches[0]?.query.resourceVersion, listed[0]);
    });

    it('filters EndpointSlices by kubernetes.io/service-name, and a relabelled slice leaves the watch as DELETED', async () => {
      const { apiserver, namespace } = env();
      const selector = `${SERVICE_NAME_LABEL}=orders`;
      apiserver.store.create('endpointslices', endpointSlice('orders', namespace, [{ address: '127.0.1.200', ready: true }], { name: 'orders-1', port: 8080 }));
      apiserver.store.create('endpointslices', endpointSlice('other', namespace, [], { name: 'other-1' }));
      const { informer, trace } = slicesInformer(env(), 'orders');
      await informer.start();
      await trace.untilEvent('add orders-1');
      assert.deepEqual(trace.cache()[0]?.ports?.map(({ name, port, protocol }) => ({ name, port, protocol })), [{ name: 'http', port: 8080, protocol: 'TCP' }]);
      apiserver.store.mutate('endpointslices', namespace, 'orders-1', (slice) => {
        slice.metadata.labels = { [SERVICE_NAME_LABEL]: 'other' };
      });
      await trace.untilEvent('delete orders-1');
      apiserver.store.create('endpointslices', endpointSlice('orders', namespace, [], { name: 'orders-2' }));
      await trace.untilEvent('add orders-2');
      assert.deepEqual(trace.events, ['connect', 'add orders-1', 'delete orders-1', 'add orders-2']);
      assert.equal(apiserver.requests({ verb: 'watch' })[0]?.query.labelSelector, selector);
    });

    it('after cutWatches() the informer reports an error and stops; restarted, it resumes from its resourceVersion without relisting', async () => {
      const { apiserver, namespace } = env();
      apiserver.store.create('services', service('alpha', namespace));
      const { informer, trace } = services(0);
      await informer.start();
      await apiserver.waitForOpenWatches(1);
      assert.equal(apiserver.cutWatches(), 1);
      await trace.untilEvent('connect', 2);
      await apiserver.waitForOpenWatches(1);
      apiserver.store.create('services', service('beta', namespace));
      await trace.untilEvent('add beta');
      assert.deepEqual(trace.events, ['connect', 'add alpha', 'error ERR_STREAM_PREMATURE_CLOSE', 'connect', 'add beta']);
      assert.equal(apiserver.count({ verb: 'list' }), 1);
      const rvs = apiserver.requests({ verb: 'watch' }).map((watch) => watch.query.resourceVersion);
      assert.deepEqual(rvs, [rvs[0], rvs[0]]);
    });

    it('after closeWatches() (a clean end, like a server timeout) the informer re-watches by itself, without an error', async () => {
      const { apiserver, namespace } = env();
      const { informer, trace } = services();
      await informer.start();
      await apiserver.waitForOpenWatches(1);
      assert.equal(apiserver.closeWatches(), 1);
      await apiserver.waitForRequests({ verb: 'watch' }, 2);
      apiserver.store.create('services', service('alpha', namespace));
      await trace.untilEvent('add alpha');
      assert.deepEqual(trace.events, ['connect', 'connect', 'add alpha']);
      assert.equal(apiserver.count({ verb: 'list' }), 1);
    });

    for (const mode of ['event', 'http'] as const) {
      it(`relists after a too-old resourceVersion (${mode === 'event' ? 'a watch ERROR event with a 410 Status, as kube-apiserver sends it' : 'HTTP 410'})`, async () => {
        const { apiserver, namespace } = env();
        apiserver.setGoneMode(mode);
        apiserver.store.create('services', service('alpha', namespace));
        apiserver.store.create('services', service('xray', namespace));
        const { informer, trace } = services();
        await informer.start();
        await apiserver.waitForOpenWatches(1);
        apiserver.cutWatches();
        await trace.untilEvent('error ERR_STREAM_PREMATURE_CLOSE');
        // While it is down: changes, then a compaction past its resourceVersion.
        apiserver.store.delete('services', namespace, 'xray');
        apiserver.store.create('services', service('beta', namespace));
        apiserver.store.mutate('services', namespace, 'alpha', (svc) => {
          svc.metadata.annotations = { 'gatehouse.io/wake-replicas': '2' };
        });
        apiserver.expireHistory();
        await informer.start();
        await trace.untilEvent('add beta');
        assert.deepEqual(trace.events.slice(4), ['connect', 'connect', 'delete xray', 'update alpha', 'add beta']);
        assert.equal(apiserver.counters().lists, 2);
        assert.equal(apiserver.counters().expiredWatches, 1);
        assert.deepEqual(apiserver.requests({ expired: true }).map((watch) => watch.status), [mode === 'event' ? 200 : 410]);
        await apiserver.waitForOpenWatches(1);
      });
    }

    it('ends a watch cleanly after timeoutSeconds, and sends BOOKMARKs only when allowWatchBookmarks', async () => {
      const { apiserver, namespace, kubeConfig } = env();
      const path = `/api/v1/namespaces/${namespace}/services`;
      const seen: string[] = [];
      const started = Date.now();
      const ended = new Promise<unknown>((resolve) => {
        void new Watch(kubeConfig).watch(path, { timeoutSeconds: 1, allowWatchBookmarks: true, resourceVersion: String(apiserver.store.resourceVersion) },
          (type: string, object: V1Service) => seen.push(`${type} ${object.metadata?.resourceVersion ?? ''}`), resolve);
      });
      const plain = await new Watch(kubeConfig).watch(path, {}, () => {}, () => {});
      env().defer(() => plain.abort());
      await apiserver.waitForOpenWatches(2);
      const created = apiserver.store.create('services', service('alpha', namespace));
      assert.equal(apiserver.sendBookmarks(), 1, 'only the watch that allows bookmarks gets one');
      assert.equal(await ended, null);
      assert.ok(Date.now() - started >= 900, 'ended by timeoutSeconds');
      const rv = created.metadata.resourceVersion ?? '';
      assert.deepEqual(seen, [`ADDED ${rv}`, `BOOKMARK ${rv}`]);
    });

    it('survives stop() and restart() on the same port: objects persist and a restarted informer catches up', async () => {
      const { apiserver, namespace } = env();
      apiserver.store.create('services', service('alpha', namespace));
      const { informer, trace } = services(50);
      await informer.start();
      await apiserver.waitForOpenWatches(1);
      const port = apiserver.port;
      await apiserver.stop();
      await trace.untilEvent('error ERR_STREAM_PREMATURE_CLOSE');
      apiserver.store.create('services', service('beta', namespace));
      await apiserver.restart();
      assert.equal(apiserver.port, port);
      await trace.untilEvent('add beta');
      assert.equal(apiserver.count({ verb: 'list' }), 1);
    });

    it('informer.stop() is reported as an error too (AbortError): a restart-on-error handler must tell them apart', async () => {
      const { apiserver } = env();
      const { informer, trace } = services();
      await informer.start();
      await apiserver.waitForOpenWatches(1);
      await informer.stop();
      await trace.until('an AbortError', (t) => t.errors.find((error) => (error as Error).name === 'AbortError'));
      await apiserver.waitForOpenWatches(0);
    });
  });

  describe('scale subresource and the kubelet', () => {
    it('starts a pod process on 127.0.1.x for a scale merge-patch, lists it ready; at replicas 0 lists it terminating, stops it, drops it', async () => {
      const cluster = env();
      const { apiserver, kubelet, namespace, kubeConfig } = cluster;
      cluster.addFunction('orders');
      const { informer, trace } = slicesInformer(cluster, 'orders');
      const history: Array<ReturnType<typeof endpointsOf>> = [];
      informer.on('change', () => history.push(endpointsOf(informer.list())));
      await informer.start();
      await trace.until('the empty slice of a Service with no pods', (t) => (t.cache().length === 1 ? true : undefined));
      const apps = kubeConfig.makeApiClient(AppsV1Api);
      const scale = (replicas: number) => apps.patchNamespacedDeploymentScale({ name: 'orders', namespace, body: { spec: { replicas } } }, MERGE);

      assert.equal((await scale(1)).spec?.replicas, 1);
      const [endpoint] = await trace.until('a ready endpoint', (t) => {
        const ready = endpointsOf(t.cache()).filter((seen) => seen.ready);
        return ready.length === 1 ? ready : undefined;
      });
      assert.match(endpoint?.address ?? '', /^127\.0\.1\.\d+$/);
      const [pod] = kubelet.pods({ deployment: 'orders' });
      assert.deepEqual([pod?.address, pod?.port], [endpoint?.address, endpoint?.port]);
      const answer = await fetch(`http://${endpoint?.address ?? ''}:${endpoint?.port ?? 0}/hello`);
      assert.equal(((await answer.json()) as { pid: number }).pid, pod?.pid);
      // Listed unready first, as the EndpointSlice controller lists a starting pod.
      assert.deepEqual(history.find((seen) => seen.length === 1)?.map((seen) => seen.ready), [false]);

      await scale(0);
      await trace.until('no endpoints', (t) => (endpointsOf(t.cache()).length === 0 ? true : undefined));
      const [gone] = await kubelet.waitForPods('the pod to exit', { deployment: 'orders', includeExited: true }, (pods) => pods.every((p) => p.phase === 'exited'));
      assert.throws(() => process.kill(gone?.pid ?? 0, 0), { code: 'ESRCH' });
      assert.ok(history.some((seen) => seen.length === 1 && seen[0]?.terminating === true && seen[0].serving && !seen[0].ready), 'listed terminating (serving) before it left');
      assert.equal(apiserver.count({ verb: 'patch', resource: 'deployments/scale', contentType: PatchStrategy.MergePatch }), 2);
    });
  });

  describe('patches', () => {
    const at = '2025-01-01T00:00:00Z';
    const cases = [
      { type: PatchStrategy.JsonPatch, options: undefined, body: [{ op: 'add', path: '/metadata/annotations/gatehouse.io~1last-request-at', value: at }] },
      { type: PatchStrategy.MergePatch, options: MERGE, body: { metadata: { annotations: { 'gatehouse.io/last-request-at': at } } } },
      { type: PatchStrategy.StrategicMergePatch, options: setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch), body: { metadata: { annotations: { 'gatehouse.io/last-request-at': at } } } },
    ];
    for (const { type, options, body } of cases) {
      it(`applies ${type} to a Deployment's annotations, leaving the rest alone`, async () => {
        const { apiserver, namespace, kubeConfig } = env();
        env().addFunction('orders', { deployment: { annotations: { keep: 'me' } } });
        const before = apiserver.store.get('deployments', namespace, 'orders');
        const apps = kubeConfig.makeApiClient(AppsV1Api);
        const patched = await apps.patchNamespacedDeployment({ name: 'orders', namespace, body }, options);
        assert.deepEqual(patched.metadata?.annotations, { keep: 'me', 'gatehouse.io/last-request-at': at });
        assert.equal(patched.metadata?.generation, before?.metadata.generation);
        assert.equal(patched.spec?.replicas, 0);
        const [sent] = apiserver.requests({ verb: 'patch', resource: 'deployments' });
        assert.equal(sent?.contentType, type);
        assert.deepEqual(sent?.body, body);
      });
    }

    it('refuses a merge body sent with the client default content type (application/json-patch+json) with a 400', async () => {
      const { namespace, kubeConfig } = env();
      env().addFunction('orders');
      const apps = kubeConfig.makeApiClient(AppsV1Api);
      await assert.rejects(apps.patchNamespacedDeploymentScale({ name: 'orders', namespace, body: { spec: { replicas: 1 } } }),
        (error: unknown) => error instanceof ApiException && error.code === 400);
    });
  });

  describe('auth', () => {
    it('answers 401 with a Status without the right bearer token', async () => {
      const { apiserver, namespace } = env();
      const file = writeKubeconfig({ server: apiserver.url, token: 'not-the-token', namespace });
      env().defer(() => removeKubeconfig(file));
      const core = loadKubeConfig(file).makeApiClient(CoreV1Api);
      await assert.rejects(core.listNamespacedService({ namespace }), (error: unknown) => error instanceof ApiException && error.code === 401);
      const bare = await fetch(`${apiserver.url}/api/v1/namespaces/${namespace}/services`);
      assert.equal(bare.status, 401);
      assert.deepEqual(await bare.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      assert.equal(apiserver.count({ status: 401 }), 2);
    });

    it('answers 403 for what setForbidden() names, and only that', async () => {
      const { apiserver, namespace, kubeConfig } = env();
      env().addFunction('orders');
      apiserver.setForbidden('deployments/scale', 'patch');
      const apps = kubeConfig.makeApiClient(AppsV1Api);
      await assert.rejects(apps.patchNamespacedDeploymentScale({ name: 'orders', namespace, body: { spec: { replicas: 1 } } }, MERGE),
        (error: unknown) => error instanceof ApiException && error.code === 403 && /cannot patch resource "deployments\/scale" in API group "apps"/.test(statusMessage(error)));
      assert.equal((await apps.readNamespacedDeploymentScale({ name: 'orders', namespace })).spec?.replicas, 0);
      apiserver.setForbidden('services', 'list');
      const { informer, trace } = services();
      await informer.start();
      await trace.untilEvent('error 403');
    });
  });
});
