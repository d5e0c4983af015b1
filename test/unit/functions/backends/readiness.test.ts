// The readiness probe loop (SPEC §5 "GET until 2xx"): against real loopback
// servers for what goes over the wire, with a scripted probe for the nudge rules.
// No test waits for the schedule: the pauses are made endless, so only the event
// under test can end them.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freeLoopbackPort } from '../../../../src/functions/backends/ports.js';
import { NUDGE_BUDGET, ReadinessProbe, type ProbeTarget } from '../../../../src/functions/backends/readiness.js';

const FOREVER_MS = 60_000;
const HOST = '127.0.0.1';

interface CountingServer {
  readonly server: http.Server;
  readonly connections: () => number;
  readonly paths: string[];
}

/** Answers /healthz with `statuses` in turn (the last one from then on), anything else 200. */
function countingServer(statuses: number[]): CountingServer {
  let connections = 0;
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    const status = req.url === '/healthz' ? (statuses.length > 1 ? (statuses.shift() as number) : (statuses[0] as number)) : 200;
    res.writeHead(status).end(String(status));
  });
  server.on('connection', () => connections++);
  return { server, connections: () => connections, paths };
}

function listen(server: http.Server, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, HOST, () => resolve((server.address() as AddressInfo).port)));
}

function get(agent: http.Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: HOST, port, path, agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    }).once('error', reject);
  });
}

/** Resolves the first time the loop asks how long to pause, and then pauses forever. */
function firstPause(): { delayMs: () => number; paused: Promise<void> } {
  let paused!: () => void;
  const promise = new Promise<void>((resolve) => (paused = resolve));
  return { delayMs: () => (paused(), FOREVER_MS), paused: promise };
}

describe('readiness probe', () => {
  let agent: http.Agent;
  const servers: http.Server[] = [];
  beforeEach(() => (agent = new http.Agent({ keepAlive: true })));
  afterEach(async () => {
    agent.destroy();
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  describe('against a real server', () => {
    it('probes a port nobody listens on until a server listens there, then resolves', async () => {
      const port = await freeLoopbackPort();
      const { server, paths } = countingServer([200]);
      servers.push(server);
      let pauses = 0;
      const delayMs = (): number => {
        if (pauses++ === 0) void listen(server, port); // after the first refused connect
        return 1;
      };
      const probe = new ReadinessProbe({ host: HOST, port, path: '/healthz' }, { agent, delayMs });
      await probe.wait(new AbortController().signal);
      assert.ok(pauses >= 1, 'the first probe was refused');
      assert.deepEqual(paths, ['/healthz']);
    });

    it('sends the request its 2xx releases on the probe\'s own connection (no second connect)', async () => {
      const counting = countingServer([503, 503, 200]);
      servers.push(counting.server);
      const port = await listen(counting.server);
      const probe = new ReadinessProbe({ host: HOST, port, path: '/healthz' }, { agent, delayMs: () => 0 });
      await probe.wait(new AbortController().signal);
      assert.equal(await get(agent, port, '/first-request'), 200);
      assert.deepEqual(counting.paths, ['/healthz', '/healthz', '/healthz', '/first-request']);
      assert.equal(counting.connections(), 1, 'every probe and the request shared one connection');
    });

    it('probes at once when nudged, instead of waiting for the schedule', async () => {
      const counting = countingServer([503, 200]);
      servers.push(counting.server);
      const port = await listen(counting.server);
      const pause = firstPause();
      const probe = new ReadinessProbe({ host: HOST, port, path: '/healthz' }, { agent, delayMs: pause.delayMs });
      const ready = probe.wait(new AbortController().signal);
      await pause.paused; // after the 503, pausing "forever"
      probe.nudge();
      await ready;
      assert.deepEqual(counting.paths, ['/healthz', '/healthz']);
    });

    it('rejects with the abort reason at once, without waiting out the pause', async () => {
      const port = await freeLoopbackPort();
      const pause = firstPause();
      const controller = new AbortController();
      const probe = new ReadinessProbe({ host: HOST, port, path: '/healthz' }, { agent, delayMs: pause.delayMs });
      const ready = probe.wait(controller.signal);
      await pause.paused;
      controller.abort(new Error('exited before it was ready'));
      await assert.rejects(ready, /exited before it was ready/);
    });
  });

  describe('nudges', () => {
    const target: ProbeTarget = { host: HOST, port: 1, path: '/healthz' };

    it('probe again as soon as a probe fails when one came while it was on its way', async () => {
      const answers = [false, true];
      let probe!: ReadinessProbe;
      const probeOnce = async (): Promise<boolean> => {
        if (answers.length === 2) probe.nudge(); // output arrived while the first probe was out
        return answers.shift() as boolean;
      };
      probe = new ReadinessProbe(target, { agent, probeOnce, delayMs: () => assert.fail('paused despite the nudge') });
      await probe.wait(new AbortController().signal);
      assert.deepEqual(answers, []);
    });

    it(`cost at most ${NUDGE_BUDGET} probes beyond the schedule, however chatty the function`, async () => {
      let probes = 0;
      let probe!: ReadinessProbe;
      const probeOnce = async (): Promise<boolean> => {
        probes++;
        probe.nudge();
        return false;
      };
      const pause = firstPause();
      const controller = new AbortController();
      probe = new ReadinessProbe(target, { agent, probeOnce, delayMs: pause.delayMs });
      const ready = probe.wait(controller.signal);
      await pause.paused;
      for (let i = 0; i < 10; i++) probe.nudge(); // the budget is spent: these wake nothing
      controller.abort(new Error('test over'));
      await assert.rejects(ready, /test over/);
      assert.equal(probes, 1 + NUDGE_BUDGET);
    });

    it('do nothing once the probe is done', async () => {
      const probe = new ReadinessProbe(target, { agent, probeOnce: async () => true });
      await probe.wait(new AbortController().signal);
      probe.nudge();
    });
  });
});
