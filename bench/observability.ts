// What the access log (SPEC §6) and the trace context (SPEC §4) add to each
// request, in process, with the real modules: a RequestRecord built on node's own
// IncomingMessage/ServerResponse, closed with the access log off and on (the line
// built and written through the gateway's pino logger and batched async
// destination, to /dev/null), and the trace step alone for a request without and
// with a valid traceparent. On a shared machine a per-operation figure is steadier
// than the proxy bench's req/s, which this complements. Median of 5 runs.
import http from 'node:http';
import net from 'node:net';
import type { RouteSpec } from '../src/config/types.js';
import { RequestRecord, type RequestObservers } from '../src/http/request-record.js';
import { AccessLog } from '../src/http/access-log.js';
import { batchedDestination, createLogger, destinationOf } from '../src/observability/logger.js';
import { GatewayMetrics } from '../src/observability/metrics.js';
import { continueTrace, traceparentOf, type TraceFields } from '../src/observability/trace-context.js';

const RUNS = 5;
const OPS = 100_000;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const ROUTE = { name: 'public', match: { path: '/public', methods: null, host: null, headers: {} }, target: { kind: 'upstream' } } as Pick<RouteSpec, 'name' | 'match'> as RouteSpec;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

/** Requests a loaded gateway finishes per event-loop turn, about (20 connections). */
const PER_TURN = 20;

/**
 * µs per op: the median of RUNS runs of OPS ops, after one run of warm-up. Ops run
 * PER_TURN at a time with a turn of the event loop between, as in a server: the log
 * destination's writes complete between them, as they would. Only the ops are timed.
 */
async function measure(op: () => void): Promise<number> {
  const runs: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    let spent = 0;
    for (let done = 0; done < OPS; done += PER_TURN) {
      const t0 = performance.now();
      for (let i = 0; i < PER_TURN; i++) op();
      spent += performance.now() - t0;
      await new Promise(setImmediate);
    }
    if (run > 0) runs.push((spent * 1000) / OPS);
  }
  return median(runs);
}

function request(headers: Record<string, string>): { req: http.IncomingMessage; res: http.ServerResponse } {
  const req = new http.IncomingMessage(new net.Socket());
  req.method = 'GET';
  req.url = '/public';
  req.headers = { host: '127.0.0.1:8080', 'user-agent': 'wrk', ...headers };
  const res = new http.ServerResponse(req);
  res.statusCode = 200;
  res.setHeader('content-length', '13');
  return { req, res };
}

export async function runObservabilityBench(): Promise<string> {
  const metrics = new GatewayMetrics();
  const logger = createLogger('warn', batchedDestination('/dev/null') as unknown as NodeJS.WritableStream);
  const observers = (accessLog: boolean): RequestObservers => ({ metrics, accessLog: accessLog ? new AccessLog(destinationOf(logger)) : null, tracer: null, clientIp: () => '127.0.0.1' });
  const closeWith = (accessLog: boolean): (() => void) => {
    const { req, res } = request({});
    const record = new RequestRecord(req, res, '025ba044-a97b-497b-8954-3a08b41220c4', observers(accessLog));
    record.matched(ROUTE);
    record.path = '/public';
    return () => record.closed();
  };
  const off = await measure(closeWith(false));
  const on = await measure(closeWith(true));
  const fields: TraceFields = { traceId: '', spanId: '', parentSpanId: null, traceFlags: '' };
  const fresh = { host: 'h' } as Record<string, string | undefined>;
  const newTrace = await measure(() => {
    delete fresh.traceparent;
    continueTrace(fields, fresh);
    fresh.traceparent = traceparentOf(fields, fields.spanId);
  });
  const incoming = { host: 'h', traceparent: TRACEPARENT, tracestate: 'congo=t61rcWkgMzE' } as Record<string, string | undefined>;
  const continued = await measure(() => {
    incoming.traceparent = TRACEPARENT;
    continueTrace(fields, incoming);
    incoming.traceparent = traceparentOf(fields, fields.spanId);
  });
  const rows = [
    ['request record closed, access log off (metrics only)', off],
    ['request record closed, access log on (line built and written)', on],
    ['access log, added per request', on - off],
    ['trace context, no incoming traceparent (new trace and span ids, traceparent built)', newTrace],
    ['trace context, valid incoming traceparent (parsed, span id, traceparent built)', continued],
  ] as const;
  return [
    `In process, ${OPS.toLocaleString('en-US')} operations per run, ${PER_TURN} per event-loop turn, median of ${RUNS} runs (\`bench/observability.ts\`; \`npm run bench -- observability\`):`,
    '',
    '| step | µs per request |',
    '|---|---:|',
    ...rows.map(([name, us]) => `| ${name} | ${us.toFixed(2)} |`),
  ].join('\n');
}
