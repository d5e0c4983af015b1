// SPEC §4 trace context as the upstream and the operator see it: a valid incoming
// traceparent is continued (tracestate with it), an absent or invalid one replaced
// by a new trace; the upstream's parent is the gateway's span; the trace id is in
// the access log and in /admin/functions' last wake.
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { makeConfigDir, TEST_FUNCTION } from '../support/config-dir.js';
import { ADMIN_TOKEN, startOwnedGateway, type OwnedGateway } from '../support/gateway-process.js';
import { adminHeaders, send } from '../support/http-client.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { startUpstream, type RecordedRequest, type UpstreamServer } from '../support/upstream-server.js';
import { until } from '../support/wait.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

describe('trace context (SPEC §4)', () => {
  let upstream: UpstreamServer;
  let gateway: ProxyGateway;

  before(async () => {
    upstream = await startUpstream();
    gateway = await startProxyGateway([{ name: 'traced', match: { path: '/traced' }, upstream: upstream.origin }]);
  });
  after(async () => {
    await gateway?.stop();
    await upstream?.close();
  });

  async function through(headers: Record<string, string>): Promise<{ seen: RecordedRequest; traceparent: RegExpExecArray; logged: Record<string, unknown> }> {
    const arrived = upstream.nextRequest();
    const reply = await send(gateway.url('/traced'), { headers });
    assert.equal(reply.status, 200);
    const seen = await arrived;
    const traceparent = TRACEPARENT.exec(String(seen.headers.traceparent));
    assert.ok(traceparent, `the upstream got a version-00 traceparent: ${String(seen.headers.traceparent)}`);
    const requestId = String(reply.headers['x-request-id']);
    const logged = await until('the access line', () => gateway.process.logs.find((line) => line.msg === 'request' && line.requestId === requestId));
    return { seen, traceparent, logged };
  }

  it('continues a valid traceparent: same trace and flags, the gateway\'s span as the parent, tracestate passed on', async () => {
    const { seen, traceparent, logged } = await through({ traceparent: `00-${TRACE}-${PARENT}-00`, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' });
    const [, traceId, parentId, flags] = traceparent;
    assert.deepEqual([traceId, flags, seen.headers.tracestate], [TRACE, '00', 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7']);
    assert.notEqual(parentId, PARENT, 'the upstream\'s parent is the gateway\'s span, not the caller\'s');
    assert.equal(logged.traceId, TRACE);
  });

  it('starts a sampled trace without a traceparent, and logs its id', async () => {
    const { seen, traceparent, logged } = await through({});
    const [, traceId, , flags] = traceparent;
    assert.notEqual(traceId, '0'.repeat(32));
    assert.equal(flags, '01');
    assert.equal(logged.traceId, traceId);
    assert.equal(seen.headers.tracestate, undefined);
  });

  for (const [what, header] of [
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['version 00 with a trailing field', `00-${TRACE}-${PARENT}-01-x`],
  ] as const) {
    it(`replaces a traceparent with ${what} by a new trace, and drops its tracestate`, async () => {
      const { seen, traceparent, logged } = await through({ traceparent: header, tracestate: 'congo=t61rcWkgMzE' });
      assert.notEqual(traceparent[1], TRACE);
      assert.equal(logged.traceId, traceparent[1]);
      assert.equal(seen.headers.tracestate, undefined, 'tracestate goes only with a valid traceparent');
    });
  }

  it('parses a later version leniently and continues its trace', async () => {
    const { traceparent } = await through({ traceparent: `cc-${TRACE}-${PARENT}-01-future-field` });
    assert.deepEqual([traceparent[1], traceparent[3]], [TRACE, '01']);
  });

  it('gives every request its own span, also within one trace', async () => {
    const header = { traceparent: `00-${TRACE}-${PARENT}-01` };
    const spans = new Set<string>();
    for (let i = 0; i < 5; i++) spans.add(((await through(header)).traceparent)[2] as string);
    assert.equal(spans.size, 5);
  });
});

describe('trace context in /admin/functions (SPEC §4, §6)', () => {
  let gateway: OwnedGateway;
  before(async () => {
    const config = makeConfigDir({
      routes: { 'r.yaml': stringify({ routes: [{ name: 'sleepy', match: { path: '/sleepy/*' }, function: 'sleepy', auth: 'public', rewrite: '/*' }] }) },
      functions: stringify({ functions: { sleepy: { command: JSON.parse(TEST_FUNCTION) as string[] } } }),
    });
    gateway = await startOwnedGateway(config, []);
  });
  after(async () => gateway?.stop());

  it('names the trace and request that woke the function in its last wake, and the upstream saw that trace', async () => {
    const reply = await send(gateway.url('/sleepy/echo'), { headers: { traceparent: `00-${TRACE}-${PARENT}-01`, 'x-request-id': 'the-waking-request' } });
    assert.equal(reply.status, 200);
    const echoed = reply.json<{ headers: Record<string, string> }>();
    assert.equal(TRACEPARENT.exec(echoed.headers.traceparent ?? '')?.[1], TRACE, 'the function saw the caller\'s trace');
    const functions = await send(gateway.process.adminUrl('/admin/functions'), { headers: adminHeaders(ADMIN_TOKEN) });
    const sleepy = functions.json<{ functions: Array<{ name: string; lastWake: { outcome: string; traceId: string; requestId: string } | null }> }>().functions.find((f) => f.name === 'sleepy');
    assert.deepEqual(sleepy?.lastWake && [sleepy.lastWake.outcome, sleepy.lastWake.traceId, sleepy.lastWake.requestId], ['ready', TRACE, 'the-waking-request']);
    const wakeLine = await gateway.process.waitForLog((line) => line.msg === 'wake ended');
    assert.deepEqual([wakeLine.traceId, wakeLine.requestId], [TRACE, 'the-waking-request']);
  });
});
