import assert from 'node:assert/strict';
import { adoptTraceparent, continueTrace, isSampled, newSpanId, newTraceId, traceparentOf, type TraceFields } from '../../../src/observability/trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

const blank = (): TraceFields => ({ traceId: '', spanId: '', parentSpanId: null, traceFlags: '' });

describe('trace context (W3C Trace Context, SPEC §4)', () => {
  describe('adoptTraceparent continues a valid traceparent', () => {
    const valid: ReadonlyArray<readonly [what: string, header: string, flags: string]> = [
      ['version 00, sampled', `00-${TRACE}-${PARENT}-01`, '01'],
      ['version 00, not sampled', `00-${TRACE}-${PARENT}-00`, '00'],
      ['unknown flag bits kept', `00-${TRACE}-${PARENT}-09`, '09'],
      ['a later version, exactly 55 characters (§4.3: parsed as 00)', `01-${TRACE}-${PARENT}-01`, '01'],
      ['a later version with more fields after a dash', `cc-${TRACE}-${PARENT}-01-what-the-future-holds`, '01'],
    ];
    for (const [what, header, flags] of valid) {
      it(what, () => {
        const fields = blank();
        assert.equal(adoptTraceparent(fields, header), true);
        assert.deepEqual([fields.traceId, fields.parentSpanId, fields.traceFlags], [TRACE, PARENT, flags]);
      });
    }
  });

  describe('adoptTraceparent refuses an invalid one and leaves the fields alone', () => {
    const invalid: ReadonlyArray<readonly [what: string, header: string | string[] | undefined]> = [
      ['absent', undefined],
      ['empty', ''],
      ['two headers (node joins them)', `00-${TRACE}-${PARENT}-01, 00-${TRACE}-${PARENT}-01`],
      ['version ff', `ff-${TRACE}-${PARENT}-01`],
      ['version 00 with anything after the flags', `00-${TRACE}-${PARENT}-01-extra`],
      ['version 00 one character short', `00-${TRACE.slice(1)}-${PARENT}-01`],
      ['a later version whose extra part does not start with a dash', `01-${TRACE}-${PARENT}-01x`],
      ['upper-case hex in the trace id', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
      ['upper-case version', `0A-${TRACE}-${PARENT}-01`],
      ['upper-case flags', `00-${TRACE}-${PARENT}-0A`],
      ['all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
      ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
      ['not hex', `00-${TRACE.slice(0, 31)}g-${PARENT}-01`],
      ['wrong separators', `00_${TRACE}_${PARENT}_01`],
      ['an array', [`00-${TRACE}-${PARENT}-01`]],
    ];
    for (const [what, header] of invalid) {
      it(what, () => {
        const fields = blank();
        assert.equal(adoptTraceparent(fields, header), false);
        assert.deepEqual(fields, blank());
      });
    }
  });

  describe('continueTrace', () => {
    it('keeps the caller\'s trace and tracestate, with a span id of its own', () => {
      const fields = blank();
      const headers: Record<string, string | undefined> = { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'congo=t61rcWkgMzE' };
      continueTrace(fields, headers);
      assert.deepEqual([fields.traceId, fields.parentSpanId, headers.tracestate], [TRACE, PARENT, 'congo=t61rcWkgMzE']);
      assert.match(fields.spanId, /^[0-9a-f]{16}$/);
      assert.notEqual(fields.spanId, PARENT);
      assert.equal(traceparentOf(fields, fields.spanId), `00-${TRACE}-${fields.spanId}-01`);
    });

    it('starts a sampled trace for an invalid traceparent and drops its tracestate', () => {
      const fields = blank();
      const headers: Record<string, string | undefined> = { traceparent: `ff-${TRACE}-${PARENT}-01`, tracestate: 'congo=t61rcWkgMzE' };
      continueTrace(fields, headers);
      assert.match(fields.traceId, /^[0-9a-f]{32}$/);
      assert.notEqual(fields.traceId, TRACE);
      assert.equal(fields.parentSpanId, null);
      assert.equal(fields.traceFlags, '01');
      assert.equal('tracestate' in headers, false);
    });
  });

  describe('ids', () => {
    it('are lower-case hex of the right length, never all zero, and do not repeat over many pool refills', () => {
      const seen = new Set<string>();
      for (let i = 0; i < 5000; i++) {
        const traceId = newTraceId();
        const spanId = newSpanId();
        assert.match(traceId, /^[0-9a-f]{32}$/);
        assert.match(spanId, /^[0-9a-f]{16}$/);
        assert.notEqual(traceId, '0'.repeat(32));
        seen.add(traceId);
      }
      assert.equal(seen.size, 5000);
    });
  });

  it('isSampled reads bit 0 of the flags', () => {
    assert.deepEqual(['00', '01', '02', '03', 'ff'].map(isSampled), [false, true, false, true, true]);
  });
});
