// SPEC §3 with `--redis-mode sentinel`: the master is SIGKILLed under load. The
// gateways keep answering (onStoreError: deny gives 503s while no master answers,
// never a 500), find the promoted replica through the sentinels and decide in
// Redis again, and over the whole run admit at least the limit and at most the
// limit plus the decisions in flight at the kill: the only ones a failover may lose
// (asynchronous replication: a take the old master made, whose write never reached
// the replica). In flight = requests the test had sent and not yet seen answered at
// the moment it sent SIGKILL; every one answered before was decided, and its write
// sent to the replica, before the kill.
import assert from 'node:assert/strict';
import http from 'node:http';
import { send } from '../support/http-client.js';
import { sampleValue } from '../support/metrics.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { limit, startLimitedGateways } from '../support/ratelimit-gateway.js';
import { MASTER_NAME, startRedisSentinelSet, type RedisSentinelSet } from '../support/redis-sentinel.js';
import { startUpstream, type UpstreamServer } from '../support/upstream-server.js';
import { until } from '../support/wait.js';

const LIMIT = 100;
const WORKERS = 6;

/** Requests in a loop from WORKERS workers over the gateways, each reply's status kept. */
class Load {
  readonly statuses: number[] = [];
  inFlight = 0;
  #running = true;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
  readonly #workers: Promise<void>[];
  #onReply: (() => void) | null = null;

  constructor(urls: readonly string[]) {
    this.#workers = Array.from({ length: WORKERS }, (_, w) => this.#work(urls[w % urls.length] as string));
  }

  admitted(): number {
    return this.statuses.filter((s) => s === 200).length;
  }

  /** Resolves at the reply after which `test` holds (checked synchronously, so nothing else runs in between). */
  when(test: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.#onReply = () => {
        if (!test()) return;
        this.#onReply = null;
        resolve();
      };
    });
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#workers);
    this.#agent.destroy();
  }

  async #work(url: string): Promise<void> {
    while (this.#running) {
      this.inFlight++;
      const reply = await send(url, { agent: this.#agent });
      this.inFlight--;
      this.statuses.push(reply.status);
      this.#onReply?.();
      // Paced: during the outage 503s come back at once, and two shared cores serve this test.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

describe('rate limiting with Redis Sentinel: the master dies under load (SPEC §3, --redis-mode sentinel)', function () {
  this.timeout(60_000);
  let set: RedisSentinelSet;
  let upstream: UpstreamServer;
  let gateways: ProxyGateway[] = [];
  before(async () => {
    set = await startRedisSentinelSet();
    upstream = await startUpstream();
    gateways = await startLimitedGateways(2, {
      routes: [{ name: 'shared', match: { path: '/shared' }, upstream: upstream.origin, rateLimit: 'shared' }],
      policies: { rateLimits: { shared: { key: 'ip', limits: [limit(LIMIT, '1h')], onStoreError: 'deny' } } },
      args: [`--redis=${set.urls}`, '--redis-mode=sentinel', `--redis-master=${MASTER_NAME}`, '--log-level=info'],
    });
  });
  after(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop())); // asserts exit 0: no crash through the failover
    await upstream?.close();
    await set?.dispose();
  });

  it('keeps answering through the failover, then decides on the new master, within the limit plus the decisions in flight at the kill', async () => {
    for (const gateway of gateways) await gateway.process.waitForLog((line) => line.msg === 'rate-limit store connected' && line.node === `127.0.0.1:${set.master.port}`);
    const load = new Load(gateways.map((gateway) => gateway.url('/shared')));
    try {
      await load.when(() => load.admitted() >= 40);
      const inFlightAtKill = load.inFlight;
      await set.master.stop('SIGKILL'); // the signal goes at once; this waits for the exit
      const replica = `127.0.0.1:${set.replica.port}`;
      // The log line that shows Redis is used again: the gateway's connection to the promoted replica.
      for (const gateway of gateways) await gateway.process.waitForLog((line) => line.msg === 'rate-limit store is back' && line.node === replica, 30_000);
      assert.equal(await set.masterPort(), set.replica.port, 'the sentinels promoted the replica');
      // Under deny only Redis refuses with 429: wait for the new master to spend the bucket.
      const seen = load.statuses.length;
      await until('a 429 from the new master', () => (load.statuses.slice(seen).includes(429) ? true : undefined), 20_000, 20);
      await load.stop();
      const counts = load.statuses.reduce<Record<number, number>>((c, s) => ({ ...c, [s]: (c[s] ?? 0) + 1 }), {});
      assert.deepEqual(Object.keys(counts).filter((s) => !['200', '429', '503'].includes(s)), [], `only 200, 429 and 503: ${JSON.stringify(counts)}`);
      assert.ok((counts[503] ?? 0) > 0, `onStoreError: deny answered while no master did: ${JSON.stringify(counts)}`);
      const admitted = load.admitted();
      assert.ok(admitted >= LIMIT, `the new master had the old one's takes at most: ${admitted} admitted`);
      assert.ok(admitted <= LIMIT + inFlightAtKill, `${admitted} admitted, more than ${LIMIT} + ${inFlightAtKill} in flight at the kill`);
      assert.equal(upstream.requests.length, admitted);
      for (const gateway of gateways) {
        const text = (await send(gateway.process.adminUrl('/metrics'))).text();
        assert.ok((sampleValue(text, 'gatehouse_ratelimit_store_errors_total', { mode: 'deny' }) ?? 0) > 0, 'the outage was counted');
        assert.equal((await send(gateway.process.adminUrl('/healthz'))).status, 200);
      }
    } finally {
      await load.stop();
    }
  });
});
