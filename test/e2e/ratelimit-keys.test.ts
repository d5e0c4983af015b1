// Whose bucket a request fills (SPEC §3 `key`) through the real gateway: API keys
// never share one, a forged X-Forwarded-For moves nothing unless --trust-proxy says
// so, header and claim keys fall back to the client IP, a key's plan replaces the
// route's policy, and `key: route` is one bucket per route for every client.
import assert from 'node:assert/strict';
import type http from 'node:http';
import { keyHash, signJwt, claims, ISSUER } from '../support/auth-fixture.js';
import { send } from '../support/http-client.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { limit, startLimitedGateway, type LimitedGatewayOptions } from '../support/ratelimit-gateway.js';
import { rsaKeyPair } from '../support/tokens.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

const KEYS = { acme: 'gh_rl_acme_7c1e9a2b4d6f8e0a1c3b5d7f9e2a4c6b', globex: 'gh_rl_globex_0b2d4f6a8c1e3a5c7e9b1d3f5a7c9e2b', goldie: 'gh_rl_goldie_5e7a9c1b3d5f7a9c2e4b6d8f0a2c4e6d' };
const signer = rsaKeyPair('rl-keys');

function options(upstream: UpstreamServer, args: string[]): LimitedGatewayOptions {
  const to = (path: string, rateLimit: string, auth = 'public') => ({ name: path.slice(1), match: { path }, upstream: upstream.origin, rateLimit, auth });
  const twoPerHour = (key: string) => ({ key, limits: [limit(2, '1h')] });
  return {
    routes: [
      to('/consumer', 'per-consumer', 'partners'),
      to('/public-consumer', 'per-consumer'),
      to('/ip', 'per-ip'),
      to('/tenant', 'per-tenant'),
      to('/org', 'per-org', 'tokens'),
      to('/plan', 'bronze', 'partners'),
      to('/shared-a', 'per-route', 'partners'),
      to('/shared-b', 'per-route', 'partners'),
    ],
    policies: {
      auth: {
        partners: {
          type: 'apiKey',
          name: 'X-API-Key',
          keys: [
            { id: 'acme', hash: keyHash(KEYS.acme) },
            { id: 'globex', hash: keyHash(KEYS.globex) },
            { id: 'goldie', hash: keyHash(KEYS.goldie), rateLimit: 'gold' },
          ],
        },
        tokens: { type: 'jwt', algorithms: ['RS256'], publicKey: signer.publicPem, issuer: ISSUER },
      },
      rateLimits: {
        'per-consumer': twoPerHour('consumer'),
        'per-ip': twoPerHour('ip'),
        'per-tenant': twoPerHour('header:X-Tenant'),
        'per-org': twoPerHour('claim:org'),
        'per-route': twoPerHour('route'),
        bronze: { key: 'consumer', limits: [limit(1, '1h')] },
        gold: { key: 'consumer', limits: [limit(3, '1h')] },
      },
    },
    args,
  };
}

