// JWKS through the real gateway and a real JWKS server (SPEC §3): rotation is
// found with exactly one refetch; while the endpoint is down the cached keys keep
// working; a flood of unknown kids costs at most one fetch per 30 s. Each
// scenario runs its own gateway, so one policy's cooldown never touches another.
import assert from 'node:assert/strict';
import { authFailures, startAuthGateway, withBearer } from '../support/auth-gateway.js';
import { JwksServer } from '../support/jwks-server.js';
import { signJwt } from '../support/jwt-policy.js';
import { assertProblem } from '../support/problem-assert.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { ecKeyPair, nowS, rsaKeyPair, type TestKeyPair } from '../support/tokens.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

let serial = 0;
/** A distinct token each call (jti), so no answer comes from the gateway's token cache. */
const token = (pair: TestKeyPair, kid = pair.kid, sub = 'user-1'): string =>
  signJwt({ sub, jti: `t-${++serial}`, iat: nowS(), exp: nowS() + 600 }, pair.privateKey, pair.publicKey.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256', kid);

describe('auth: JWKS rotation, outage and unknown-kid floods', () => {
  let a: TestKeyPair;
  let b: TestKeyPair;
  let attacker: TestKeyPair;
  let upstream: UpstreamServer;
  let jwks: JwksServer;
  let gateway: ProxyGateway;

  before(async function () {
    this.timeout(60_000);
    [a, b, attacker] = [rsaKeyPair('rsa-a'), ecKeyPair('ec-b'), rsaKeyPair('rsa-attacker')];
    upstream = await startUpstream();
  });
  after(() => upstream?.close());

  // A fresh JWKS server and gateway per test: the cooldown is per policy and per gateway.
  beforeEach(async function () {
    this.timeout(60_000);
    jwks = await new JwksServer().start();
    jwks.setKeys([a.jwk('RS256')]);
    try {
      gateway = await startAuthGateway({
        routes: [{ name: 'me', match: { path: '/me' }, upstream: upstream.origin, auth: 'mobile' }],
        auth: { mobile: { type: 'jwt', algorithms: ['RS256', 'ES256'], jwksUri: jwks.url } },
      });
    } catch (error) {
      await jwks.stop();
      throw error;
    }
  });
  afterEach(async function () {
    this.timeout(30_000);
    try {
      await gateway.stop();
    } finally {
      await jwks.stop();
    }
  });

  /** The first request waits for the gateway's first fetch; returns the fetch count after it. */
  async function admittedOnce(): Promise<number> {
    const reply = await withBearer(gateway, '/me', token(a));
    assert.equal(reply.status, 200, reply.text());
    return jwks.fetches;
  }

  it('admits a token of a rotated-in kid after exactly one refetch', async () => {
    const before = await admittedOnce();
    assert.equal(before, 1, 'one fetch at start-up');
    jwks.setKeys([b.jwk('ES256')]);
    const arrived = upstream.nextRequest();
    const reply = await withBearer(gateway, '/me', token(b, b.kid, 'user-b'));
    assert.equal(reply.status, 200, reply.text());
    assert.equal((await arrived).headers['x-gatehouse-consumer'], 'mobile:user-b');
    assert.equal(jwks.fetches, before + 1, 'exactly one refetch');
    assert.equal((await withBearer(gateway, '/me', token(b))).status, 200);
    assert.equal(jwks.fetches, before + 1, 'the new key is cached now');
  });

  it('keeps admitting cached kids while the JWKS endpoint is down, and refuses an unknown kid as unknown-key', async () => {
    const before = await admittedOnce();
    jwks.setDown(true);
    assert.equal((await withBearer(gateway, '/me', token(a))).status, 200);
    const unknown = await withBearer(gateway, '/me', token(attacker, 'rotated-in-while-down'));
    assert.equal(assertProblem(unknown, 401, 'unauthorized').reason, 'unknown-key');
    assert.equal(jwks.fetches, before + 1, 'one refetch, and it failed');
    const after = await withBearer(gateway, '/me', token(a));
    assert.equal(after.status, 200, 'the failed refetch kept the last good keys');
  });

  it('refuses 100 tokens with 100 unknown kids with at most one extra fetch', async () => {
    const before = await admittedOnce();
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => withBearer(gateway, '/me', token(attacker, `unknown-kid-${i}`))));
    const reasons = replies.map((reply) => `${reply.status} ${String(assertProblem(reply, 401, 'unauthorized').reason)}`);
    assert.deepEqual([...new Set(reasons)], ['401 unknown-key']);
    assert.ok(jwks.fetches <= before + 1, `at most one extra fetch, saw ${jwks.fetches - before}`);
    assert.equal(await authFailures(gateway, 'mobile', 'unknown-key'), 100);
    assert.equal((await withBearer(gateway, '/me', token(a))).status, 200, 'known kids are unaffected');
  });
});
