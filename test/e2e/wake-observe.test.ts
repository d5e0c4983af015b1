// What an operator sees of a wake: the function's own output in the gateway log,
// tagged with its name (local backend), and the wake metrics of SPEC §6.
import assert from 'node:assert/strict';
import { send } from '../support/http-client.js';
import { metric, untilStatus, useWakeGateway } from '../support/wake.js';

describe('observing wakes', () => {
  const env = useWakeGateway((file) => ({
    chatty: { coldStartTimeout: '25s' },
    gated: { env: { READY_WHEN_FILE: file('ready') }, coldStartTimeout: '25s' },
  }));

  describe('the gateway log', () => {
    it("carries the function's stdout as info and its stderr as warn, tagged with its name", async () => {
      const { gateway, url } = env();
      assert.equal((await send(url('chatty', '/log/hello%20from%20the%20function'))).status, 200);
      const lines = await Promise.all(
        ['stdout', 'stderr'].map((stream) => gateway.waitForLog((line) => line.msg === 'hello from the function' && line.stream === stream)),
      );
      assert.deepEqual(
        lines.map((line) => [line.function, line.stream, line.level, typeof line.instance]),
        [
          ['chatty', 'stdout', 30, 'string'],
          ['chatty', 'stderr', 40, 'string'],
        ],
      );
    });

    it('carries the line the function prints at startup', async () => {
      const { gateway, url } = env();
      const reply = await send(url('chatty', '/echo'));
      const pid = reply.json<{ pid: number }>().pid;
      const started = await gateway.waitForLog((line) => line.function === 'chatty' && String(line.msg).startsWith('test function listening on'));
      assert.equal(started.stream, 'stdout');
      assert.match(String(started.msg), new RegExp(`\\(pid ${pid}\\)$`));
    });
  });

  describe('/metrics after a wake', () => {
    it('counts one ready wake with its duration, one ready endpoint and nothing pending', async () => {
      const { gateway, url } = env();
      assert.equal((await send(url('chatty', '/echo'))).status, 200);
      await untilStatus(gateway, 'chatty', 'the request to finish', (f) => f.inFlight === 0);
      const read = (name: string, labels: Record<string, string>): Promise<number | undefined> => metric(gateway, name, labels);
      const values = {
        wakesReady: await read('gatehouse_wakes_total', { function: 'chatty', outcome: 'ready' }),
        wakesTimeout: await read('gatehouse_wakes_total', { function: 'chatty', outcome: 'timeout' }),
        wakeDurationCount: await read('gatehouse_wake_duration_seconds_count', { function: 'chatty' }),
        readyEndpoints: await read('gatehouse_ready_endpoints', { function: 'chatty' }),
        pending: await read('gatehouse_pending_requests', { function: 'chatty' }),
        upstreamCount: await read('gatehouse_upstream_duration_seconds_count', { function: 'chatty' }),
      };
      assert.deepEqual(values, { wakesReady: 1, wakesTimeout: undefined, wakeDurationCount: 1, readyEndpoints: 1, pending: 0, upstreamCount: 1 });
      const wakeSeconds = await read('gatehouse_wake_duration_seconds_sum', { function: 'chatty' });
      assert.ok(wakeSeconds !== undefined && wakeSeconds > 0, `a wake takes some time (${wakeSeconds})`);
      const inLargestBucket = await read('gatehouse_wake_duration_seconds_bucket', { le: '+Inf', function: 'chatty' });
      assert.equal(inLargestBucket, 1);
    });

    it('shows held requests in gatehouse_pending_requests while the function wakes, and 0 after', async () => {
      const { gateway, url, lift } = env();
      const pending = (): Promise<number | undefined> => metric(gateway, 'gatehouse_pending_requests', { function: 'gated' });
      const replies = [1, 2, 3].map((i) => send(url('gated', `/echo/${i}`)));
      await untilStatus(gateway, 'gated', 'three held requests', (f) => f.pending === 3);
      assert.equal(await pending(), 3);
      assert.equal(await metric(gateway, 'gatehouse_ready_endpoints', { function: 'gated' }), undefined, 'no endpoint was ever published');
      lift('ready');
      assert.deepEqual((await Promise.all(replies)).map((r) => r.status), [200, 200, 200]);
      assert.equal(await pending(), 0);
      assert.equal(await metric(gateway, 'gatehouse_ready_endpoints', { function: 'gated' }), 1);
    });
  });
});
