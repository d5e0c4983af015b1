// SPEC §5 on the Kubernetes backend, end to end: a real gateway process, the
// fake API server and its kubelet (real pod processes). Waking from zero through
// the scale subresource (one patch however many requests are held) or through
// a wake hook, and /readyz (SPEC §6) before and after the first full sync.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { send } from '../support/http-client.js';
import { addFunction, getWithin, pidOf, readyPods, scaleDeployment, scalePatches, untilReadyz, useKubeGateways } from '../support/kube-gateway.js';
import { untilStatus } from '../support/wake.js';

describe('Kubernetes backend: waking a function', () => {
  const { cluster, start } = useKubeGateways();

  describe('/readyz', () => {
    it('is 503 until the first full sync (services list forbidden), then 200', async () => {
      const env = cluster();
      addFunction(env, 'hello');
      env.apiserver.setForbidden('services', 'list');
      const gateway = await start(['hello']);
      // Two refused lists: the gateway tried, backed off and tried again; still not ready.
      await env.apiserver.waitForRequests({ verb: 'list', resource: 'services', status: 403 }, 2);
      assert.equal((await getWithin(gateway.adminUrl('/readyz'))).status, 503);
      assert.equal((await getWithin(gateway.adminUrl('/healthz'))).status, 200);
      env.apiserver.setForbidden('services', 'list', false);
      await untilReadyz(gateway, 200);
    });

    it('is 503 while the API server is down at start, then 200 once it is back', async () => {
      const env = cluster();
      addFunction(env, 'hello');
      await env.apiserver.stop();
      const gateway = await start(['hello']);
      assert.equal((await getWithin(gateway.adminUrl('/readyz'))).status, 503);
      await gateway.waitForLog((line) => line.msg === 'Kubernetes watch failed; restarting');
      assert.equal((await getWithin(gateway.adminUrl('/readyz'))).status, 503);
      await env.apiserver.restart();
      await untilReadyz(gateway, 200);
      assert.equal((await getWithin(gateway.fn('hello', '/echo'))).status, 200, 'and it serves');
    });
  });

  describe('when the function is at zero', () => {
    it('serves the first request from a pod it scaled up, with Server-Timing: wake', async () => {
      const env = cluster();
      addFunction(env, 'hello');
      const gateway = await start(['hello']);
      await untilReadyz(gateway, 200);
      const reply = await getWithin(gateway.fn('hello', '/echo?x=1'));
      assert.equal(reply.status, 200);
      assert.match(String(reply.headers['server-timing']), /^wake;dur=\d+$/);
      assert.equal(reply.json<{ url: string }>().url, '/echo?x=1');
      const [pod] = await readyPods(env, 'hello', 1);
      assert.equal(pidOf(reply), pod?.pid, 'answered by the pod the kubelet started');
      assert.equal(scalePatches(env, 'hello', 1), 1);

      const warm = await getWithin(gateway.fn('hello', '/echo'));
      assert.equal(warm.status, 200);
      assert.equal(warm.headers['server-timing'], undefined, 'a warm request waited for no wake');
    });

    it('makes exactly one scale patch for 500 concurrent requests, and answers all 200', async function () {
      this.timeout(120_000);
      const env = cluster();
      // The pod turns Ready only when the test says so: all 500 are held at zero first.
      const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-k8s-'));
      env.defer(() => rmSync(dir, { recursive: true, force: true }));
      const readyFile = path.join(dir, 'ready');
      addFunction(env, 'hello', { pod: { env: { READY_WHEN_FILE: readyFile } } });
      const gateway = await start(['hello']);
      await untilReadyz(gateway, 200);

      const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
      env.defer(() => agent.destroy());
      const replies = Array.from({ length: 500 }, () => send(gateway.fn('hello', '/echo'), { agent }));
      await untilStatus(gateway, 'hello', '500 held requests', (view) => view.pending === 500);
      assert.equal(existsSync(readyFile), false);
      writeFileSync(readyFile, 'go');

      const statuses = (await Promise.all(replies)).map((reply) => reply.status);
      assert.deepEqual([...new Set(statuses)], [200]);
      assert.equal(scalePatches(env, 'hello'), 1, 'one scale patch for the whole wake');
      assert.equal((await readyPods(env, 'hello', 1)).length, 1);
    });
  });

  describe('gatehouse.io/wake-hook', () => {
    it('POSTs {"function","namespace"} to the hook instead of patching the scale', async () => {
      const env = cluster();
      const calls: unknown[] = [];
      // The hook does the scaling its own way (here: straight into the store).
      const hook = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          calls.push({ method: req.method, contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString()) as unknown });
          scaleDeployment(env, 'hooked', 1);
          res.writeHead(202).end();
        });
      });
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
      env.defer(() => new Promise<void>((resolve) => hook.close(() => resolve())));
      const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/wake`;
      addFunction(env, 'hooked', { annotations: { 'gatehouse.io/wake-hook': hookUrl } });
      const gateway = await start(['hooked']);
      await untilReadyz(gateway, 200);

      const replies = await Promise.all([1, 2, 3].map(() => getWithin(gateway.fn('hooked', '/echo'))));
      assert.deepEqual(replies.map((r) => r.status), [200, 200, 200]);
      assert.match(String(replies[0]?.headers['server-timing']), /^wake;dur=\d+$/);
      assert.deepEqual(calls, [{ method: 'POST', contentType: 'application/json', body: { function: 'hooked', namespace: 'functions' } }]);
      assert.equal(env.apiserver.count({ resource: 'deployments/scale' }), 0, 'the scale subresource was not touched');
    });
  });
});
