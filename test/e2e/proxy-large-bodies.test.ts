// SPEC §4: bodies and responses stream both ways. A 20 MB upload (with
// Content-Length and chunked) and a 20 MB download arrive intact; the receiver
// sees the first half before the sender lets go of the last megabyte (so nothing
// waits for the whole body), and the gateway's RSS grows by far less than the body.
import assert from 'node:assert/strict';
import path from 'node:path';
import { ByteCounter, download, patternSha256, uploadPattern, writePattern } from '../support/byte-streams.js';
import { residentBytes, startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { echoRequest, startUpstream, type UpstreamServer } from '../support/upstream-server.js';

const MB = 1024 * 1024;
const BIG = 20 * MB;
/** Each check moves the body ROUNDS times back to back: a gateway that held bodies
 * would grow by >= ROUNDS × 20 MB, one that streams only by socket buffers plus the
 * freed 64 KiB read buffers V8 has not collected yet. That GC slack alone swings RSS
 * by up to ±20 MB between identical single runs (measured), so one 20 MB transfer
 * cannot tell the two apart reliably; three can. Streaming itself is proven by the
 * hold-back below: the sender keeps its last MB until the upstream has half. */
const ROUNDS = 3;
const MAX_RSS_GROWTH = 24 * MB;

describe('proxy: 20 MB bodies stream through the gateway', function () {
  this.timeout(90_000);
  let gateway: ProxyGateway;
  let sink: UpstreamServer;
  let files: UpstreamServer;
  /** Bytes the current download's client has read: the upstream waits on it. */
  let clientRead = new ByteCounter();

  before(async () => {
    sink = await startUpstream(echoRequest);
    // Sends N patterned bytes, holding the last megabyte until the client has read half.
    files = await startUpstream((req, res) => {
      const total = Number(req.url?.split('/').pop());
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      void writePattern(res, total, { afterBytes: total - MB, until: () => clientRead.reached(total / 2) });
    });
    gateway = await startProxyGateway(
      [
        { name: 'upload', match: { path: '/upload', methods: ['POST'] }, upstream: sink.origin, maxBodySize: '32MiB', timeout: '60s' },
        { name: 'upload-fn', match: { path: '/upload-fn', methods: ['POST'] }, function: 'sink', maxBodySize: '32MiB', timeout: '60s' },
        { name: 'download', match: { path: '/download/:bytes', methods: ['GET'] }, upstream: files.origin, timeout: '60s' },
      ],
      { functions: { functions: { sink: { command: ['node', path.resolve('test/support/functions/test-function.mjs')] } } } },
    );
    // Warm-up: one full-size body each way, so lazy init, the allocator and V8's
    // external-memory GC threshold are in steady state before anything is measured
    // (measured: the first 20 MB after start-up leaves ~20 MB of uncollected read buffers).
    assert.equal((await uploadPattern(gateway.url('/upload'), BIG, 'chunked')).status, 200);
    assert.equal((await download(gateway.url(`/download/${BIG}`), clientRead)).status, 200);
  });
  after(async () => {
    await gateway?.stop();
    await Promise.all([sink?.close(), files?.close()]);
  });

  /** Run `transfer` and return how much the gateway's RSS grew meanwhile. */
  async function rssGrowth(transfer: () => Promise<void>): Promise<number> {
    const before = residentBytes(gateway.process.pid);
    for (let round = 0; round < ROUNDS; round++) await transfer();
    // V8 returns freed read buffers to the OS on its own schedule; a body held in memory
    // would stay. So the lowest of a few samples over a second is what the transfer kept.
    let after = residentBytes(gateway.process.pid);
    for (let i = 0; i < 10 && after - before >= MAX_RSS_GROWTH; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = Math.min(after, residentBytes(gateway.process.pid));
    }
    return after - before;
  }

  for (const framing of ['content-length', 'chunked'] as const) {
    it(`streams a 20 MB upload sent with ${framing} to the upstream intact, holding none of it`, async () => {
      const growth = await rssGrowth(async () => {
        const arrived = sink.nextRequest();
        const reply = await uploadPattern(gateway.url('/upload'), BIG, framing, {
          afterBytes: BIG - MB,
          until: async () => (await arrived).received.reached(BIG / 2),
        });
        assert.equal(reply.status, 200);
        const echoed = JSON.parse(reply.text) as { bodyBytes: number; bodySha256: string; headers: Record<string, string> };
        assert.deepEqual([echoed.bodyBytes, echoed.bodySha256], [BIG, patternSha256(BIG)]);
        if (framing === 'chunked') assert.equal(echoed.headers['content-length'], undefined, 'a chunked body is not buffered into a length');
        else assert.equal(echoed.headers['content-length'], String(BIG));
      });
      assert.ok(growth < MAX_RSS_GROWTH, `gateway RSS grew by ${(growth / MB).toFixed(1)} MB`);
    });
  }

  it('streams a 20 MB download to the client intact, holding none of it', async () => {
    const growth = await rssGrowth(async () => {
      clientRead = new ByteCounter();
      const reply = await download(gateway.url(`/download/${BIG}`), clientRead);
      assert.equal(reply.status, 200);
      assert.deepEqual([reply.bytes, reply.sha256], [BIG, patternSha256(BIG)]);
    });
    assert.ok(growth < MAX_RSS_GROWTH, `gateway RSS grew by ${(growth / MB).toFixed(1)} MB`);
  });

  it('passes a 20 MB upload to a local function intact (held in memory while it wakes, by design)', async () => {
    const reply = await uploadPattern(gateway.url('/upload-fn'), BIG, 'content-length');
    assert.equal(reply.status, 200);
    const echoed = JSON.parse(reply.text) as { bodyBytes: number; bodySha256: string };
    assert.deepEqual([echoed.bodyBytes, echoed.bodySha256], [BIG, patternSha256(BIG)]);
  });
});
