// /metrics as a Prometheus server reads it (SPEC §6): every metric of the spec
// with its labels after traffic that touches each, latency buckets from 0.5 ms
// to 60 s, the in-flight and upstream-connection gauges following a request
// that a function holds, Node's process metrics, and Prometheus's own linter
// (`promtool check metrics`) finding nothing wrong with any metric of ours.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeConfigDir, TEST_FUNCTION, type ConfigDir } from '../support/config-dir.js';
import { ADMIN_TOKEN, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { adminHeaders, send } from '../support/http-client.js';
import { sampleValue } from '../support/metrics.js';
import { promtoolCheckMetrics } from '../support/promtool.js';
import { until } from '../support/wait.js';

const routes = `routes:
  - name: work
    match: { path: /work/* }
    function: worker
    rewrite: /*
    auth: public
    rateLimit: per-ip
  - name: keyed
    match: { path: /keyed/* }
    function: worker
    rewrite: /*
    auth: partners
`;

const policies = `auth:
  partners:
    type: apiKey
    in: header
    name: X-API-Key
    keys:
      - { id: demo, hash: "sha256:b402eb431d39a034dfa775d36e873a6687c51844b2e11446c944e224a5393369" }
rateLimits:
  per-ip:
    key: ip
    limits: [{ requests: 1000, per: 1s }]
`;

/** Every metric of SPEC §6 (and the two gauges of the observability issue): its type and its label names. */
const SPEC_METRICS: Array<[name: string, type: string, labels: string[]]> = [
  ['gatehouse_requests_total', 'counter', ['route', 'method', 'status']],
  ['gatehouse_request_duration_seconds', 'histogram', ['route']],
  ['gatehouse_upstream_duration_seconds', 'histogram', ['function']],
  ['gatehouse_wakes_total', 'counter', ['function', 'outcome']],
  ['gatehouse_wake_duration_seconds', 'histogram', ['function']],
  ['gatehouse_pending_requests', 'gauge', ['function']],
  ['gatehouse_ready_endpoints', 'gauge', ['function']],
  ['gatehouse_ratelimit_decisions_total', 'counter', ['policy', 'decision']],
  ['gatehouse_auth_failures_total', 'counter', ['policy', 'reason']],
  ['gatehouse_config_reloads_total', 'counter', ['result']],
  ['gatehouse_inflight_requests', 'gauge', ['function']],
  ['gatehouse_upstream_connections', 'gauge', ['state']],
];

/** The label names of `name`'s samples (for a histogram, its _count's), in order, or undefined. */
function labelNamesOf(text: string, name: string, type: string): string[] | undefined {
  const sample = type === 'histogram' ? `${name}_count` : name;
  const line = text.split('\n').find((l) => l.startsWith(`${sample}{`));
  return line === undefined ? undefined : [...line.slice(line.indexOf('{'), line.lastIndexOf('}')).matchAll(/(\w+)="/g)].map((m) => m[1] as string);
}

/** The families of `text` whose names start with gatehouse_: their HELP, TYPE and samples. */
function ourFamilies(text: string): string {
  return text
    .split('\n')
    .filter((line) => /^(# (HELP|TYPE) )?gatehouse_/.test(line))
    .join('\n')
    .concat('\n');
}

describe('/metrics', function () {
  this.timeout(30_000);
  let config: ConfigDir;
  let gateway: GatewayProcess;
  const released = (): string => path.join(config.root, 'released');
  const scrape = async (): Promise<string> => {
    const reply = await send(gateway.adminUrl('/metrics'));
    assert.equal(reply.status, 200);
    return reply.text();
  };

  before(async () => {
    config = makeConfigDir({ routes: { 'work.yaml': routes }, policies: { 'policies.yaml': policies } });
    config.write('functions.yaml', JSON.stringify({ functions: { worker: { command: JSON.parse(TEST_FUNCTION), coldStartTimeout: '25s' } } }));
    gateway = await startGatewayProcess(config, ['--shutdown-timeout=10s']);
    // Traffic that touches every metric: a wake, an answer, a refused key, a reload.
    assert.equal((await send(gateway.url('/work/echo'))).status, 200);
    assert.equal((await send(gateway.url('/keyed/echo'), { headers: { 'x-api-key': 'not-a-key' } })).status, 401);
    assert.equal((await send(gateway.adminUrl('/admin/reload'), { method: 'POST', headers: adminHeaders(ADMIN_TOKEN) })).status, 200);
  });
  after(async () => {
    writeFileSync(released(), 'go');
    try {
      assert.equal(await gateway.stop('SIGTERM'), 0);
    } finally {
      config.remove();
    }
  });

  it('has every metric of SPEC §6, of its type, with its labels', async () => {
    const text = await scrape();
    const found = SPEC_METRICS.map(([name, type]) => [name, text.includes(`\n# TYPE ${name} ${type}\n`) ? type : 'missing', labelNamesOf(text, name, type)]);
    assert.deepEqual(
      found,
      SPEC_METRICS.map(([name, type, labels]) => [name, type, labels]),
    );
    assert.equal(sampleValue(text, 'gatehouse_requests_total', { route: 'work', method: 'GET', status: '200' }), 1);
    assert.equal(sampleValue(text, 'gatehouse_requests_total', { route: 'keyed', method: 'GET', status: '401' }), 1);
    assert.equal(sampleValue(text, 'gatehouse_wakes_total', { function: 'worker', outcome: 'ready' }), 1);
    assert.equal(sampleValue(text, 'gatehouse_ratelimit_decisions_total', { policy: 'per-ip', decision: 'allowed' }), 1);
    assert.equal(sampleValue(text, 'gatehouse_auth_failures_total', { policy: 'partners' }), 1);
    assert.equal(sampleValue(text, 'gatehouse_config_reloads_total', { result: 'ok' }), 1);
  });

  it('buckets request and upstream latency from 0.5 ms to 60 s, wakes from 5 ms to 60 s', async () => {
    const text = await scrape();
    const bounds = (name: string, labels: Record<string, string>): string[] => {
      const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      return text
        .split('\n')
        .filter((line) => line.startsWith(`${name}_bucket{`) && wanted.every((w) => line.includes(w)))
        .map((line) => /le="([^"]+)"/.exec(line)?.[1] as string);
    };
    const latency = ['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60', '+Inf'];
    assert.deepEqual(bounds('gatehouse_request_duration_seconds', { route: 'work' }), latency);
    assert.deepEqual(bounds('gatehouse_upstream_duration_seconds', { function: 'worker' }), latency);
    const wake = bounds('gatehouse_wake_duration_seconds', { function: 'worker' });
    assert.deepEqual([wake[0], wake.at(-2), wake.at(-1)], ['0.005', '60', '+Inf']);
  });

  it('counts a request its function holds in gatehouse_inflight_requests and its socket as active, then idle', async () => {
    const connections = async (): Promise<{ active?: number; idle?: number }> => {
      const text = await scrape();
      return { active: sampleValue(text, 'gatehouse_upstream_connections', { state: 'active' }), idle: sampleValue(text, 'gatehouse_upstream_connections', { state: 'idle' }) };
    };
    const inFlight = async (): Promise<number | undefined> => sampleValue(await scrape(), 'gatehouse_inflight_requests', { function: 'worker' });
    assert.equal(await inFlight(), 0);
    const held = send(gateway.url(`/work/await-file?path=${encodeURIComponent(released())}`));
    await until('the held request in gatehouse_inflight_requests', async () => ((await inFlight()) === 1 ? true : undefined));
    assert.ok(((await connections()).active ?? 0) >= 1, 'the held request has an active upstream socket');
    writeFileSync(released(), 'go');
    assert.equal((await held).status, 200);
    assert.equal(await inFlight(), 0);
    const after = await until('the socket back in the pool', async () => {
      const now = await connections();
      return now.active === 0 && (now.idle ?? 0) >= 1 ? now : undefined;
    });
    assert.ok((after.idle ?? 0) >= 1);
  });

  it("carries Node's process metrics", async () => {
    const text = await scrape();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_open_fds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      const value = sampleValue(text, name);
      assert.ok(value !== undefined && value >= 0, `${name} = ${value}`);
    }
    assert.ok((sampleValue(text, 'process_resident_memory_bytes') ?? 0) > 1_000_000);
  });

  it('passes `promtool check metrics` for every metric of ours', async () => {
    const text = await scrape();
    const ours = await promtoolCheckMetrics(ourFamilies(text));
    assert.deepEqual(ours, { exitCode: 0, problems: [] });
    // The whole page parses; what promtool lints in it is prom-client's own
    // nodejs_*_total gauges, whose names prom-client chooses, not ours.
    const whole = await promtoolCheckMetrics(text);
    assert.deepEqual(
      whole.problems.filter((line) => !/^nodejs_\w+ non-counter metrics should not have "_total" suffix$/.test(line)),
      [],
    );
  });
});
