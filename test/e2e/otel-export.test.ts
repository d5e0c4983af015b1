// SPEC §1 OpenTelemetry export, end to end: the real gateway process with the SDK's
// OTLP/HTTP exporters, sending to test/support/otlp-receiver.ts, a small receiver
// that speaks OTLP/HTTP and decodes what arrives (protobuf and JSON). It stands in
// for an OpenTelemetry Collector, which cannot run here (no collector binary on this
// machine). Spans leave in batches; stopping the gateway flushes them (SPEC §7), so
// each test stops its gateway before it reads the spans.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { makeConfigDir, TEST_FUNCTION } from '../support/config-dir.js';
import { startOwnedGateway, type OwnedGateway } from '../support/gateway-process.js';
import { send } from '../support/http-client.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { startUpstream, type RecordedRequest, type UpstreamServer } from '../support/upstream-server.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const SERVER = 2;
const CLIENT = 3;
const INTERNAL = 1;
const ERROR = 2;
const API_KEY = `gh_test_${randomBytes(24).toString('base64url')}`;

function gatewayConfig(upstream: UpstreamServer): ReturnType<typeof makeConfigDir> {
  const routes = [
    { name: 'hello', match: { path: '/hello/:name' }, upstream: upstream.origin, auth: 'public' },
    { name: 'keyed', match: { path: '/keyed' }, upstream: upstream.origin, auth: ['partners'], rateLimit: ['per-consumer'] },
    { name: 'sleepy', match: { path: '/sleepy/*' }, function: 'sleepy', auth: 'public', rewrite: '/*' },
  ];
  const policies = {
    auth: { partners: { type: 'apiKey', name: 'X-API-Key', keys: [{ id: 'acme', hash: `sha256:${createHash('sha256').update(API_KEY).digest('hex')}` }] } },
    rateLimits: { 'per-consumer': { key: 'consumer', limits: [{ requests: 1000, per: '1s' }] } },
  };
  return makeConfigDir({
    routes: { 'r.yaml': stringify({ routes }) },
    policies: { 'p.yaml': stringify(policies) },
    functions: stringify({ functions: { sleepy: { command: JSON.parse(TEST_FUNCTION) as string[] } } }),
  });
}

/** The upstream's view of its parent: trace id and parent id of the traceparent it received. */
function parentSeenBy(request: RecordedRequest): { traceId: string; parentId: string } {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(String(request.headers.traceparent));
  assert.ok(match, `the upstream got a traceparent: ${String(request.headers.traceparent)}`);
  return { traceId: match[1] as string, parentId: match[2] as string };
}

const childrenOf = (spans: readonly ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] => spans.filter((span) => span.parentSpanId === parent.spanId && span.traceId === parent.traceId);
const serverSpan = (spans: readonly ReceivedSpan[], requestId: string): ReceivedSpan => {
  const found = spans.find((span) => span.kind === SERVER && span.attributes['gatehouse.request_id'] === requestId);
  assert.ok(found, `a server span for request ${requestId} among ${spans.map((s) => s.name).join(', ')}`);
  return found;
};

