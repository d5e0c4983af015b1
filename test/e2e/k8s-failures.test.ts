// SPEC §5 when things break under the Kubernetes backend: a pod killed under
// traffic (idempotent requests retried elsewhere, nothing hangs), the API server
// unreachable (what is known keeps serving; a wake ends in 503 at its cold-start
// timeout) and RBAC refusing the scale call (a clear log line and 503s, no crash).
import assert from 'node:assert/strict';
import type { Verb } from '../support/kube/resources.js';
import { addFunction, getWithin, twoPodsBehindAGateway, pidOf, readyPods, untilReadyz, useKubeGateways } from '../support/kube-gateway.js';
import { assertUnavailable, logLines, untilStatus } from '../support/wake.js';

describe('Kubernetes backend: failures', () => {
  const { cluster, start } = useKubeGateways();

  describe('a pod killed mid-traffic', () => {
    it('retries idempotent requests on the other pod: every GET completes, 200 (or at worst a 502)', async function () {
      this.timeout(90_000);
      const env = cluster();
      const { pods, gateway } = await twoPodsBehindAGateway(env, start, 'orders');

      // Slow GETs in flight on both pods when one of them dies.
      const inFlight = Array.from({ length: 20 }, () => getWithin(gateway.fn('orders', '/delay/800')));
      await untilStatus(gateway, 'orders', 'requests in flight on both pods', (view) => view.endpoints.every((e) => e.inFlight > 0));
      const [victim, survivor] = pods;
      if (!victim || !survivor) throw new Error('two pods');
      const killed = env.kubelet.killPod(victim.name);
      // And more arriving while the kill is seen (or not yet) by the watch.
      const arriving: Array<ReturnType<typeof getWithin>> = [];
      for (let i = 0; i < 20; i++) arriving.push(getWithin(gateway.fn('orders', '/echo')));
      await killed;
      for (let i = 0; i < 10; i++) arriving.push(getWithin(gateway.fn('orders', '/echo')));

      // Those in flight on the victim were reset before any response byte: retried on the survivor.
      const held = await Promise.all(inFlight);
      assert.deepEqual(held.map((reply) => reply.status), Array.from({ length: 20 }, () => 200));
      assert.deepEqual(held.map((reply) => reply.text()), Array.from({ length: 20 }, () => 'waited 800'));
      assert.ok(held.every((reply) => pidOf(reply) !== victim.pid));
      // Those arriving meanwhile: a refused connection is retried too; a 502 is the worst allowed.
      const statuses = (await Promise.all(arriving)).map((reply) => reply.status);
      assert.deepEqual(statuses.filter((status) => status !== 200 && status !== 502), [], `only 200 or 502: ${statuses.join(',')}`);
      assert.ok(held.some((reply) => pidOf(reply) === survivor.pid));
      assert.equal(env.kubelet.pods({ deployment: 'orders', includeExited: true }).find((p) => p.name === victim.name)?.exit?.signal, 'SIGKILL');
    });
  });

  describe('the API server unreachable', () => {
    it('keeps serving known endpoints; a wake of a sleeping function ends in 503 at its cold-start timeout', async function () {
      this.timeout(60_000);
      const env = cluster();
      addFunction(env, 'awake', { replicas: 1 });
      addFunction(env, 'sleepy', { annotations: { 'gatehouse.io/cold-start-timeout': '1s' } });
      const [pod] = await readyPods(env, 'awake', 1);
      const gateway = await start(['awake', 'sleepy']);
      await untilReadyz(gateway, 200);
      await untilStatus(gateway, 'awake', 'the pod as an endpoint', (view) => view.endpoints.length === 1);

      await env.apiserver.stop();
      const woken = await getWithin(gateway.fn('sleepy', '/echo'));
      assertUnavailable(woken, /sleepy (could not be woken|did not become ready in time)/);
      for (let i = 0; i < 5; i++) {
        const reply = await getWithin(gateway.fn('awake', '/echo'));
        assert.equal(reply.status, 200);
        assert.equal(pidOf(reply), pod?.pid);
      }
      assert.equal((await getWithin(gateway.adminUrl('/healthz'))).status, 200);
      assert.equal(gateway.child.exitCode, null, 'still running');
      assert.equal((await untilStatus(gateway, 'sleepy', 'the wake recorded', (view) => view.lastWake !== null)).pending, 0);
    });
  });

  describe('RBAC refusing the wake (403 Forbidden)', () => {
    for (const verb of ['patch', 'get'] as const satisfies readonly Verb[]) {
      it(`on ${verb} deployments/scale: logs why, answers 503, stays healthy, and wakes once the Role is fixed`, async () => {
        const env = cluster();
        addFunction(env, 'locked');
        env.apiserver.setForbidden('deployments/scale', verb);
        const gateway = await start(['locked']);
        await untilReadyz(gateway, 200);

        for (let i = 0; i < 2; i++) assertUnavailable(await getWithin(gateway.fn('locked', '/echo')), /locked could not be woken/);
        const refusedLines = (): Array<Record<string, unknown>> => logLines(gateway, 'cannot wake function: the Kubernetes API refused (check the gateway Role)', 'locked');
        // The log line goes out before the 503, but through another pipe: await it.
        await gateway.waitForLog(() => refusedLines().length >= 2);
        const refused = refusedLines();
        assert.equal(refused.length, 2, 'one line per wake');
        assert.match(String(refused[0]?.err), /403/);
        assert.equal(env.apiserver.count({ resource: 'deployments/scale', verb, status: 403 }), 2);
        assert.equal((await getWithin(gateway.adminUrl('/healthz'))).status, 200);
        assert.equal((await getWithin(gateway.adminUrl('/readyz'))).status, 200);

        env.apiserver.setForbidden('deployments/scale', verb, false);
        const reply = await getWithin(gateway.fn('locked', '/echo'));
        assert.equal(reply.status, 200);
        assert.match(String(reply.headers['server-timing']), /^wake;dur=\d+$/);
      });
    }
  });
});
