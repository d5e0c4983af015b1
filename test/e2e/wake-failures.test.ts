// SPEC §5: a wake that never becomes ready answers 503 + Retry-After after the
// cold-start timeout; one whose process dies at start answers 503 without waiting
// for it; both are counted in gatehouse_wakes_total by outcome.
import assert from 'node:assert/strict';
import { send } from '../support/http-client.js';
import { until } from '../support/wait.js';
import { assertUnavailable, functionStatus, logLines, metric, useWakeGateway } from '../support/wake.js';

describe('a wake that fails', () => {
  const env = useWakeGateway(() => ({
    stuck: { env: { NEVER_READY: '1' }, coldStartTimeout: '500ms' },
    dead: { env: { EXIT_AT_START: '1' }, coldStartTimeout: '25s' },
  }));

  describe('when the function never becomes ready', () => {
    it('answers 503 problem+json with Retry-After after coldStartTimeout', async () => {
      const reply = await send(env().url('stuck', '/echo'));
      assertUnavailable(reply, /did not become ready in time/);
      assert.equal(reply.headers['retry-after'], '5');
    });

    it('counts the wake as timed out in /metrics and /admin/functions', async () => {
      const { gateway, url } = env();
      assert.equal((await send(url('stuck', '/echo'))).status, 503);
      const timeouts = await until('the timeout to be counted', () => metric(gateway, 'gatehouse_wakes_total', { function: 'stuck', outcome: 'timeout' }));
      assert.equal(timeouts, 1);
      assert.equal(await metric(gateway, 'gatehouse_wakes_total', { function: 'stuck', outcome: 'ready' }), undefined);
      const status = await functionStatus(gateway, 'stuck');
      assert.deepEqual([status.lastWake?.outcome, status.endpoints.length, status.pending], ['timeout', 0, 0]);
    });

    it('tries a fresh wake for the next request', async () => {
      const { gateway, url } = env();
      assert.equal((await send(url('stuck', '/echo'))).status, 503);
      assertUnavailable(await send(url('stuck', '/echo')), /did not become ready in time/);
      const timeouts = await until('both wakes to be counted', async () => {
        const n = await metric(gateway, 'gatehouse_wakes_total', { function: 'stuck', outcome: 'timeout' });
        return n === 2 ? n : undefined;
      });
      assert.equal(timeouts, 2);
      assert.equal(logLines(gateway, 'waking function', 'stuck').length, 2);
    });
  });

  describe('when the function exits at start', () => {
    it('answers 503 as soon as the process is gone, not after coldStartTimeout', async () => {
      const reply = await send(env().url('dead', '/echo'));
      assertUnavailable(reply, /could not be woken/);
      assert.equal(reply.headers['retry-after'], '5');
    });

    it('counts the wake as an error and logs why', async () => {
      const { gateway, url } = env();
      assert.equal((await send(url('dead', '/echo'))).status, 503);
      assert.equal(await until('the error to be counted', () => metric(gateway, 'gatehouse_wakes_total', { function: 'dead', outcome: 'error' })), 1);
      const failed = await gateway.waitForLog((line) => line.msg === 'wake failed' && line.function === 'dead');
      assert.match(String(failed.err), /exited before it was ready/);
      assert.equal((await functionStatus(gateway, 'dead')).lastWake?.outcome, 'error');
    });
  });
});
