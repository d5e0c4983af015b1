// Graceful shutdown (SPEC §7): on SIGTERM /readyz turns 503, the public listener
// stops accepting, in-flight and held requests finish (up to --shutdown-timeout),
// local functions are stopped and the process exits 0.
import assert from 'node:assert/strict';
import net from 'node:net';
import { makeConfigDir, TEST_FUNCTION } from '../support/config-dir.js';
import { ADMIN_TOKEN, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { adminHeaders, send, type Reply } from '../support/http-client.js';
import { startUpstream } from '../support/held-upstream.js';
import { until } from '../support/wait.js';

const FUNCTIONS = `functions:
  awake:
    command: ${TEST_FUNCTION}
  sleepy:
    command: ${TEST_FUNCTION}
    env: { READY_DELAY_MS: "2000" }
    coldStartTimeout: 20s
`;

function functionRoute(name: string, routePath: string, fn: string, rewrite: string): string {
  return `  - name: ${name}\n    match: { path: ${routePath}, methods: [GET] }\n    function: ${fn}\n    rewrite: ${rewrite}\n    auth: public\n`;
}

const ROUTES = `routes:
${functionRoute('awake-delay', '/awake/delay/:ms', 'awake', '/delay/:ms')}${functionRoute('awake-echo', '/awake/echo', 'awake', '/echo')}${functionRoute('sleepy-echo', '/sleepy/echo', 'sleepy', '/echo')}`;

interface FunctionState {
  name: string;
  inFlight: number;
  pending: number;
}

async function functionState(gateway: GatewayProcess, name: string): Promise<FunctionState | undefined> {
  const reply = await send(gateway.adminUrl('/admin/functions'), { headers: adminHeaders(ADMIN_TOKEN) });
  return reply.json<{ functions: FunctionState[] }>().functions.find((f) => f.name === name);
}

/** Poll /readyz right after the signal: the admin listener stays up until the end. */
async function whenDraining(gateway: GatewayProcess): Promise<void> {
  await until('/readyz to turn 503', async () => ((await send(gateway.adminUrl('/readyz'))).status === 503 ? true : undefined));
}

function assertGone(pid: number): void {
  assert.throws(() => process.kill(pid, 0), (error: NodeJS.ErrnoException) => error.code === 'ESRCH', `function process ${pid} is still running`);
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('shutdown', function () {
  this.timeout(60_000);
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(extraArgs: string[] = []): Promise<GatewayProcess> {
    const config = makeConfigDir({ routes: { 'main.yaml': ROUTES }, functions: FUNCTIONS });
    cleanups.push(() => config.remove());
    const gateway = await startGatewayProcess(config, extraArgs);
    cleanups.push(async () => void (await gateway.stop())); // a no-op unless the test failed before its own stop
    return gateway;
  }

  it('on SIGTERM answers every in-flight and held request, refuses new connections, stops its functions and exits 0', async () => {
    const gateway = await start();
    const warm = await send(gateway.url('/awake/echo'));
    assert.equal(warm.status, 200);
    const awakePid = warm.json<{ pid: number }>().pid;

    const inFlight = [1, 2, 3].map(() => send(gateway.url('/awake/delay/1500')));
    await until('3 requests in flight on awake', async () => ((await functionState(gateway, 'awake'))?.inFlight === 3 ? true : undefined));
    const held = [1, 2, 3].map(() => send(gateway.url('/sleepy/echo')));
    await until('3 requests held for sleepy', async () => ((await functionState(gateway, 'sleepy'))?.pending === 3 ? true : undefined));

    const exited = gateway.stop('SIGTERM');
    await whenDraining(gateway);
    assert.equal(await connectionRefused(gateway.port), true, 'a new connection is refused while draining');

    const answers: Reply[] = await Promise.all([...inFlight, ...held]);
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.deepEqual(
      answers.slice(0, 3).map((r) => r.text()),
      ['waited 1500', 'waited 1500', 'waited 1500'],
    );
    const sleepyPids = new Set(answers.slice(3).map((r) => r.json<{ pid: number }>().pid));
    assert.equal(sleepyPids.size, 1);

    assert.equal(await exited, 0);
    assert.equal(gateway.logs.find((l) => l.msg === 'stopped')?.drained, true);
    for (const pid of [awakePid, ...sleepyPids]) assertGone(pid);
  });

  it('answers a request that arrives on a kept-alive connection while draining (it crashed the gateway)', async () => {
    const upstream = await startUpstream();
    cleanups.push(() => upstream.close());
    const routes = `routes:\n  - name: slow\n    match: { path: /slow }\n    upstream: ${upstream.origin}\n    rewrite: /hold\n    auth: public\n`;
    const config = makeConfigDir({ routes: { 'main.yaml': routes } });
    cleanups.push(() => config.remove());
    const gateway = await startGatewayProcess(config);
    cleanups.push(async () => void (await gateway.stop()));

    const socket = net.connect(gateway.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    let received = '';
    let socketError = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => (socketError = error.code ?? error.message));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /slow HTTP/1.1\r\nHost: gw\r\n\r\n');
    await upstream.whenHeld(1);

    const exited = gateway.stop('SIGTERM');
    await whenDraining(gateway);
    // Pipelined behind the held one: the gateway answers it at once (a 404, queued
    // behind the 200). One more round trip to the gateway lets it read those bytes.
    socket.write('GET /nowhere HTTP/1.1\r\nHost: gw\r\n\r\n');
    assert.equal((await send(gateway.adminUrl('/readyz'))).status, 503);
    upstream.release();
    await closed;

    assert.equal(socketError, '');
    assert.match(received, /^HTTP\/1\.1 200 OK\r\n[\s\S]*"path":"\/hold"[\s\S]*HTTP\/1\.1 404 Not Found\r\n/);
    const second = received.slice(received.indexOf('HTTP/1.1 404'));
    assert.match(second, /\r\nconnection: close\r\n/i, 'a response begun while draining closes its connection');
    assert.equal(await exited, 0);
  });

  it('with --shutdown-timeout 500ms cuts a 10 s request and still exits 0 with its functions stopped', async () => {
    const gateway = await start(['--shutdown-timeout=500ms']);
    const warm = await send(gateway.url('/awake/echo'));
    const awakePid = warm.json<{ pid: number }>().pid;

    const long = send(gateway.url('/awake/delay/10000')).then(
      (reply) => `status ${reply.status}`,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    await until('the long request in flight', async () => ((await functionState(gateway, 'awake'))?.inFlight === 1 ? true : undefined));

    assert.equal(await gateway.stop('SIGTERM'), 0);
    // Cut, not answered after 10 s: the drain gave up at the timeout.
    assert.match(await long, /^(ECONNRESET|socket hang up)$/);
    assert.ok(gateway.logs.some((l) => l.msg === 'shutdown timeout: cutting remaining connections'));
    assert.equal(gateway.logs.find((l) => l.msg === 'stopped')?.drained, false);
    assertGone(awakePid);
  });
});
