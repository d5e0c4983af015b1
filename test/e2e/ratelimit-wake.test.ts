// The rate limit runs before the wake (SPEC §3, pipeline order): a refused request
// never wakes a sleeping function. Two routes to two functions share one `key: ip`
// policy of 1 per hour: the token goes on route A (A wakes), then route B answers
// 429 and function B stays asleep.
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { makeConfigDir, TEST_FUNCTION, type ConfigDir } from '../support/config-dir.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { send } from '../support/http-client.js';
import { assertProblem } from '../support/problem-assert.js';
import { functionStatus, metric } from '../support/wake.js';

describe('rate limiting: a limited request does not wake a function', function () {
  this.timeout(60_000);
  let config: ConfigDir;
  let gateway: GatewayProcess;
  before(async () => {
    const command = JSON.parse(TEST_FUNCTION) as string[];
    const route = (name: string) => ({ name, match: { path: `/${name}/*` }, function: name, auth: 'public', rewrite: '/*', rateLimit: 'once-an-hour' });
    config = makeConfigDir({
      routes: { 'routes.yaml': stringify({ routes: [route('fn-a'), route('fn-b')] }) },
      policies: { 'policies.yaml': stringify({ rateLimits: { 'once-an-hour': { key: 'ip', limits: [{ requests: 1, per: '1h' }] } } }) },
      functions: stringify({ functions: { 'fn-a': { command }, 'fn-b': { command } } }),
    });
    gateway = await startGatewayProcess(config, ['--log-level=warn', '--shutdown-timeout=10s']);
  });
  after(async () => {
    try {
      if (gateway) assert.equal(await gateway.stop('SIGTERM'), 0, 'the gateway exits 0 on SIGTERM');
    } finally {
      config?.remove();
    }
  });

  it('answers 429 on route B without waking function B, after route A spent the shared token', async () => {
    const a = await send(gateway.url('/fn-a/hello'));
    assert.equal(a.status, 200, a.text());
    assert.ok((await functionStatus(gateway, 'fn-a')).lastWake !== null, 'function A woke');

    const b = await send(gateway.url('/fn-b/hello'));
    assertProblem(b, 429, 'rate-limited');
    const viewB = await functionStatus(gateway, 'fn-b');
    assert.equal(viewB.lastWake, null, 'function B was never woken');
    assert.deepEqual(viewB.endpoints, []);
    assert.equal(viewB.pending, 0);
    assert.equal(await metric(gateway, 'gatehouse_wakes_total', { function: 'fn-b' }), undefined);
  });
});
