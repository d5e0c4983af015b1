// SPEC §2: "a reload that changes nothing a function depends on leaves its
// instances, timers and state as they were". Every reload used to restart each
// local function's idle sweep, so reloads more often than idleTimeout/4 kept its
// instances running forever. Here SIGHUP comes every 300 ms while the function
// should fall asleep 2 s after its last request, on both backends.
import assert from 'node:assert/strict';
import type { GatewayProcess } from '../support/gateway-process.js';
import { TEST_FUNCTION } from '../support/config-dir.js';
import { send } from '../support/http-client.js';
import { addFunction, getWithin, replicasOf, untilReadyz, useKubeGateways } from '../support/kube-gateway.js';
import { logLines, metric, useWakeGateway } from '../support/wake.js';

const IDLE_MS = 2000;
/** The local sweep runs every idleTimeout/4 and the Kubernetes tick as often: a stop is due within that after IDLE_MS. */
const TICK_MS = IDLE_MS / 4;
/** Scheduling slack on a loaded 2-core machine; a reset timer would miss by far more (until the reloads stop). */
const SLACK_MS = 800;

/** SIGHUP every `everyMs` until stopped; how many were sent. */
function reloadEvery(gateway: GatewayProcess, everyMs: number): { stop(): number } {
  let sent = 0;
  const timer = setInterval(() => {
    gateway.child.kill('SIGHUP');
    sent++;
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return sent;
    },
  };
}

describe('reloads leave functions as they were', function () {
  this.timeout(60_000);

  describe('on the local backend', () => {
    const env = useWakeGateway(() => ({ napper: { idleTimeout: '2s', coldStartTimeout: '20s' } }));

    it('SIGHUP every 300 ms for 8 s: the instance still stops about idleTimeout after its last request', async () => {
      const { gateway, url } = env();
      assert.equal((await send(url('napper', '/echo'))).status, 200);
      const lastRequestAt = Date.now();
      const hups = reloadEvery(gateway, 300);
      try {
        const stopping = await gateway.waitForLog((l) => l.msg === 'stopping idle function instance' && l.function === 'napper', 8000);
        const idleFor = Number(stopping.time) - lastRequestAt;
        assert.ok(idleFor >= IDLE_MS - 50 && idleFor < IDLE_MS + TICK_MS + SLACK_MS, `stopped ${idleFor} ms after the last request`);
        while (Date.now() - lastRequestAt < 8000) await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        const sent = hups.stop();
        assert.ok(sent >= 20, `${sent} SIGHUPs`);
      }
      const reloaded = await metric(gateway, 'gatehouse_config_reloads_total', { result: 'ok' });
      assert.ok((reloaded ?? 0) >= 15, `${reloaded} reloads counted`);
      assert.equal(logLines(gateway, 'waking function', 'napper').length, 1, 'no reload started another instance');
      assert.equal(logLines(gateway, 'stopping idle function instance', 'napper').length, 1);
    });

    it('a changed idleTimeout counts from the last request, not from the reload; the running instance keeps serving until then', async () => {
      const { gateway, url, config } = env();
      const first = await send(url('napper', '/echo'));
      const lastRequestAt = Date.now();
      const pid = first.json<{ pid: number }>().pid;
      // Longer idle first, so the instance cannot stop before the edit.
      const command = JSON.parse(TEST_FUNCTION) as string[];
      config.write('functions.yaml', JSON.stringify({ functions: { napper: { command, idleTimeout: '10s', coldStartTimeout: '20s' } } }));
      await gateway.waitForLog((l) => l.msg === 'config reloaded' && Number(l.version) === 2);
      await new Promise((resolve) => setTimeout(resolve, 1500 - (Date.now() - lastRequestAt)));
      config.write('functions.yaml', JSON.stringify({ functions: { napper: { command, idleTimeout: '2s', coldStartTimeout: '20s' } } }));
      const reloaded = await gateway.waitForLog((l) => l.msg === 'config reloaded' && Number(l.version) === 3);
      const stopping = await gateway.waitForLog((l) => l.msg === 'stopping idle function instance' && l.function === 'napper', 8000);
      const idleFor = Number(stopping.time) - lastRequestAt;
      assert.ok(idleFor < Number(reloaded.time) - lastRequestAt + IDLE_MS, `stopped ${idleFor} ms after the last request: counted from the reload`);
      assert.ok(idleFor >= IDLE_MS - 50, `stopped ${idleFor} ms after the last request`);
      const woken = logLines(gateway, 'waking function', 'napper');
      assert.deepEqual(woken.map((l) => [l.pid, l.instance]), [[pid, stopping.instance]], 'one instance: the one that served is the one stopped');
    });
  });

  describe('on the Kubernetes backend', () => {
    const { cluster, start } = useKubeGateways();

    it('SIGHUP every 300 ms for 8 s: the function is scaled to zero about its idle-timeout after its last request', async () => {
      const kube = cluster();
      addFunction(kube, 'napper', { annotations: { 'gatehouse.io/idle-timeout': '2s' } });
      const gateway = await start(['napper']);
      await untilReadyz(gateway, 200);
      assert.equal((await getWithin(gateway.fn('napper', '/echo'))).status, 200);
      const lastRequestAt = Date.now();
      const hups = reloadEvery(gateway, 300);
      try {
        await kube.apiserver.store.waitFor('deployments', kube.namespace, 'napper', (d) => (d.spec as { replicas?: number }).replicas === 0, 8000);
        const idleFor = Date.now() - lastRequestAt;
        assert.ok(idleFor >= IDLE_MS - 50 && idleFor < IDLE_MS + TICK_MS + SLACK_MS, `scaled to zero ${idleFor} ms after the last request`);
        while (Date.now() - lastRequestAt < 8000) await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        assert.ok(hups.stop() >= 20);
      }
      assert.equal(replicasOf(kube, 'napper'), 0);
      assert.ok(((await metric(gateway, 'gatehouse_config_reloads_total', { result: 'ok' })) ?? 0) >= 15);
    });
  });
});
