// A small OTLP/HTTP trace receiver on 127.0.0.1 port 0, standing in for an
// OpenTelemetry Collector (no collector binary can run here). It speaks the real
// protocol (OTLP 1.x, "OTLP/HTTP"): POST of an ExportTraceServiceRequest as
// application/x-protobuf or application/json, optionally gzip'd, answered 200 with
// an ExportTraceServiceResponse; and it decodes what arrives (protobuf through
// protobufjs and the messages of opentelemetry-proto's trace.proto, the fields we
// read) into one plain shape for the tests.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { closeServer, listenOnLoopback } from './upstream-server.js';

/** opentelemetry-proto trace/v1 and collector/trace/v1, the fields a test reads; field numbers as upstream. */
const TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  Status status = 15;
  fixed32 flags = 16;
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
  }
}
`;

const requestType = protobuf.parse(TRACE_PROTO).root.lookupType('otlp.ExportTraceServiceRequest');

export type AttributeValue = string | number | boolean;

/** One received span, ids as lower-case hex ('' for no parent). */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly scope: string;
}

export interface ReceivedExport {
  readonly path: string;
  readonly contentType: string;
  readonly spans: readonly ReceivedSpan[];
}

export interface OtlpReceiver {
  readonly port: number;
  readonly origin: string;
  readonly exports: ReceivedExport[];
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      try {
        const spans = contentType === 'application/json' ? fromJson(JSON.parse(body.toString('utf8')) as JsonRequest) : fromProtobuf(body);
        exports.push({ path: req.url ?? '', contentType, spans });
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
        return;
      }
      // An empty ExportTraceServiceResponse: full success, in the request's encoding.
      if (contentType === 'application/json') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const port = await listenOnLoopback(server);
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    exports,
    spans: () => exports.flatMap((received) => received.spans),
    close: () => closeServer(server),
  };
}

interface DecodedValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
}
interface DecodedKeyValue {
  key: string;
  value?: DecodedValue;
}

function attributesOf(list: readonly DecodedKeyValue[] | undefined): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    if (value === undefined) continue;
    if (value.stringValue !== undefined) attributes[key] = value.stringValue;
    else if (value.boolValue !== undefined) attributes[key] = value.boolValue;
    else if (value.intValue !== undefined) attributes[key] = Number(value.intValue);
    else if (value.doubleValue !== undefined) attributes[key] = value.doubleValue;
  }
  return attributes;
}

interface DecodedSpan {
  traceId: Uint8Array | string;
  spanId: Uint8Array | string;
  parentSpanId?: Uint8Array | string;
  traceState?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: DecodedKeyValue[];
  status?: { code?: number };
}
interface DecodedRequest {
  resourceSpans?: Array<{ resource?: { attributes?: DecodedKeyValue[] }; scopeSpans?: Array<{ scope?: { name?: string }; spans?: DecodedSpan[] }> }>;
}
type JsonRequest = DecodedRequest;

function flatten(request: DecodedRequest, hex: (id: Uint8Array | string | undefined) => string): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          traceState: span.traceState ?? '',
          name: span.name,
          kind: span.kind ?? 0,
          startNs: BigInt(span.startTimeUnixNano),
          endNs: BigInt(span.endTimeUnixNano),
          attributes: attributesOf(span.attributes),
          statusCode: span.status?.code ?? 0,
          resource,
          scope: scopeSpans.scope?.name ?? '',
        });
      }
    }
  }
  return spans;
}

function fromProtobuf(body: Buffer): ReceivedSpan[] {
  const decoded = requestType.toObject(requestType.decode(body), { longs: String, defaults: false }) as DecodedRequest;
  return flatten(decoded, (id) => (id === undefined ? '' : Buffer.from(id as Uint8Array).toString('hex')));
}

/** OTLP/JSON carries trace and span ids as hex strings, not base64 (the spec's one exception to proto3 JSON). */
function fromJson(request: JsonRequest): ReceivedSpan[] {
  return flatten(request, (id) => (typeof id === 'string' ? id.toLowerCase() : ''));
}
