// Every key source of a JWT policy (SPEC §3) admits a good token through the
// real gateway: secretEnv (HS256), publicKey (RS256, EdDSA), publicKeyFile
// (ES256, relative to the policy file) and jwksUri (RS256). The upstream sees
// the consumer as POLICY:SUB.
import assert from 'node:assert/strict';
import { authFailures, startAuthGateway, withBearer } from '../support/auth-gateway.js';
import { JwksServer } from '../support/jwks-server.js';
import { signJwt } from '../support/jwt-policy.js';
import { assertProblem } from '../support/problem-assert.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { ecKeyPair, edKeyPair, nowS, rsaKeyPair, signEdDsa, type TestKeyPair } from '../support/tokens.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

const HS_SECRET = 'an-hs256-secret-for-auth-keys-0123456789abcdef';
const claims = (sub: string): Record<string, unknown> => ({ sub, iat: nowS(), exp: nowS() + 600 });

describe('auth: every JWT key source', () => {
  let upstream: UpstreamServer;
  let jwks: JwksServer;
  let gateway: ProxyGateway;
  let rs: TestKeyPair;
  let es: TestKeyPair;
  let ed: TestKeyPair;
  let jwksRs: TestKeyPair;

  before(async function () {
    this.timeout(60_000);
    [rs, es, ed, jwksRs] = [rsaKeyPair('rs'), ecKeyPair('es'), edKeyPair('ed'), rsaKeyPair('jwks-rs')];
    upstream = await startUpstream();
    jwks = await new JwksServer().start();
    jwks.setKeys([jwksRs.jwk('RS256')]);
    const route = (name: string) => ({ name, match: { path: `/${name}` }, upstream: upstream.origin, auth: name });
    gateway = await startAuthGateway({
      routes: ['hs', 'rs', 'es', 'ed', 'jwks'].map(route),
      auth: {
        hs: { type: 'jwt', algorithms: ['HS256'], secretEnv: 'AUTH_KEYS_HS_SECRET' },
        rs: { type: 'jwt', algorithms: ['RS256'], publicKey: rs.publicPem },
        es: { type: 'jwt', algorithms: ['ES256'], publicKeyFile: 'keys/es.pem' },
        ed: { type: 'jwt', algorithms: ['EdDSA'], publicKey: ed.publicPem },
        jwks: { type: 'jwt', algorithms: ['RS256'], jwksUri: jwks.url },
      },
      files: { 'policies/keys/es.pem': es.publicPem },
      env: { AUTH_KEYS_HS_SECRET: HS_SECRET },
    });
  });
  after(async function () {
    this.timeout(30_000);
    try {
      await gateway?.stop();
    } finally {
      await upstream?.close();
      await jwks?.stop();
    }
  });

  const cases: Array<[string, string, () => string]> = [
    ['secretEnv (HS256, the secret from the environment)', 'hs', () => signJwt(claims('user-hs'), HS_SECRET, 'HS256')],
    ['publicKey (inline PEM, RS256)', 'rs', () => signJwt(claims('user-rs'), rs.privateKey, 'RS256')],
    ['publicKeyFile (ES256, keys/es.pem beside the policy file)', 'es', () => signJwt(claims('user-es'), es.privateKey, 'ES256')],
    ['publicKey (inline PEM, EdDSA)', 'ed', () => signEdDsa(claims('user-ed'), ed.privateKey)],
    ['jwksUri (RS256, kid from the JWKS)', 'jwks', () => signJwt(claims('user-jwks'), jwksRs.privateKey, 'RS256', jwksRs.kid)],
  ];
  for (const [what, policy, token] of cases) {
    it(`admits a good token of ${what} and names the consumer ${policy}:user-${policy}`, async () => {
      const arrived = upstream.nextRequest();
      const reply = await withBearer(gateway, `/${policy}`, token());
      assert.equal(reply.status, 200, reply.text());
      const seen = await arrived;
      assert.equal(seen.headers['x-gatehouse-consumer'], `${policy}:user-${policy}`);
      assert.equal(seen.headers['x-gatehouse-auth'], policy);
      assert.equal(seen.headers.authorization, undefined, 'the token does not reach the upstream');
    });
  }

  // Regression: answered 502 'upstream failed' (node refused the consumer header).
  it('refuses a good signature over a sub with CR LF as claims (401), not 502', async () => {
    const reply = await withBearer(gateway, '/hs', signJwt(claims('user\r\nX-Gatehouse-Auth: admin'), HS_SECRET, 'HS256'));
    assert.equal(assertProblem(reply, 401, 'unauthorized').reason, 'claims');
  });

  it("refuses a token signed by another policy's key under the JWKS key's kid (signature); the upstream sees nothing", async () => {
    const before = upstream.requests.length;
    const reply = await withBearer(gateway, '/jwks', signJwt(claims('user-rs'), rs.privateKey, 'RS256', jwksRs.kid));
    const problem = assertProblem(reply, 401, 'unauthorized');
    assert.equal(problem.reason, 'signature');
    assert.equal(reply.headers['www-authenticate'], 'Bearer realm="gatehouse", error="invalid_token"');
    assert.equal(upstream.requests.length, before, 'the upstream saw nothing');
    assert.equal(await authFailures(gateway, 'jwks', 'signature'), 1);
  });
});
