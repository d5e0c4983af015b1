// SPEC §1 `rediss://` and `--redis-ca`, and ACL users in the URL, against a real
// redis-server that speaks TLS only and whose default user is off: the gateway
// logs in as its ACL user over TLS with the test's CA; without the CA the server
// is not trusted (onStoreError decides, one log line says why); a rediss:// URL
// never falls back to plaintext; the password appears in no line of its output.
import assert from 'node:assert/strict';
import net from 'node:net';
import { send } from '../support/http-client.js';
import { sampleValue } from '../support/metrics.js';
import type { ProxyGateway } from '../support/proxy-gateway.js';
import { limit, startLimitedGateway, type LimitedGatewayOptions } from '../support/ratelimit-gateway.js';
import { startTlsRedis, type TlsRedis } from '../support/redis-tls.js';
import { startUpstream, listenOnLoopback, type UpstreamServer } from '../support/upstream-server.js';
import { until } from '../support/wait.js';

const USER = 'gatehouse';
/** Characters a URL must escape, so both its raw and its %-encoded form are grepped for. */
const PASSWORD = 'p@ss:w/rd%+S3cret-42';

describe('rate limiting in Redis over TLS, as an ACL user (SPEC §1 --redis rediss://, --redis-ca)', function () {
  this.timeout(45_000);
  let redis: TlsRedis;
  let upstream: UpstreamServer;
  const started: ProxyGateway[] = [];
  before(async () => {
    // The default user is off: only a login as USER with PASSWORD reaches the data.
    redis = await startTlsRedis(['--user', 'default', 'off', '--user', USER, 'on', `>${PASSWORD}`, '~gh:rl:*', '+@all']);
    upstream = await startUpstream();
  });
  after(async () => {
    await Promise.all(started.map((gateway) => gateway.stop()));
    await upstream?.close();
    await redis?.dispose();
  });

  const withCredentials = (password: string): string => redis.url.replace('rediss://', `rediss://${USER}:${encodeURIComponent(password)}@`);
  /** Under onStoreError: allow only Redis ever refuses: a 429 proves Redis decided. */
  async function gateway(args: string[]): Promise<ProxyGateway> {
    const options: LimitedGatewayOptions = {
      routes: [{ name: 'three', match: { path: '/three' }, upstream: upstream.origin, rateLimit: 'three' }],
      policies: { rateLimits: { three: { key: 'ip', limits: [limit(3, '1h')], onStoreError: 'allow' } } },
      args: [...args, '--log-level=debug'],
    };
    const one = await startLimitedGateway(options);
    started.push(one);
    return one;
  }
  const statuses = async (g: ProxyGateway, count: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push((await send(g.url('/three'))).status);
    return out;
  };
  const storeErrors = async (g: ProxyGateway): Promise<number> => sampleValue((await send(g.process.adminUrl('/metrics'))).text(), 'gatehouse_ratelimit_store_errors_total', { mode: 'allow' }) ?? 0;
  const wholeOutput = (g: ProxyGateway): string => g.process.logs.map((line) => JSON.stringify(line)).join('\n') + g.process.stderrText();

  it('decides in Redis over TLS with --redis-ca, logged in as the ACL user from the URL', async () => {
    const g = await gateway([`--redis=${withCredentials(PASSWORD)}`, `--redis-ca=${redis.caFile}`]);
    assert.deepEqual(await statuses(g, 4), [200, 200, 200, 429]);
    assert.equal(await storeErrors(g), 0);
    const connected = await g.process.waitForLog((line) => line.msg === 'rate-limit store connected');
    assert.equal(connected.user, USER);
    assert.equal(connected.tls, true);
  });

  it('writes the password in no line of its output, even when Redis refuses it', async () => {
    const refused = await gateway([`--redis=${withCredentials(`${PASSWORD}-wrong`)}`, `--redis-ca=${redis.caFile}`]);
    assert.deepEqual(await statuses(refused, 4), [200, 200, 200, 200], 'WRONGPASS: onStoreError allow decides');
    const line = await refused.process.waitForLog((l) => l.msg === 'rate-limit store unavailable');
    assert.match(String(line.err), /WRONGPASS/);
    for (const g of started) {
      const output = wholeOutput(g);
      assert.ok(output.length > 0);
      for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), 'S3cret']) assert.ok(!output.includes(secret), `"${secret}" in the output of gateway ${g.process.pid}`);
    }
  });

  it('refuses a server it cannot verify without --redis-ca: onStoreError decides, one log line says why', async () => {
    const g = await gateway([`--redis=${withCredentials(PASSWORD)}`]);
    assert.deepEqual(await statuses(g, 4), [200, 200, 200, 200], 'never decided by the untrusted server');
    assert.ok((await storeErrors(g)) >= 4);
    const lines = g.process.logs.filter((l) => l.msg === 'rate-limit store unavailable');
    assert.equal(lines.length, 1, 'one line, not one per retry');
    assert.match(String(lines[0]?.hint), /--redis-ca/);
  });

  it('never falls back to plaintext: a rediss:// URL sends a plaintext listener TLS handshakes, never a Redis command', async () => {
    const received: Buffer[] = [];
    const trap = net.createServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        received.push(chunk);
        socket.destroy();
      });
    });
    const port = await listenOnLoopback(trap);
    try {
      const g = await gateway([`--redis=rediss://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`, `--redis-ca=${redis.caFile}`]);
      await statuses(g, 2);
      await until('two connection attempts', () => (received.length >= 2 ? true : undefined), 15_000, 50);
      for (const chunk of received) {
        assert.equal(chunk[0], 0x16, 'a TLS handshake record');
        const text = chunk.toString('latin1');
        for (const plain of ['PING', 'INFO', 'AUTH', 'HELLO', 'EVAL', PASSWORD]) assert.ok(!text.includes(plain), `plaintext ${plain} sent`);
      }
    } finally {
      await new Promise<void>((resolve) => trap.close(() => resolve()));
    }
  });
});
