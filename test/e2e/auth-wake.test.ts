// SPEC §2 `wake` and §5: with `wake: authenticated` (the default) a request that
// failed authentication never wakes a sleeping function, only an admitted one
// does; with `wake: any` an unauthenticated request starts the wake but is still
// refused, and never reaches the function.
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { apiKeyPolicies, claims, HS_ENV, INVALID_TOKEN, makeMint, REALM, signJwt, type AuthMint } from '../support/auth-fixture.js';
import { makeConfigDir, TEST_FUNCTION, type ConfigDir } from '../support/config-dir.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { send, type Reply } from '../support/http-client.js';
import { nowS, rawToken } from '../support/tokens.js';
import { until } from '../support/wait.js';
import { functionStatus, logLines, metric, untilStatus } from '../support/wake.js';

const FUNCTION = { command: JSON.parse(TEST_FUNCTION) as string[], coldStartTimeout: '25s' };

function configFor(m: AuthMint): ConfigDir {
  const route = (name: string, fn: string, extra: Record<string, unknown>): Record<string, unknown> => ({ name, match: { path: `/${name}/*` }, function: fn, rewrite: '/*', ...extra });
  const routes = [
    route('sleepy', 'sleepy', { auth: ['hs', 'keys-header'] }),
    route('sleepy-admin', 'sleepy', { auth: 'hs', scopes: ['admin'] }),
    route('eager', 'eager', { auth: 'hs', wake: 'any' }),
  ];
  const policies = { auth: { hs: { type: 'jwt', algorithms: ['HS256'], secretEnv: HS_ENV }, ...apiKeyPolicies(m) } };
  return makeConfigDir({
    routes: { 'routes.yaml': stringify({ routes }) },
    policies: { 'policies.yaml': stringify(policies) },
    functions: stringify({ functions: { sleepy: FUNCTION, eager: FUNCTION } }),
  });
}

describe('auth and waking sleeping functions', function () {
  this.timeout(60_000);
  let m: AuthMint;
  let gateway: GatewayProcess;
  let config: ConfigDir;
  const cleanups: Array<() => Promise<void> | void> = [];

  before(() => {
    m = makeMint();
  });
  beforeEach(async function () {
    this.timeout(30_000);
    config = configFor(m);
    cleanups.push(() => config.remove());
    // Bounded, so a failed test with a wake in flight still lets the gateway exit.
    gateway = await startGatewayProcess(config, ['--shutdown-timeout=10s'], { [HS_ENV]: m.hsSecret });
    cleanups.push(async () => assert.equal(await gateway.stop('SIGTERM'), 0, 'the gateway exits 0 on SIGTERM'));
  });
  afterEach(async function () {
    this.timeout(30_000);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const token = (extra: Record<string, unknown> = {}, secret = m.hsSecret): string => signJwt(claims(extra), secret, 'HS256');
  const get = (target: string, headers: Record<string, string> = {}): Promise<Reply> => send(gateway.url(target), { headers });
  const bearer = (value: string): Record<string, string> => ({ authorization: `Bearer ${value}` });

  describe('with wake: authenticated (the default)', () => {
    it('is not woken by requests that fail authentication or lack a scope', async () => {
      const refusals: Array<[string, Promise<Reply>, number, string | undefined]> = [
        ['no credentials', get('/sleepy/echo'), 401, REALM],
        ['a token signed with another secret', get('/sleepy/echo', bearer(token({}, `${m.hsSecret}-other`))), 401, INVALID_TOKEN],
        ['an expired token', get('/sleepy/echo', bearer(token({ exp: nowS() - 60 }))), 401, INVALID_TOKEN],
        ['alg none', get('/sleepy/echo', bearer(rawToken({ alg: 'none', typ: 'JWT' }, claims()))), 401, INVALID_TOKEN],
        ['an unknown API key', get('/sleepy/echo', { 'x-api-key': 'not-a-key' }), 401, REALM],
        ['a valid token without the route scope', get('/sleepy-admin/echo', bearer(token())), 403, undefined],
      ];
      for (const [what, reply, status, challenge] of refusals) {
        const answered = await reply;
        assert.equal(answered.status, status, `${what}: ${answered.text()}`);
        assert.equal(answered.headers['content-type'], 'application/problem+json');
        if (challenge !== undefined) assert.equal(answered.headers['www-authenticate'], challenge, what);
      }
      // A wake would have started before the refusal was written (admission runs first).
      const view = await functionStatus(gateway, 'sleepy');
      assert.deepEqual([view.endpoints, view.lastWake, view.pending], [[], null, 0]);
      assert.deepEqual(logLines(gateway, 'waking function', 'sleepy'), []);
      assert.equal(await metric(gateway, 'gatehouse_wakes_total', { function: 'sleepy', outcome: 'ready' }), undefined);
    });

    it('is woken by the first admitted request, which waits for it (Server-Timing)', async () => {
      assert.equal((await get('/sleepy/echo')).status, 401);
      const reply = await get('/sleepy/echo', bearer(token()));
      assert.equal(reply.status, 200, reply.text());
      assert.match(String(reply.headers['server-timing']), /^wake;dur=\d+$/);
      assert.equal(reply.json<{ served: number }>().served, 1, 'the refused request never reached the function');
      // The log line the previous test found absent does appear for a real wake.
      assert.equal(logLines(gateway, 'waking function', 'sleepy').length, 1);
      assert.equal((await functionStatus(gateway, 'sleepy')).lastWake?.outcome, 'ready');
    });

    it('is woken by a valid API key on a route whose first policy is a JWT one', async () => {
      const reply = await get('/sleepy/echo', { 'x-api-key': m.apiKeys.acme });
      assert.equal(reply.status, 200, reply.text());
      assert.match(String(reply.headers['server-timing']), /^wake;dur=\d+$/);
      assert.equal(reply.json<{ headers: Record<string, string> }>().headers['x-gatehouse-consumer'], 'acme');
    });
  });

  describe('with wake: any', () => {
    it('answers an unauthenticated request 401 and still wakes the function', async () => {
      const refused = await get('/eager/echo');
      assert.equal(refused.status, 401);
      assert.equal(refused.headers['www-authenticate'], REALM);
      assert.equal(refused.headers['server-timing'], undefined, 'the refusal did not wait for the wake');

      await untilStatus(gateway, 'eager', 'the woken instance to become an endpoint', (f) => f.endpoints.length === 1);
      await gateway.waitForLog((line) => line.msg === 'waking function' && line.function === 'eager');
      const wakes = await until('the wake to be counted', () => metric(gateway, 'gatehouse_wakes_total', { function: 'eager', outcome: 'ready' }));
      assert.equal(wakes, 1);

      // The function is up: an admitted request is served without waiting, and is its first.
      const admitted = await get('/eager/echo', bearer(token()));
      assert.equal(admitted.status, 200, admitted.text());
      assert.equal(admitted.headers['server-timing'], undefined);
      assert.equal(admitted.json<{ served: number }>().served, 1, 'the unauthenticated request never reached the function');
      assert.equal(logLines(gateway, 'waking function', 'eager').length, 1, 'one wake, not one per request');
    });

    it('leaves a wake: authenticated function asleep in the same gateway', async () => {
      assert.equal((await get('/eager/echo')).status, 401);
      await untilStatus(gateway, 'eager', 'eager to wake', (f) => f.endpoints.length === 1);
      assert.equal((await get('/sleepy/echo')).status, 401);
      const view = await functionStatus(gateway, 'sleepy');
      assert.deepEqual([view.endpoints, view.lastWake], [[], null]);
    });
  });
});
