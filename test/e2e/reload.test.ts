// Hot reload (SPEC §2): file changes, SIGHUP and POST /admin/reload build the
// new config beside the live one and swap it whole; an invalid one is refused
// and the old one stays live; in-flight requests finish on the config they began.
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeConfigDir, type ConfigDir } from '../support/config-dir.js';
import { ADMIN_TOKEN, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { adminHeaders, send } from '../support/http-client.js';
import { sampleValue } from '../support/metrics.js';
import { startUpstream, type TestUpstream } from '../support/held-upstream.js';
import { until } from '../support/wait.js';

type LogLine = Record<string, unknown>;

function route(name: string, routePath: string, origin: string, extra = ''): string {
  return `  - name: ${name}\n    match: { path: ${routePath}, methods: [GET] }\n    upstream: ${origin}\n    auth: public\n${extra}`;
}

async function reloadCount(gateway: GatewayProcess, result: 'ok' | 'error'): Promise<number> {
  const reply = await send(gateway.adminUrl('/metrics'));
  return sampleValue(reply.text(), 'gatehouse_config_reloads_total', { result }) ?? 0;
}

describe('hot reload', function () {
  this.timeout(60_000);
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  let upstream: TestUpstream;
  let config: ConfigDir;
  let gateway: GatewayProcess;
  /** The highest config version seen in a 'config reloaded' line so far. */
  let version: number;

  /** A gateway on routes/main.yaml, written from the upstream's origin. */
  async function startWith(routes: (origin: string) => string): Promise<void> {
    upstream = await startUpstream();
    cleanups.push(() => upstream.close());
    config = makeConfigDir({ routes: { 'main.yaml': routes(upstream.origin) } });
    cleanups.push(() => config.remove());
    gateway = await startGatewayProcess(config);
    cleanups.push(async () => assert.equal(await gateway.stop(), 0));
    version = 1;
  }

  /** Wait for the next successful reload caused by `reason` (the store may fold reasons together). */
  async function reloaded(reason: string): Promise<LogLine> {
    const line = await gateway.waitForLog((l) => l.msg === 'config reloaded' && String(l.reason).includes(reason) && Number(l.version) > version);
    version = Number(line.version);
    return line;
  }

  it('survives 20 reloads (file edits, SIGHUP, POST /admin/reload) with zero failed requests', async () => {
    const mainFile = (timeout: number, extra: boolean): string =>
      `routes:\n${route('steady', '/steady', upstream.origin, `    timeout: ${timeout}s\n`)}${extra ? route('extra', '/extra', upstream.origin) : ''}`;
    await startWith(() => mainFile(10, false));

    let stop = false;
    let answered = 0;
    const failures: string[] = [];
    const client = async (agent: http.Agent | false): Promise<void> => {
      while (!stop) {
        try {
          const reply = await send(gateway.url('/steady'), { agent });
          if (reply.status === 200) answered++;
          else failures.push(`status ${reply.status}: ${reply.text()}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const keepAlive = [new http.Agent({ keepAlive: true, maxSockets: 1 }), new http.Agent({ keepAlive: true, maxSockets: 1 })];
    cleanups.push(() => keepAlive.forEach((agent) => agent.destroy()));
    // Two clients reuse kept-alive connections across reloads, two open one per request.
    const clients = [client(keepAlive[0] as http.Agent), client(keepAlive[1] as http.Agent), client(false), client(false)];
    cleanups.push(async () => {
      stop = true;
      await Promise.all(clients);
    });

    const okBefore = await reloadCount(gateway, 'ok');
    let extra = false;
    for (let i = 0; i < 20; i++) {
      const seen = answered;
      if (i % 3 === 0) {
        extra = !extra;
        config.write('routes/main.yaml', mainFile(11 + i, extra));
        await reloaded('file change');
        assert.equal((await send(gateway.url('/extra'))).status, extra ? 200 : 404, `reload ${i}: /extra follows the file`);
      } else if (i % 3 === 1) {
        process.kill(gateway.pid, 'SIGHUP');
        await reloaded('SIGHUP');
      } else {
        const reply = await send(gateway.adminUrl('/admin/reload'), { method: 'POST', headers: adminHeaders(ADMIN_TOKEN) });
        assert.equal(reply.status, 200, reply.text());
        assert.equal(reply.json().ok, true);
        await reloaded('admin API');
      }
      // Requests flow between every two reloads, not only before the first.
      await until(`requests after reload ${i}`, () => (answered >= seen + 4 || failures.length > 0 ? true : undefined));
    }
    stop = true;
    await Promise.all(clients);
    assert.deepEqual(failures, []);
    assert.ok(answered >= 80, `answered ${answered}`);
    assert.ok((await reloadCount(gateway, 'ok')) - okBefore >= 20);
  });

  describe('an invalid config', () => {
    it('is refused with FILE:LINE:COL and counted; the old table stays live until the file is fixed', async () => {
      await startWith((origin) => `routes:\n${route('steady', '/steady', origin)}`);
      const good = `routes:\n${route('steady', '/steady', upstream.origin)}`;
      const errorsBefore = await reloadCount(gateway, 'error');

      // Line 10, column 5: the unknown key `colour` of the second route.
      config.write('routes/main.yaml', `${good}${route('added', '/added', upstream.origin, '    colour: blue\n')}`);
      const expected = `${path.join(config.routesDir, 'main.yaml')}:10:5: unknown key "colour"`;
      const refused = await gateway.waitForLog((l) => l.level === 50 && Array.isArray(l.problems));
      assert.ok((refused.problems as string[]).some((p) => p.startsWith(expected)), JSON.stringify(refused.problems));
      assert.equal((await send(gateway.url('/steady'))).status, 200);
      assert.equal((await send(gateway.url('/added'))).status, 404);
      assert.ok((await reloadCount(gateway, 'error')) > errorsBefore);

      const reply = await send(gateway.adminUrl('/admin/reload'), { method: 'POST', headers: adminHeaders(ADMIN_TOKEN) });
      assert.equal(reply.status, 422);
      assert.ok(reply.json<{ problems: string[] }>().problems.some((p) => p.startsWith(expected)), reply.text());
      assert.equal((await send(gateway.url('/added'))).status, 404);

      config.write('routes/main.yaml', `${good}${route('added', '/added', upstream.origin)}`);
      await reloaded('file change');
      assert.equal((await send(gateway.url('/added'))).status, 200);
      assert.equal((await send(gateway.url('/steady'))).status, 200);
    });

    it('with two routes that tie is refused at the later route; removing the file restores reloads', async () => {
      await startWith((origin) => `routes:\n${route('steady', '/steady', origin)}`);
      const errorsBefore = await reloadCount(gateway, 'error');

      config.write('routes/twin.yaml', `routes:\n${route('steady-twin', '/steady', 'http://127.0.0.1:9')}`);
      process.kill(gateway.pid, 'SIGHUP');
      const expected = `${path.join(config.routesDir, 'twin.yaml')}:2:5: route "steady-twin" ties with route "steady"`;
      const refused = await gateway.waitForLog((l) => Array.isArray(l.problems) && (l.problems as string[]).some((p) => p.startsWith(expected)));
      assert.equal(refused.level, 50);
      await until('the error counter', async () => ((await reloadCount(gateway, 'error')) > errorsBefore ? true : undefined));
      // Still the old table: the twin (a dead upstream) never answers.
      assert.equal((await send(gateway.url('/steady'))).status, 200);

      rmSync(path.join(config.routesDir, 'twin.yaml'));
      await reloaded('file change');
      assert.equal((await send(gateway.url('/steady'))).status, 200);
    });
  });

  it('makes a route added in a new file routable after the file-change reload', async () => {
    await startWith(() => 'routes: []\n');
    assert.equal((await send(gateway.url('/fresh'))).status, 404);
    config.write('routes/fresh.yaml', `routes:\n${route('fresh', '/fresh', upstream.origin)}`);
    const line = await reloaded('file change');
    assert.equal(line.routes, 1);
    const reply = await send(gateway.url('/fresh'));
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json(), { path: '/fresh' });
  });

  it('keeps watching a routes directory replaced by a rename (the watch followed the old one)', async () => {
    await startWith((origin) => `routes:\n${route('first', '/first', origin)}`);
    const next = `${config.routesDir}.next`;
    mkdirSync(next);
    writeFileSync(path.join(next, 'main.yaml'), `routes:\n${route('second', '/second', upstream.origin)}`);
    renameSync(config.routesDir, `${config.routesDir}.old`);
    renameSync(next, config.routesDir);
    await reloaded('file change');
    assert.equal((await send(gateway.url('/second'))).status, 200);

    // An edit inside the new directory: only a watch on the new directory sees it.
    config.write('routes/main.yaml', `routes:\n${route('third', '/third', upstream.origin)}`);
    await reloaded('file change');
    assert.equal((await send(gateway.url('/third'))).status, 200);
    assert.equal((await send(gateway.url('/second'))).status, 404);
  });

  it('lets an in-flight request finish on the config it started with', async () => {
    await startWith((origin) => `routes:\n${route('steady', '/steady', origin)}${route('doomed', '/doomed', origin, '    rewrite: /hold\n')}`);
    const steady = route('steady', '/steady', upstream.origin);

    const slow = send(gateway.url('/doomed'));
    await upstream.whenHeld(1);
    config.write('routes/main.yaml', `routes:\n${steady}`);
    await reloaded('file change');
    assert.equal((await send(gateway.url('/doomed'))).status, 404);

    upstream.release();
    const reply = await slow;
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json(), { path: '/hold' });
  });
});
