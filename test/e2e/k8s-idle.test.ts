// SPEC §5 "Idle" across gateway replicas: each records its traffic in the
// Deployment annotation gatehouse.io/last-request-at; a replica scales the
// function to 0 only when that annotation is older than the idle timeout and it
// has nothing in flight itself. Two real gateway processes share one fake cluster.
import assert from 'node:assert/strict';
import type { StoreEvent } from '../support/kube/store.js';
import { addFunction, getWithin, readyPods, replicasOf, scalePatches, untilReadyz, useKubeGateways } from '../support/kube-gateway.js';
import { untilStatus } from '../support/wake.js';
import { until } from '../support/wait.js';

const IDLE_TIMEOUT_MS = 2000;

describe('Kubernetes backend: idle functions across two gateways', () => {
  const { cluster, start } = useKubeGateways();

  it('never scales to zero while one gateway still has traffic, then scales to zero once', async function () {
    this.timeout(90_000);
    const env = cluster();
    addFunction(env, 'napper', { annotations: { 'gatehouse.io/idle-timeout': '2s' } });
    const [a, b] = await Promise.all([start(['napper']), start(['napper'])]);
    if (!a || !b) throw new Error('two gateways');
    await Promise.all([untilReadyz(a, 200), untilReadyz(b, 200)]);

    // Every change of spec.replicas, in order, from the store itself.
    const transitions: Array<{ from: number | undefined; to: number | undefined; during: 'trickle' | 'after' }> = [];
    let phase: 'trickle' | 'after' = 'trickle';
    const replicas = (object: StoreEvent['object'] | undefined): number | undefined => (object?.spec as { replicas?: number } | undefined)?.replicas;
    const unsubscribe = env.apiserver.store.subscribe((event) => {
      if (event.resource !== 'deployments' || event.object.metadata.name !== 'napper') return;
      const [from, to] = [replicas(event.previous), replicas(event.object)];
      if (from !== to) transitions.push({ from, to, during: phase });
    });
    env.defer(unsubscribe);

    // A trickle through B only, for three idle timeouts: sequential requests paced
    // by the function itself (/delay), while A has no traffic at all.
    const trickleStart = Date.now();
    let served = 0;
    while (Date.now() - trickleStart < 3 * IDLE_TIMEOUT_MS) {
      const reply = await getWithin(b.fn('napper', '/delay/150'));
      assert.equal(reply.status, 200);
      served++;
    }
    phase = 'after';
    assert.ok(served > 10);
    assert.equal(replicasOf(env, 'napper'), 1, 'still up when the trickle ends');
    // A saw B's traffic only through the annotation, and had an endpoint all along.
    assert.equal((await untilStatus(a, 'napper', 'the endpoint on A', (view) => view.endpoints.length === 1)).inFlight, 0);
    assert.ok(env.apiserver.count({ verb: 'patch', resource: 'deployments' }) >= 2, 'last-request-at was recorded as the trickle went on');

    // Idle now on both: one of them scales it to zero.
    await env.apiserver.store.waitFor('deployments', env.namespace, 'napper', (d) => replicas(d) === 0, 30_000);
    await env.kubelet.waitForPods('the pod gone', { deployment: 'napper' }, (pods) => pods.length === 0);
    await Promise.all([a, b].map((gateway) => untilStatus(gateway, 'napper', 'no endpoints', (view) => view.endpoints.length === 0)));
    assert.deepEqual(transitions, [
      { from: 0, to: 1, during: 'trickle' },
      { from: 1, to: 0, during: 'after' },
    ]);
    // Both gateways may decide at once; the patch carries the resourceVersion they judged
    // idle, so only the first succeeds (the other gets 409): one patch, one log line.
    assert.equal(scalePatches(env, 'napper', 0), 1, 'exactly one successful patch to zero');
    const slept = (): number => [a, b].flatMap((gateway) => gateway.logs.filter((line) => line.msg === 'scaled an idle function to zero')).length;
    await until('the scale to zero logged', () => (slept() === 1 ? true : undefined));

    // And the next request wakes it again, through A this time.
    const again = await getWithin(a.fn('napper', '/echo'));
    assert.equal(again.status, 200);
    assert.match(String(again.headers['server-timing']), /^wake;dur=\d+$/);
    await readyPods(env, 'napper', 1);
  });
});
