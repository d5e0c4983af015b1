// The auth issue's negative corpus (SPEC §3, §4) against one real gateway: every
// forged, broken, expired or misplaced credential gets 401 (403 for a missing
// scope) as problem+json with its reason and the RFC 6750 challenge, never 5xx,
// and never reaches the upstream; the positive controls do reach it, so the
// corpus cannot pass by refusing everything.
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { CORPUS } from '../support/auth-corpus-cases.js';
import { apiKeyPolicies, assertRefused, HS_ENV, jwtPolicies, makeMint, rawGet, type AuthMint } from '../support/auth-fixture.js';
import { send } from '../support/http-client.js';
import { JwksServer } from '../support/jwks-server.js';
import { sampleValue } from '../support/metrics.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';
import { until } from '../support/wait.js';

/** Route path → the policy that guards it (the label gatehouse_auth_failures_total carries). */
const POLICY_OF: Readonly<Record<string, string>> = {
  '/rs': 'rs',
  '/ps': 'ps',
  '/es': 'es',
  '/hs': 'hs',
  '/jwks': 'jwks',
  '/ed': 'ed',
  '/scoped': 'rs',
  '/key-header': 'keys-header',
  '/key-query': 'keys-query',
};

function routes(origin: string): Array<Record<string, unknown>> {
  return Object.entries(POLICY_OF).map(([routePath, policy]) => ({
    name: routePath.slice(1),
    match: { path: routePath },
    upstream: origin,
    auth: policy,
    ...(routePath === '/scoped' ? { scopes: ['orders:read'] } : {}),
  }));
}

const policies = (m: AuthMint, jwksUrl: string, headerKeys?: ReadonlyArray<'acme' | 'globex'>): Record<string, unknown> => ({
  auth: { ...jwtPolicies(m, jwksUrl), ...apiKeyPolicies(m, headerKeys) },
});

async function metricsText(gateway: ProxyGateway): Promise<string> {
  return (await send(gateway.process.adminUrl('/metrics'))).text();
}

/** Every sample of a counter family, keyed by its label text (`policy="rs",reason="expired"`). */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const match of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) found.set(match[1] as string, Number(match[2]));
  return found;
}

describe('auth: the negative corpus against one gateway', function () {
  this.timeout(60_000);
  let m: AuthMint;
  let upstream: UpstreamServer;
  let jwks: JwksServer;
  let gateway: ProxyGateway;
  /** Refusals the gateway should have counted so far, by `policy="P",reason="R"`. */
  const refusals = new Map<string, number>();
  let controlsAdmitted = 0;

  before(async function () {
    this.timeout(60_000);
    m = makeMint();
    upstream = await startUpstream();
    jwks = await new JwksServer().start();
    // Two keys, so a token must name its key by kid.
    jwks.setKeys([m.jwksRsa.jwk('RS256'), m.jwksEc.jwk('ES256')]);
    gateway = await startProxyGateway(routes(upstream.origin), { policies: policies(m, jwks.url), env: { [HS_ENV]: m.hsSecret } });
  });
  after(async function () {
    this.timeout(30_000);
    try {
      await gateway?.stop(); // asserts exit 0 on SIGTERM
    } finally {
      await jwks?.stop();
      await upstream?.close();
    }
  });

  it('holds at least 40 refusals and a positive control for every policy', () => {
    const refused = CORPUS.filter((row) => row.expect !== 200);
    assert.ok(refused.length >= 40, `${refused.length} refusals`);
    const controlled = new Set(CORPUS.filter((row) => row.expect === 200).map((row) => POLICY_OF[row.request(m).target.split('?')[0] as string]));
    assert.deepEqual([...controlled].sort(), [...new Set(Object.values(POLICY_OF))].sort());
    assert.equal(new Set(CORPUS.map((row) => row.name)).size, CORPUS.length, 'case names are unique');
  });

  for (const row of CORPUS) {
    it(`${row.expect === 200 ? 'admits' : `refuses (${row.expect.status} ${row.expect.reason ?? ''})`}: ${row.name}`, async () => {
      const { target, headers } = row.request(m);
      const hitsBefore = upstream.requests.length;
      const reply = await rawGet(gateway.process.port, target, headers);
      if (row.expect === 200) {
        assert.equal(reply.status, 200, reply.body);
        assert.equal(upstream.requests.length, hitsBefore + 1, 'the control reached the upstream');
        controlsAdmitted++;
        return;
      }
      assertRefused(reply, row.expect);
      assert.equal(upstream.requests.length, hitsBefore, 'a refused request never reaches the upstream');
      const labels = `policy="${POLICY_OF[target.split('?')[0] as string]}",reason="${row.expect.reason}"`;
      refusals.set(labels, (refusals.get(labels) ?? 0) + 1);
    });
  }

  it('let exactly the admitted controls reach the upstream, nothing refused', () => {
    assert.ok(controlsAdmitted > 0);
    assert.equal(upstream.requests.length, controlsAdmitted);
  });

  it('counts each refusal once in gatehouse_auth_failures_total{policy,reason}', async () => {
    const counted = samples(await metricsText(gateway), 'gatehouse_auth_failures_total');
    assert.deepEqual(Object.fromEntries([...counted].sort()), Object.fromEntries([...refusals].sort()));
    // A few spelled out, so the labels read as the spec names them.
    assert.ok((counted.get('policy="rs",reason="algorithm"') ?? 0) >= 5);
    assert.ok((counted.get('policy="jwks",reason="unknown-key"') ?? 0) >= 3);
    assert.ok((counted.get('policy="keys-header",reason="unknown-api-key"') ?? 0) >= 3);
  });

  it('refuses the key of an entry deleted from the policy file once the reload is live', async () => {
    const port = gateway.process.port;
    const withKey = (key: string): Promise<Awaited<ReturnType<typeof rawGet>>> => rawGet(port, '/key-header', [`X-API-Key: ${key}`]);
    assert.equal((await withKey(m.apiKeys.globex)).status, 200, 'globex works before the reload');
    const reloadsOk = async (): Promise<number> => sampleValue(await metricsText(gateway), 'gatehouse_config_reloads_total', { result: 'ok' }) ?? 0;
    const reloadsBefore = await reloadsOk();

    // Written beside, then renamed: the watcher never reads a half-written file.
    gateway.config.write('policies.next', stringify(policies(m, jwks.url, ['acme'])));
    renameSync(path.join(gateway.config.root, 'policies.next'), path.join(gateway.config.policiesDir, 'policies.yaml'));
    await until('the reload to go live', async () => ((await reloadsOk()) > reloadsBefore ? true : undefined), 20_000);

    const hitsBefore = upstream.requests.length;
    assertRefused(await withKey(m.apiKeys.globex), { status: 401, reason: 'unknown-api-key', challenge: null });
    assert.equal(upstream.requests.length, hitsBefore, 'the deleted key never reaches the upstream');
    assert.equal((await withKey(m.apiKeys.acme)).status, 200, 'the key still listed works');
    assert.equal(upstream.requests.length, hitsBefore + 1);
  });
});
