// The floor under the local wake overhead (bench/wake.ts runs this pinned to the
// gateway's core, in the gateway's place): what the test function itself needs
// from listening to its first answer when nothing stands between it and the
// client. Per cold start: a free port, the function spawned as the local backend
// spawns it, GET /healthz at its first output (again at once while refused), and
// on the 2xx a GET on the same connection, whose first byte ends the sample. So:
// no gateway, no release, no proxy, a prober that is never late.
//
//   node build/bench/wake-floor-client.js RUNS COMMAND_JSON
//
// Prints one JSON line per cold start (hrtime readings as decimal strings).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { freeLoopbackPort } from '../src/functions/backends/ports.js';

const HOST = '127.0.0.1';
const STEP_TIMEOUT_MS = 15_000;

const nowNs = (): bigint => process.hrtime.bigint();

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly firstByteNs: bigint;
}

function get(agent: http.Agent, port: number, path: string): Promise<Answer | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path, agent, timeout: STEP_TIMEOUT_MS }, (res) => {
      const firstByteNs = nowNs();
      res.resume();
      res.once('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, firstByteNs }));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(null));
  });
}

async function coldStart(command: readonly string[], run: number): Promise<Record<string, string>> {
  const port = await freeLoopbackPort();
  const agent = new http.Agent({ keepAlive: true });
  const [file, ...args] = command as [string, ...string[]];
  const sentNs = nowNs();
  const child = spawn(file, args, { env: { ...process.env, HOST, PORT: String(port), BENCH_HRTIME: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await new Promise((resolve) => child.stdout?.once('data', resolve));
    child.stdout?.resume();
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while ((await get(agent, port, '/healthz'))?.status !== 200) {
      if (Date.now() > deadline) throw new Error('the function never answered /healthz 2xx');
    }
    const answer = await get(agent, port, `/floor/${run}`);
    if (answer?.status !== 200) throw new Error(`the request got ${answer?.status ?? 'no answer'}`);
    const header = (name: string): string => String(answer.headers[`x-function-${name}-hrtime`] ?? '');
    return {
      sentNs: String(sentNs),
      listeningNs: header('listening'),
      listenDoneNs: header('listen-done'),
      firstHealthzNs: header('first-healthz'),
      firstHealthzSentNs: header('first-healthz-sent'),
      receivedNs: header('received'),
      firstByteNs: String(answer.firstByteNs),
    };
  } finally {
    agent.destroy();
    child.kill();
    await exited;
  }
}

const runs = Number(process.argv[2]);
const command = JSON.parse(process.argv[3] ?? '[]') as string[];
for (let run = 0; run < runs; run++) process.stdout.write(`${JSON.stringify(await coldStart(command, run))}\n`);