describe('OpenTelemetry export (SPEC §1)', () => {
  let upstream: UpstreamServer;
  let receiver: OtlpReceiver;

  beforeEach(async () => {
    upstream = await startUpstream();
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await upstream?.close();
    await receiver?.close();
  });

  async function run(env: Record<string, string>, requests: (gateway: OwnedGateway) => Promise<void>): Promise<ReceivedSpan[]> {
    const gateway = await startOwnedGateway(gatewayConfig(upstream), [], env);
    try {
      await requests(gateway);
    } finally {
      await gateway.stop(); // flushes the batch: every span is at the receiver when it exits
    }
    return receiver.spans();
  }

  describe('over http/protobuf (the default)', () => {
    it('exports a server span per request with the semantic-convention name and attributes, and children for authenticate, rate limit and the upstream call', async () => {
      let seen: RecordedRequest | undefined;
      let requestId = '';
      const spans = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin }, async (gateway) => {
        const arrived = upstream.nextRequest();
        const reply = await send(gateway.url('/keyed?x=1'), { headers: { 'x-api-key': API_KEY, traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'congo=t61rcWkgMzE' } });
        assert.equal(reply.status, 200);
        requestId = String(reply.headers['x-request-id']);
        seen = await arrived;
      });
      assert.ok(receiver.exports.every((received) => received.path === '/v1/traces' && received.contentType === 'application/x-protobuf'), 'OTLP/HTTP protobuf to /v1/traces');
      const server = serverSpan(spans, requestId);
      assert.deepEqual(
        [server.name, server.traceId, server.parentSpanId, server.traceState, server.resource['service.name'], server.scope],
        ['GET /keyed', TRACE, PARENT, 'congo=t61rcWkgMzE', 'gatehouse', 'gatehouse'],
      );
      assert.deepEqual(
        Object.fromEntries(['gatehouse.route', 'http.request.method', 'http.response.status_code', 'url.path', 'gatehouse.consumer', 'http.route'].map((key) => [key, server.attributes[key]])),
        { 'gatehouse.route': 'keyed', 'http.request.method': 'GET', 'http.response.status_code': 200, 'url.path': '/keyed', 'gatehouse.consumer': 'acme', 'http.route': '/keyed' },
      );
      const children = childrenOf(spans, server);
      assert.deepEqual(children.map((span) => [span.name, span.kind]).sort(), [['GET', CLIENT], ['authenticate', INTERNAL], ['rate limit', INTERNAL]]);
      const upstreamCall = children.find((span) => span.kind === CLIENT) as ReceivedSpan;
      const parent = parentSeenBy(seen as RecordedRequest);
      assert.deepEqual(parent, { traceId: server.traceId, parentId: upstreamCall.spanId }, 'the upstream\'s parent is the exported upstream-call span');
      assert.deepEqual([upstreamCall.attributes['http.response.status_code'], upstreamCall.attributes['server.address'], upstreamCall.attributes['server.port']], [200, '127.0.0.1', upstream.port]);
      for (const child of children) assert.ok(child.startNs >= server.startNs && child.endNs <= server.endNs, `${child.name} lies within the request`);
      assert.equal(children.find((span) => span.name === 'authenticate')?.attributes['gatehouse.auth.policy'], 'partners');
    });

    it('starts a root span for a request without traceparent whose trace id is the one the upstream saw; a 401 has no upstream call', async () => {
      let seen: RecordedRequest | undefined;
      const ids: string[] = [];
      const spans = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin }, async (gateway) => {
        const arrived = upstream.nextRequest();
        const ok = await send(gateway.url('/hello/world'));
        seen = await arrived;
        const refused = await send(gateway.url('/keyed'), { headers: { 'x-api-key': 'wrong' } });
        assert.deepEqual([ok.status, refused.status], [200, 401]);
        ids.push(String(ok.headers['x-request-id']), String(refused.headers['x-request-id']));
      });
      const hello = serverSpan(spans, ids[0] as string);
      assert.deepEqual([hello.name, hello.parentSpanId, hello.attributes['gatehouse.route'], hello.attributes['url.path']], ['GET /hello/:name', '', 'hello', '/hello/world']);
      assert.equal(parentSeenBy(seen as RecordedRequest).traceId, hello.traceId);
      assert.deepEqual(childrenOf(spans, hello).map((span) => span.name), ['GET'], 'a public route without limits: only the upstream call');
      const refused = serverSpan(spans, ids[1] as string);
      assert.deepEqual(childrenOf(spans, refused).map((span) => [span.name, span.statusCode, span.attributes['gatehouse.auth.outcome']]), [['authenticate', ERROR, 'refused']]);
      assert.equal(refused.attributes['http.response.status_code'], 401);
    });

    it('adds a wake span, with its outcome, only to the request that was held', async () => {
      const ids: string[] = [];
      const spans = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin }, async (gateway) => {
        for (let i = 0; i < 2; i++) {
          const reply = await send(gateway.url('/sleepy/echo'));
          assert.equal(reply.status, 200);
          ids.push(String(reply.headers['x-request-id']));
        }
      });
      const [cold, warm] = ids.map((id) => serverSpan(spans, id)) as [ReceivedSpan, ReceivedSpan];
      const wake = childrenOf(spans, cold).find((span) => span.name === 'wake');
      assert.deepEqual([wake?.attributes['gatehouse.wake.outcome'], wake?.attributes['gatehouse.function']], ['ready', 'sleepy']);
      assert.deepEqual(childrenOf(spans, warm).map((span) => span.name), ['GET'], 'a warm request was not held');
      assert.equal(cold.attributes['gatehouse.function'], 'sleepy');
    });

    it('exports nothing for a trace the caller did not sample, yet still passes its context on', async () => {
      let seen: RecordedRequest | undefined;
      const spans = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin }, async (gateway) => {
        const arrived = upstream.nextRequest();
        assert.equal((await send(gateway.url('/hello/x'), { headers: { traceparent: `00-${TRACE}-${PARENT}-00` } })).status, 200);
        seen = await arrived;
      });
      assert.deepEqual(spans.filter((span) => span.traceId === TRACE), []);
      assert.equal(parentSeenBy(seen as RecordedRequest).traceId, TRACE);
    });
  });

  describe('over http/json', () => {
    it('honours OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, and OTEL_SERVICE_NAME', async () => {
      let seen: RecordedRequest | undefined;
      let requestId = '';
      const spans = await run(
        { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.origin}/custom/traces`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'edge-gateway' },
        async (gateway) => {
          const arrived = upstream.nextRequest();
          const reply = await send(gateway.url('/hello/json'), { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
          requestId = String(reply.headers['x-request-id']);
          seen = await arrived;
        },
      );
      assert.ok(receiver.exports.length > 0 && receiver.exports.every((received) => received.path === '/custom/traces' && received.contentType === 'application/json'));
      const server = serverSpan(spans, requestId);
      assert.deepEqual([server.name, server.traceId, server.parentSpanId, server.resource['service.name']], ['GET /hello/:name', TRACE, PARENT, 'edge-gateway']);
      const [upstreamCall] = childrenOf(spans, server);
      assert.deepEqual(parentSeenBy(seen as RecordedRequest), { traceId: TRACE, parentId: upstreamCall?.spanId });
    });
  });

  it('refuses to start with a protocol it cannot speak (grpc), saying why', async () => {
    await assert.rejects(startOwnedGateway(gatewayConfig(upstream), [], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), /OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/);
  });
});
