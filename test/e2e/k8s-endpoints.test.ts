// SPEC §5 endpoints "the ready endpoints of the EndpointSlices ... not
// terminating": a pod scaled away is listed terminating first; from then on the
// gateway sends it nothing new, while the requests it already has finish there.
import assert from 'node:assert/strict';
import { addFunction, getWithin, twoPodsBehindAGateway, pidOf, readyPods, scaleDeployment, untilReadyz, useKubeGateways } from '../support/kube-gateway.js';
import { untilStatus } from '../support/wake.js';

describe('Kubernetes backend: an endpoint leaving its slice', () => {
  const { cluster, start } = useKubeGateways();

  it('gets no new request once terminating, while its in-flight request completes 200', async function () {
    this.timeout(60_000);
    const env = cluster();
    const { pods, gateway } = await twoPodsBehindAGateway(env, start, 'orders');

    // One slow request on each pod (least outstanding requests spreads them).
    const slow = [getWithin(gateway.fn('orders', '/delay/1500')), getWithin(gateway.fn('orders', '/delay/1500'))];
    await untilStatus(gateway, 'orders', 'a request in flight on each pod', (view) => view.endpoints.every((e) => e.inFlight === 1));

    // Scaled to 1, the ReplicaSet picks one pod: listed terminating, then SIGTERM.
    scaleDeployment(env, 'orders', 1);
    const going = await env.kubelet.waitForPods('a pod terminating', { deployment: 'orders', includeExited: true }, (all) => all.some((p) => p.phase !== 'ready'));
    const victim = pods.find((pod) => going.some((p) => p.name === pod.name && p.phase !== 'ready'));
    const survivor = pods.find((pod) => pod !== victim);
    if (!victim || !survivor) throw new Error('two pods');
    const left = await untilStatus(gateway, 'orders', 'the terminating pod out of the endpoints', (view) => view.endpoints.length === 1);
    assert.equal(left.endpoints[0]?.id.startsWith(`${survivor.address}:`), true);

    const fresh = await Promise.all(Array.from({ length: 10 }, () => getWithin(gateway.fn('orders', '/echo'))));
    assert.deepEqual(fresh.map((reply) => reply.status), Array.from({ length: 10 }, () => 200));
    assert.deepEqual([...new Set(fresh.map(pidOf))], [survivor.pid], 'new requests only to the pod still in the slice');

    const finished = await Promise.all(slow);
    assert.deepEqual(finished.map((reply) => [reply.status, reply.text()]), [[200, 'waited 1500'], [200, 'waited 1500']]);
    assert.deepEqual(finished.map(pidOf).sort(), [survivor.pid, victim.pid].sort(), 'the terminating pod finished its own request');
  });
});
