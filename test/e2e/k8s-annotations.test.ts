// SPEC §5 Service annotations on the Kubernetes backend: a bad value is logged,
// shown in /admin/functions and replaced by its default (one typo must not make
// a function unreachable); gatehouse.io/readiness-path holds requests until the
// app itself answers; gatehouse.io/concurrency caps in-flight requests per pod.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN } from '../support/gateway-process.js';
import { adminHeaders, send } from '../support/http-client.js';
import { addFunction, getWithin, nextReadyEndpoint, readyPods, scalePatches, untilReadyz, useKubeGateways } from '../support/kube-gateway.js';
import { assertUnavailable, untilStatus } from '../support/wake.js';

describe('Kubernetes backend: Service annotations', () => {
  const { cluster, start } = useKubeGateways();

  it('logs a bad value, shows it in /admin/functions (problems), and uses the default', async () => {
    const env = cluster();
    addFunction(env, 'typo', { annotations: { 'gatehouse.io/max-pending': 'lots', 'gatehouse.io/wake-replicas': 'two' } });
    const gateway = await start(['typo']);
    await untilReadyz(gateway, 200);

    const logged = await gateway.waitForLog((line) => line.msg === 'bad gatehouse.io annotation; using the default' && String(line.problem).startsWith('gatehouse.io/max-pending'));
    assert.equal(logged.function, 'typo');
    assert.match(String(logged.problem), /"lots" is not an integer/);
    const listed = await send(gateway.adminUrl('/admin/functions'), { headers: adminHeaders(ADMIN_TOKEN) });
    const problems = listed.json<{ functions: Array<{ name: string; problems: string[] }> }>().functions.find((f) => f.name === 'typo')?.problems ?? [];
    assert.equal(problems.length, 2);
    assert.ok(problems.some((p) => p.startsWith('gatehouse.io/max-pending: "lots"')), problems.join('; '));
    assert.ok(problems.some((p) => p.startsWith('gatehouse.io/wake-replicas: "two"')), problems.join('; '));

    // Defaults: it still wakes, to the default 1 replica, and holds more than one request.
    const replies = await Promise.all([1, 2, 3].map(() => getWithin(gateway.fn('typo', '/echo'))));
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 200]);
    assert.deepEqual(env.apiserver.requests({ verb: 'patch', resource: 'deployments/scale' }).map((r) => r.body), [{ spec: { replicas: 1 } }]);
  });

  it('with gatehouse.io/readiness-path, releases held requests only once the app answers 2xx there', async function () {
    this.timeout(60_000);
    const env = cluster();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-k8s-'));
    env.defer(() => rmSync(dir, { recursive: true, force: true }));
    const healthy = path.join(dir, 'healthy');
    // Kubernetes calls the pod Ready at once; its app answers /healthz 2xx only once `healthy` exists.
    const pod = { readiness: { kind: 'delay', ms: 0 }, env: { READY_WHEN_FILE: healthy } } as const;
    addFunction(env, 'gated', { annotations: { 'gatehouse.io/readiness-path': '/healthz' }, pod });
    addFunction(env, 'plain', { pod: { readiness: { kind: 'probe', path: '/echo' } } });
    const gateway = await start(['gated', 'plain']);
    await untilReadyz(gateway, 200);

    let answered = false;
    const gatedReady = nextReadyEndpoint(env, 'gated', new Set());
    const gatedReply = getWithin(gateway.fn('gated', '/echo')).finally(() => (answered = true));
    await gatedReady;
    // 'plain' turns Ready after 'gated' on the same watch: once 'plain' serves, the gateway
    // has seen 'gated' Ready too, and still holds its request.
    const plainReply = await getWithin(gateway.fn('plain', '/echo'));
    assert.equal(plainReply.status, 200);
    const view = await untilStatus(gateway, 'gated', 'the held request', (v) => v.pending === 1);
    assert.deepEqual(view.endpoints, [], 'Ready in Kubernetes, not yet to the gateway');
    assert.equal(answered, false);

    writeFileSync(healthy, 'ok');
    const reply = await gatedReply;
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['server-timing']), /^wake;dur=\d+$/);
    assert.equal(scalePatches(env, 'gated'), 1);
  });

  it('with gatehouse.io/readiness-path, probes a Ready pod again on the next wake after a probe timed out', async function () {
    this.timeout(60_000);
    const env = cluster();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-k8s-'));
    env.defer(() => rmSync(dir, { recursive: true, force: true }));
    const healthy = path.join(dir, 'healthy');
    const pod = { readiness: { kind: 'delay', ms: 0 }, env: { READY_WHEN_FILE: healthy } } as const;
    addFunction(env, 'gated', { annotations: { 'gatehouse.io/readiness-path': '/healthz', 'gatehouse.io/cold-start-timeout': '1s' }, pod });
    const gateway = await start(['gated']);
    await untilReadyz(gateway, 200);

    // The app does not answer its readiness path within the cold-start timeout: 503.
    assertUnavailable(await getWithin(gateway.fn('gated', '/echo')), /gated did not become ready in time/);
    // It does now, and nothing changed in Kubernetes (the pod was Ready all along): the next request is served.
    writeFileSync(healthy, 'ok');
    const reply = await getWithin(gateway.fn('gated', '/echo'));
    assert.equal(reply.status, 200);
    assert.equal(scalePatches(env, 'gated'), 1);
  });

  it('with gatehouse.io/concurrency: 1 and two pods, never has more than one request in flight per pod', async function () {
    this.timeout(60_000);
    const env = cluster();
    addFunction(env, 'single', { annotations: { 'gatehouse.io/concurrency': '1' }, replicas: 2 });
    const pods = await readyPods(env, 'single', 2);
    const gateway = await start(['single']);
    await untilReadyz(gateway, 200);
    await untilStatus(gateway, 'single', 'both pods as endpoints', (view) => view.endpoints.length === 2);

    const replies = await Promise.all(Array.from({ length: 8 }, () => getWithin(gateway.fn('single', '/delay/200'))));
    assert.deepEqual(replies.map((r) => r.status), Array.from({ length: 8 }, () => 200));
    // The pod counts what it was handling when each request began, itself included.
    assert.deepEqual([...new Set(replies.map((r) => r.headers['x-function-in-flight']))], ['1']);
    const pids = new Set(replies.map((r) => Number(r.headers['x-function-pid'])));
    assert.deepEqual([...pids].sort(), pods.map((p) => p.pid).sort(), 'both pods served');
    assert.equal(scalePatches(env, 'single'), 0, 'busy pods are not a wake');
  });
});
