// SPEC §3 with `--redis-mode cluster`, against a real 3-master Redis Cluster:
// three gateways sharing it stay exact, a request's buckets for one subject share
// a slot, and a route with two policies keyed differently — their buckets in two
// slots on two masters — takes a token from every limit or from none.
import assert from 'node:assert/strict';
import { send } from '../support/http-client.js';
import { sampleValue } from '../support/metrics.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { burst, limit, rateLimitOf, startLimitedGateways, statusCounts } from '../support/ratelimit-gateway.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';

/** Decisions a gateway made without its store (0: the cluster decided every one). */
async function storeErrors(gateway: ProxyGateway): Promise<number> {
  const text = (await send(gateway.process.adminUrl('/metrics'))).text();
  return ['local', 'allow', 'deny'].reduce((sum, mode) => sum + (sampleValue(text, 'gatehouse_ratelimit_store_errors_total', { mode }) ?? 0), 0);
}

describe('rate limiting in a Redis Cluster (SPEC §3, --redis-mode cluster)', function () {
  this.timeout(60_000);
  let cluster: RedisCluster;
  let upstream: UpstreamServer;
  let gateways: ProxyGateway[] = [];
  /** An X-Tenant value whose bucket lives on another master than the client IP's. */
  let tenant = '';

  before(async () => {
    cluster = await startRedisCluster();
    upstream = await startUpstream();
    // The hash tag is the subject (`…:{ip:127.0.0.1}`): pick a tenant whose slot another master serves.
    const ipOwner = await cluster.ownerOf(await cluster.keySlot('{ip:127.0.0.1}'));
    for (let i = 0; tenant === ''; i++) {
      assert.ok(i < 50, 'no tenant subject on another master within 50 tries');
      if ((await cluster.ownerOf(await cluster.keySlot(`{header:tenant-${i}}`))) !== ipOwner) tenant = `tenant-${i}`;
    }
    const to = (path: string, rateLimit: string | string[]) => ({ name: path.slice(1), match: { path }, upstream: upstream.origin, rateLimit });
    gateways = await startLimitedGateways(3, {
      routes: [to('/hundred', 'hundred'), to('/ips', 'ips'), to('/both', ['ips', 'tenants']), to('/tenants', 'tenants'), to('/mixed', ['wide-ip', 'tenants'])],
      policies: {
        rateLimits: {
          hundred: { key: 'ip', limits: [limit(100, '1h')] },
          // Above what the reservations in flight can hold (3 × 30 connections + 40 taken): it never refuses here.
          ips: { key: 'ip', limits: [limit(200, '1h')] },
          tenants: { key: 'header:X-Tenant', limits: [limit(40, '1h')] },
          'wide-ip': { key: 'ip', limits: [limit(1000, '1h')] },
        },
      },
      args: [`--redis=${cluster.seeds}`, '--redis-mode=cluster'],
    });
  });
  after(async () => {
    for (const gateway of gateways) assert.equal(await storeErrors(gateway), 0, 'the cluster decided every request');
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await upstream?.close();
    await cluster?.dispose();
  });

  const spread = (path: string, count: number): string[] => Array.from({ length: count }, (_, i) => (gateways[i % 3] as ProxyGateway).url(path));

  it('admits exactly 100 of 600 requests spread over three gateways against 100 per hour', async () => {
    const replies = await burst(spread('/hundred', 600), { connections: 30 });
    assert.deepEqual(statusCounts(replies), { 200: 100, 429: 500 });
    assert.equal(upstream.requests.filter((r) => r.url === '/hundred').length, 100);
  });

  it('keeps one policy and subject in one slot, different subjects on different masters', async () => {
    // The premise of the next tests: the two buckets of /both are on two nodes.
    const ipSlot = await cluster.keySlot('gh:rl:ips:0:100/3600000+0:{ip:127.0.0.1}');
    assert.equal(ipSlot, await cluster.keySlot('{ip:127.0.0.1}'), 'the tag is the subject');
    assert.notEqual(await cluster.ownerOf(ipSlot), await cluster.ownerOf(await cluster.keySlot(`gh:rl:tenants:0:40/3600000+0:{header:${tenant}}`)));
  });

  it('across two slots on two masters, takes from every limit or from none: 40 of 300 admitted, and the ip limit gave 40 tokens, not 300', async () => {
    const replies = await burst(spread('/both', 300), { connections: 30, headers: { 'x-tenant': tenant } });
    assert.deepEqual(statusCounts(replies), { 200: 40, 429: 260 });
    for (const reply of replies.filter((r) => r.status === 429)) assert.deepEqual(reply.json<Record<string, unknown>>()['violated-policies'], ['tenants']);
    assert.equal(upstream.requests.filter((r) => r.url === '/both').length, 40);
    // The headers come from the state each decision was made on: r = 39 … 0, each once.
    const left = replies.filter((r) => r.status === 200).map((r) => rateLimitOf(r).r);
    assert.deepEqual(left.sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
    // Every refusal by `tenants` left `ips` untouched: 160 of its 200 remain.
    const ipsOnly = await burst(spread('/ips', 300), { connections: 30 });
    assert.deepEqual(statusCounts(ipsOnly), { 200: 160, 429: 140 });
  });

  it('counts reservations in one-slot takes: a cross-slot route and a one-slot route drawing on one bucket admit exactly its 40 together', async () => {
    // /mixed (ip bucket of 1,000, never the one refusing, and the tenant's: two slots,
    // reserve then commit) and /tenants (the tenant's bucket only: one slot, one script)
    // share the tenant's 40 tokens. A one-slot take that ignored the reservations held
    // by /mixed would over-promise them.
    const other = `${tenant}-b`;
    const urls = spread('/mixed', 300).map((url, i) => (i % 2 === 0 ? url : url.replace('/mixed', '/tenants')));
    const replies = await burst(urls, { connections: 30, headers: { 'x-tenant': other } });
    const viaTwo = replies.filter((r, i) => i % 2 === 0 && r.status === 200).length;
    const viaOne = replies.filter((r, i) => i % 2 === 1 && r.status === 200).length;
    assert.equal(viaTwo + viaOne, 40, `two slots: ${viaTwo}, one slot: ${viaOne}`);
  });
});