describe('rate limiting: whose bucket (SPEC §3 key)', function () {
  this.timeout(60_000);
  let upstream: UpstreamServer;
  let plain: ProxyGateway;
  let behindProxy: ProxyGateway;
  before(async () => {
    upstream = await startUpstream();
    [plain, behindProxy] = await Promise.all([startLimitedGateway(options(upstream, [])), startLimitedGateway(options(upstream, ['--trust-proxy=1']))]);
  });
  after(async () => {
    await Promise.all([plain?.stop(), behindProxy?.stop()]);
    await upstream?.close();
  });

  /** Statuses of requests sent one after another, one per header set. */
  async function statuses(gateway: ProxyGateway, path: string, ...headerSets: http.OutgoingHttpHeaders[]): Promise<number[]> {
    const out: number[] = [];
    for (const headers of headerSets) out.push((await send(gateway.url(path), { headers })).status);
    return out;
  }
  const apiKey = (name: keyof typeof KEYS): http.OutgoingHttpHeaders => ({ 'x-api-key': KEYS[name] });
  const xff = (address: string, extra: http.OutgoingHttpHeaders = {}): http.OutgoingHttpHeaders => ({ 'x-forwarded-for': address, ...extra });
  const bearer = (extra: Record<string, unknown>): string => `Bearer ${signJwt(claims(extra), signer.privateKey, 'RS256')}`;

  it('gives two API keys two buckets (key: consumer)', async () => {
    assert.deepEqual(await statuses(plain, '/consumer', apiKey('acme'), apiKey('acme'), apiKey('acme')), [200, 200, 429]);
    assert.deepEqual(await statuses(plain, '/consumer', apiKey('globex'), apiKey('globex'), apiKey('globex')), [200, 200, 429]);
  });

  it('keys a public route’s key: consumer on the client IP', async () => {
    assert.deepEqual(await statuses(behindProxy, '/public-consumer', xff('10.0.0.1'), xff('10.0.0.1'), xff('10.0.0.1')), [200, 200, 429]);
    assert.deepEqual(await statuses(behindProxy, '/public-consumer', xff('10.0.0.2')), [200]);
  });

  it('ignores a forged X-Forwarded-For by default (key: ip)', async () => {
    assert.deepEqual(await statuses(plain, '/ip', xff('198.51.100.1'), xff('198.51.100.2'), xff('198.51.100.3'), {}), [200, 200, 429, 429]);
  });

  it('keys on the forwarded client address with --trust-proxy 1', async () => {
    assert.deepEqual(await statuses(behindProxy, '/ip', xff('10.0.0.1'), xff('10.0.0.1'), xff('10.0.0.1')), [200, 200, 429]);
    assert.deepEqual(await statuses(behindProxy, '/ip', xff('10.0.0.2'), xff('198.51.100.9, 10.0.0.2')), [200, 200], 'one hop: the rightmost entry');
  });

  it('keys on a header (key: header:X-Tenant), falling back to the client IP without it', async () => {
    const tenant = (name: string, address: string) => xff(address, { 'x-tenant': name });
    assert.deepEqual(await statuses(behindProxy, '/tenant', tenant('initech', '10.0.1.1'), tenant('initech', '10.0.1.2'), tenant('initech', '10.0.1.3')), [200, 200, 429]);
    assert.deepEqual(await statuses(behindProxy, '/tenant', tenant('umbrella', '10.0.1.1')), [200]);
    assert.deepEqual(await statuses(behindProxy, '/tenant', xff('10.0.1.1'), xff('10.0.1.1'), xff('10.0.1.1'), xff('10.0.1.2')), [200, 200, 429, 200]);
  });

  it('keys on a verified claim (key: claim:org), falling back to the client IP without it', async () => {
    const org = (name: string, address: string) => xff(address, { authorization: bearer({ org: name }) });
    assert.deepEqual(await statuses(behindProxy, '/org', org('initech', '10.0.2.1'), org('initech', '10.0.2.2'), org('initech', '10.0.2.3')), [200, 200, 429]);
    assert.deepEqual(await statuses(behindProxy, '/org', org('umbrella', '10.0.2.1')), [200]);
    const noOrg = (address: string) => xff(address, { authorization: bearer({}) });
    assert.deepEqual(await statuses(behindProxy, '/org', noOrg('10.0.2.1'), noOrg('10.0.2.1'), noOrg('10.0.2.1'), noOrg('10.0.2.2')), [200, 200, 429, 200]);
  });

  it('applies an API key’s own plan (rateLimit: gold) instead of the route’s policy', async () => {
    const gold = [];
    for (let i = 0; i < 4; i++) gold.push(await send(plain.url('/plan'), { headers: apiKey('goldie') }));
    assert.deepEqual(gold.map((r) => r.status), [200, 200, 200, 429]);
    assert.equal(gold[0]?.headers['ratelimit-policy'], '"gold";q=3;w=3600');
    assert.deepEqual((gold[3] as (typeof gold)[number]).json()['violated-policies'], ['gold']);
    const bronze = [await send(plain.url('/plan'), { headers: apiKey('acme') }), await send(plain.url('/plan'), { headers: apiKey('acme') })];
    assert.deepEqual(bronze.map((r) => r.status), [200, 429]);
    assert.equal(bronze[0]?.headers['ratelimit-policy'], '"bronze";q=1;w=3600');
  });

  it('shares one bucket across clients on a route (key: route), one bucket per route', async () => {
    assert.deepEqual(await statuses(plain, '/shared-a', apiKey('acme'), apiKey('globex'), apiKey('acme'), apiKey('globex')), [200, 200, 429, 429]);
    assert.deepEqual(await statuses(plain, '/shared-b', apiKey('globex')), [200], 'another route naming the policy has its own bucket');
  });
});
