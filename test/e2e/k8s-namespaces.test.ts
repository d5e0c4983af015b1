// SPEC §5 "namespaces from --namespace": functions across namespaces. The real
// gateway process against the fake API server (test/support/kube, the real
// list/watch protocol, at the namespace and at the cluster scope) and its
// simulated kubelet. A bare name is the first listed namespace's Service;
// NAMESPACE/NAME another's; the same name in two namespaces is two functions.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeConfigDir } from '../support/config-dir.js';
import { addFunction, getWithin, pidOf, replicasOf, scalePatches, untilReadyz, useKubeGateways } from '../support/kube-gateway.js';
import { assertUnavailable, functionStatus, metric, untilStatus } from '../support/wake.js';
import { until } from '../support/wait.js';

const CLI = path.resolve('dist/cli.js');

describe('Kubernetes backend: functions across namespaces', () => {
  const { cluster, start } = useKubeGateways();

  it('routes a bare name to the first namespace and NAMESPACE/NAME to another: two functions, each woken in its own namespace', async function () {
    this.timeout(60_000);
    const env = cluster();
    addFunction(env, 'orders');
    addFunction(env, 'orders', { namespace: 'team-b' });
    const gateway = await start(['orders', 'team-b/orders'], [`--namespace=${env.namespace},team-b`]);
    await untilReadyz(gateway, 200);

    const home = await getWithin(gateway.fn('orders', '/echo'));
    assert.equal(home.status, 200);
    assert.equal(replicasOf(env, 'orders'), 1);
    assert.equal(replicasOf(env, 'orders', 'team-b'), 0, 'waking the first namespace\'s orders leaves team-b\'s asleep');

    const other = await getWithin(gateway.fn('team-b/orders', '/echo'));
    assert.equal(other.status, 200);
    assert.equal(replicasOf(env, 'orders', 'team-b'), 1);
    const [homePod] = env.kubelet.pods({ namespace: env.namespace, deployment: 'orders' });
    const [otherPod] = env.kubelet.pods({ namespace: 'team-b', deployment: 'orders' });
    assert.equal(pidOf(home), homePod?.pid);
    assert.equal(pidOf(other), otherPod?.pid);
    const scaled = env.apiserver.requests({ verb: 'patch', resource: 'deployments/scale', name: 'orders' }).map((r) => r.namespace);
    assert.deepEqual(scaled.sort(), [env.namespace, 'team-b']);

    // /admin/functions: the name as routes spell it, and the namespace.
    const a = await functionStatus(gateway, 'orders');
    const b = await functionStatus(gateway, 'team-b/orders');
    assert.equal(a.namespace, env.namespace);
    assert.equal(b.namespace, 'team-b');
    assert.notDeepEqual(a.endpoints.map((e) => e.id), b.endpoints.map((e) => e.id));
    // The metrics label `function` is the same name: bare in the first namespace (dashboards unchanged).
    assert.equal(await metric(gateway, 'gatehouse_wakes_total', { function: 'team-b/orders', outcome: 'ready' }), 1);
    assert.equal(await metric(gateway, 'gatehouse_wakes_total', { function: 'orders', outcome: 'ready' }), 1);
    // One informer pair per namespace, never the cluster scope.
    assert.equal(env.apiserver.requests({ verb: 'list' }).filter((r) => r.namespace === undefined).length, 0);
    assert.ok(env.apiserver.count({ verb: 'watch', resource: 'endpointslices', namespace: 'team-b' }) >= 1);
  });

  it('scales an idle function to zero in a non-first namespace, and wakes it again there', async function () {
    this.timeout(60_000);
    const env = cluster();
    addFunction(env, 'napper', { namespace: 'team-b', annotations: { 'gatehouse.io/idle-timeout': '1s' } });
    addFunction(env, 'napper'); // same name, first namespace: must stay untouched
    const gateway = await start(['team-b/napper', 'napper'], [`--namespace=${env.namespace},team-b`]);
    await untilReadyz(gateway, 200);
    assert.equal((await getWithin(gateway.fn('team-b/napper', '/echo'))).status, 200);
    assert.ok(env.apiserver.count({ verb: 'patch', resource: 'deployments', namespace: 'team-b', name: 'napper' }) >= 1, 'last-request-at recorded in team-b');
    await env.apiserver.store.waitFor('deployments', 'team-b', 'napper', (d) => (d.spec as { replicas?: number }).replicas === 0, 20_000);
    await untilStatus(gateway, 'team-b/napper', 'no endpoints', (view) => view.endpoints.length === 0);
    // Log lines reach stdout in batches (at least every 100 ms): wait for this one.
    await gateway.waitForLog((line) => line.msg === 'scaled an idle function to zero');
    const slept = gateway.logs.filter((line) => line.msg === 'scaled an idle function to zero');
    assert.deepEqual(slept.map((line) => [line.function, line.namespace]), [['team-b/napper', 'team-b']]);
    assert.equal(env.apiserver.requests({ verb: 'patch', resource: 'deployments/scale', namespace: env.namespace }).length, 0, 'nothing scaled in the first namespace');

    const again = await getWithin(gateway.fn('team-b/napper', '/echo'));
    assert.equal(again.status, 200);
    assert.match(String(again.headers['server-timing']), /^wake;dur=\d+$/);
    await env.kubelet.waitForPods('a pod of team-b/napper', { namespace: 'team-b', deployment: 'napper' }, (pods) => pods.some((p) => p.phase === 'ready'));
  });

  it('with *, watches at the cluster scope: bare names are the kubeconfig namespace, others NAMESPACE/NAME, and the wake hook is told the namespace', async function () {
    this.timeout(60_000);
    const env = cluster();
    const hooks: unknown[] = [];
    const hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        scale(1);
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    env.defer(() => new Promise<void>((resolve) => hook.close(() => resolve())));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/wake`;
    const scale = (replicas: number): void => void env.apiserver.store.mutate('deployments', 'team-c', 'orders', (object) => {
      object.spec = { ...(object.spec as Record<string, unknown>), replicas };
    });
    addFunction(env, 'orders', { replicas: 1 });
    addFunction(env, 'orders', { namespace: 'team-c', annotations: { 'gatehouse.io/wake-hook': hookUrl } });
    const gateway = await start(['orders', 'team-c/orders'], ['--namespace=*']);
    await untilReadyz(gateway, 200);
    await untilStatus(gateway, 'orders', 'the running pod', (view) => view.endpoints.length === 1);

    const cold = await getWithin(gateway.fn('team-c/orders', '/echo'));
    assert.equal(cold.status, 200);
    assert.deepEqual(hooks, [{ function: 'orders', namespace: 'team-c' }]);
    assert.equal(env.apiserver.count({ verb: 'patch', resource: 'deployments/scale' }), 0, 'the hook, not the scale subresource');
    const [pod] = env.kubelet.pods({ namespace: 'team-c', deployment: 'orders' });
    assert.equal(pidOf(cold), pod?.pid);
    assert.equal((await getWithin(gateway.fn('orders', '/echo'))).status, 200);

    // A Service created later in a namespace nobody listed is a function too.
    addFunction(env, 'late', { namespace: 'team-d', replicas: 1 });
    const late = await untilStatus(gateway, 'team-d/late', 'team-d/late known', (view) => view.endpoints.length === 1);
    assert.equal(late.namespace, 'team-d');
    // Lists and watches at the cluster scope only.
    const scoped = env.apiserver.requests().filter((r) => (r.verb === 'list' || r.verb === 'watch'));
    assert.ok(scoped.length >= 4);
    assert.deepEqual([...new Set(scoped.map((r) => r.path))].sort(), ['/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices']);
  });

  it('moves a function to another namespace on reload: the old one\'s held requests get their 503 at once, the new one wakes', async function () {
    this.timeout(60_000);
    const env = cluster();
    // The first namespace's pod never gets Ready in this test; the cold-start timeout is far away.
    addFunction(env, 'orders', { annotations: { 'gatehouse.io/cold-start-timeout': '5m' }, pod: { env: { READY_DELAY_MS: '600000' } } });
    addFunction(env, 'orders', { namespace: 'team-b' });
    const gateway = await start(['orders'], [`--namespace=${env.namespace},team-b`]);
    await untilReadyz(gateway, 200);
    const held = getWithin(gateway.fn('orders', '/echo'), 30_000);
    await untilStatus(gateway, 'orders', 'a request held', (view) => view.pending === 1);

    gateway.routeTo(['team-b/orders'], ['orders']); // the same path, now team-b's Service
    const dropped = await held;
    assertUnavailable(dropped, /orders is not known/);
    await until('the reload', () => (gateway.logs.some((line) => line.msg === 'config reloaded') ? true : undefined));
    const moved = await getWithin(gateway.fn('orders', '/echo'));
    assert.equal(moved.status, 200);
    assert.equal(replicasOf(env, 'orders', 'team-b'), 1);
    const teamB = env.kubelet.pods({ namespace: 'team-b', deployment: 'orders' });
    assert.equal(pidOf(moved), teamB[0]?.pid);
    assert.match(String(moved.headers['server-timing']), /^wake;dur=\d+$/, 'team-b\'s orders was woken for it');
    assert.equal(scalePatches(env, 'orders', 1), 2, 'one wake in each namespace');
    assert.equal((await functionStatus(gateway, 'orders')).pending, 0);
  });

  it('refuses a route to a namespace it does not watch, at FILE:LINE:COL, and a --namespace that is not one', async function () {
    this.timeout(30_000);
    const env = cluster();
    const routes = 'routes:\n  - name: elsewhere\n    match: { path: /x/* }\n    auth: public\n    function: team-z/orders\n';
    const config = makeConfigDir({ routes: { 'r.yaml': routes } });
    env.defer(() => config.remove());
    const serve = (namespace: string) => new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'serve', `--routes=${config.routesDir}`, `--policies=${config.policiesDir}`, '--backend=kubernetes', `--kubeconfig=${env.kubeconfig}`, `--namespace=${namespace}`, '--port=0', '--admin-port=-1'], { timeout: 20_000 }, (error, _stdout, stderr) => {
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stderr });
      });
    });
    const run = await serve(`${env.namespace},team-b`);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /r\.yaml:5:15: .*function "team-z\/orders" is in namespace "team-z", which the gateway does not watch/);
    const bad = await serve(`${env.namespace},Team_B`);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--namespace: "Team_B" is not a namespace name/);
    assert.equal(env.apiserver.count(), 0, 'refused before it ever called the API server');
  });
});
