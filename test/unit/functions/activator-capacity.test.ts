// The activator once endpoints exist: the concurrency cap, refusing endpoints,
// the held-bytes bound, whenIdle, status() and leases (SPEC §5; STYLE §7, §9).
import assert from 'node:assert/strict';
import { endpoint, flush, useHarness } from './activator-harness.js';

describe('activator', () => {
  describe('when every endpoint is at its concurrency limit', () => {
    const h = useHarness({ concurrency: 1 });

    it('holds the excess and releases it when a lease is released', async () => {
      h().activator.setEndpoints([endpoint('a')]);
      const busy = h().activator.tryAcquire();
      assert.equal(busy?.endpoint.id, 'a');
      assert.equal(h().activator.tryAcquire(), null);
      const waiting = h().hold();
      await flush();
      assert.equal(waiting.outcome, null);
      h().clock += 30;
      busy?.release();
      const lease = await waiting.lease();
      assert.deepEqual([lease.endpoint.id, lease.heldMs], ['a', 30]);
    });

    it('hands the endpoint to held requests one at a time, in arrival order', async () => {
      h().activator.setEndpoints([endpoint('a')]);
      let current = h().activator.tryAcquire();
      const held = [h().hold(), h().hold(), h().hold()];
      const trace: string[] = [];
      for (const next of held) {
        current?.release();
        await flush();
        trace.push(held.map((x) => (x.outcome?.kind === 'lease' ? 'L' : '-')).join(''));
        current = await next.lease();
      }
      assert.deepEqual(trace, ['L--', 'LL-', 'LLL']);
    });

    it('asks the backend for one more instance, without counting it as a wake from zero', async () => {
      h().activator.setEndpoints([endpoint('a')]);
      h().activator.tryAcquire();
      const waiting = h().hold();
      assert.equal(h().waker.calls.length, 1);
      h().waker.last.resolve('started');
      h().activator.setEndpoints([endpoint('a'), endpoint('b')]);
      assert.equal((await waiting.lease()).endpoint.id, 'b');
      assert.deepEqual(h().events.filter((e) => e.startsWith('wake ')), []);
    });

    it('waits for an in-flight lease when the backend is at its instance limit', async () => {
      h().activator.setEndpoints([endpoint('a')]);
      const busy = h().activator.tryAcquire();
      const waiting = h().hold();
      h().waker.last.resolve('at-limit');
      await flush();
      assert.equal(waiting.outcome, null);
      busy?.release();
      assert.equal((await waiting.lease()).endpoint.id, 'a');
    });

    it('keeps the pending gauge current when only some held requests can be released', async () => {
      const held = [h().hold(), h().hold(), h().hold()];
      h().activator.setEndpoints([endpoint('a')]);
      await held[0]?.lease();
      assert.equal(h().activator.pending, 2);
      assert.equal(h().pendingGauge, 2);
    });

    it('releases held requests when the limit is raised', async () => {
      h().activator.setEndpoints([endpoint('a')]);
      h().activator.tryAcquire();
      const waiting = h().hold();
      h().activator.updateSettings({ ...h().activator.settings, concurrency: 2 });
      assert.equal((await waiting.lease()).endpoint.id, 'a');
    });
  });

  describe('when an endpoint refuses a connection', () => {
    const h = useHarness();

    it('skips it while another endpoint can take the request', () => {
      h().activator.setEndpoints([endpoint('a'), endpoint('b')]);
      h().activator.tryAcquire()?.releaseRefused();
      const trace = [1, 2, 3].map(() => h().activator.tryAcquire()?.endpoint.id);
      assert.deepEqual(trace, ['b', 'b', 'b']);
      assert.deepEqual(
        h().activator.status().endpoints.map((e) => `${e.id}${e.refused ? '/refused' : ''}:${e.inFlight}`),
        ['a/refused:0', 'b:3'],
      );
    });

    it('forgives it after a short backoff and releases a request held meanwhile', async () => {
      h().activator.setEndpoints([endpoint('a')]);
      h().activator.tryAcquire()?.releaseRefused();
      assert.equal(h().activator.tryAcquire(), null);
      const waiting = h().hold();
      assert.equal((await waiting.lease()).endpoint.id, 'a');
      assert.equal(h().activator.status().endpoints[0]?.refused, false);
    });

    it('trusts it again at once when the backend publishes it again', () => {
      h().activator.setEndpoints([endpoint('a')]);
      h().activator.tryAcquire()?.releaseRefused();
      h().activator.setEndpoints([endpoint('a')]);
      assert.equal(h().activator.tryAcquire()?.endpoint.id, 'a');
    });
  });

  describe('held bytes', () => {
    const h = useHarness({ maxPendingBytes: 1024 });

    it('reserves up to maxPendingBytes and refuses beyond, until bytes are released', () => {
      const a = h().activator;
      assert.deepEqual([a.reserveHeldBytes(1000), a.reserveHeldBytes(24), a.reserveHeldBytes(1)], [true, true, false]);
      assert.equal(a.status().pendingBytes, 1024);
      a.releaseHeldBytes(24);
      assert.deepEqual([a.reserveHeldBytes(25), a.reserveHeldBytes(24)], [false, true]);
    });

    it('never counts below zero', () => {
      const a = h().activator;
      a.releaseHeldBytes(5000);
      assert.equal(a.status().pendingBytes, 0);
      assert.deepEqual([a.reserveHeldBytes(1024), a.reserveHeldBytes(1)], [true, false]);
    });
  });

  describe('whenIdle', () => {
    const h = useHarness();

    it('resolves at once when nothing is held or in flight', async () => {
      await h().activator.whenIdle();
    });

    it('resolves once held requests were served and their leases released', async () => {
      const waiting = h().hold();
      let idle = false;
      void h().activator.whenIdle().then(() => (idle = true));
      h().activator.setEndpoints([endpoint('a')]);
      const lease = await waiting.lease();
      await flush();
      assert.equal(idle, false, 'a lease is still in flight');
      lease.release();
      await flush();
      assert.equal(idle, true);
    });

    it('resolves when the held requests fail', async () => {
      const waiting = h().hold();
      const idle = h().activator.whenIdle();
      h().activator.failHeld('unknown-function');
      assert.equal(await waiting.refusal(), 'unknown-function, retry after 5s');
      await idle;
    });
  });

  describe('status()', () => {
    const h = useHarness();

    it('shows a wake in progress, then its outcome and duration', async () => {
      const waiting = h().hold();
      const during = h().activator.status().lastWake;
      assert.deepEqual({ ...during, startedAt: typeof during?.startedAt }, { startedAt: 'string', durationMs: null, outcome: 'in-progress', traceId: null, requestId: null });
      h().clock += 250;
      h().activator.setEndpoints([endpoint('a')]);
      await waiting.lease();
      const after = h().activator.status().lastWake;
      assert.deepEqual([after?.startedAt, after?.durationMs, after?.outcome], [during?.startedAt, 250, 'ready']);
    });

    it('names the request whose hold started the wake, not the ones that joined it', async () => {
      const first = h().hold(undefined, { requestId: 'first', traceId: 'a'.repeat(32) });
      const second = h().hold(undefined, { requestId: 'second', traceId: 'b'.repeat(32) });
      assert.deepEqual([h().activator.status().lastWake?.requestId, h().activator.status().lastWake?.traceId], ['first', 'a'.repeat(32)]);
      h().activator.setEndpoints([endpoint('a')]);
      await Promise.all([first.lease(), second.lease()]);
      const after = h().activator.status().lastWake;
      assert.deepEqual([after?.outcome, after?.requestId, after?.traceId], ['ready', 'first', 'a'.repeat(32)]);
    });

    it('counts endpoints, in-flight, held requests, held bytes and config problems', () => {
      const a = h().activator;
      a.updateSettings(a.settings, ['bad annotation']);
      a.reserveHeldBytes(100);
      h().hold();
      h().hold();
      const { name, endpoints, inFlight, pending, pendingBytes, lastWake, problems } = a.status();
      assert.deepEqual(
        { name, endpoints, inFlight, pending, pendingBytes, outcome: lastWake?.outcome, problems },
        { name: 'fn', endpoints: [], inFlight: 0, pending: 2, pendingBytes: 100, outcome: 'in-progress', problems: ['bad annotation'] },
      );
    });
  });

  describe('leases', () => {
    const h = useHarness();

    it('count once however often they are released', () => {
      h().activator.setEndpoints([endpoint('a')]);
      const lease = h().activator.tryAcquire();
      lease?.release();
      lease?.release();
      lease?.releaseRefused();
      assert.equal(h().activator.inFlight, 0);
      assert.deepEqual(h().activator.status().endpoints.map((e) => [e.inFlight, e.refused]), [[0, false]]);
    });

    it('keep their endpoint loaded when the backend publishes it again', () => {
      h().activator.setEndpoints([endpoint('a')]);
      h().activator.tryAcquire();
      h().activator.setEndpoints([endpoint('b'), endpoint('a')]);
      assert.deepEqual(h().activator.status().endpoints.map((e) => `${e.id}:${e.inFlight}`), ['b:0', 'a:1']);
    });

    it('mark when an endpoint last finished work, for idle stops (null while busy)', () => {
      h().activator.setEndpoints([endpoint('a')]);
      const since = (): number | null => h().activator.idleSince('a');
      const trace: Array<number | null> = [since()];
      h().clock = 1100;
      const lease = h().activator.tryAcquire();
      trace.push(since());
      h().clock = 1200;
      lease?.release();
      trace.push(since(), h().activator.idleSince('unknown'));
      assert.deepEqual(trace, [1000, null, 1200, null]);
    });
  });
});
