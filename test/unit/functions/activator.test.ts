// The activator's wake from zero: coalescing, FIFO release, the count bound, the
// cold-start deadline, a failed wake and a client that goes away (SPEC §5).
// Capacity, refusals, bytes and status are in activator-capacity.test.ts.
import assert from 'node:assert/strict';
import { ActivationError } from '../../../src/functions/types.js';
import { endpoint, flush, useHarness } from './activator-harness.js';

describe('activator', () => {
  describe('when the function is at zero', () => {
    const h = useHarness();

    it('makes one wake call for 100 concurrent requests', async () => {
      const held = Array.from({ length: 100 }, () => h().hold());
      await flush();
      assert.deepEqual(h().waker.calls.map((call) => call.fn), ['fn']);
      h().waker.last.resolve('started');
      h().activator.setEndpoints([endpoint('a')]);
      const leases = await Promise.all(held.map((x) => x.lease()));
      assert.deepEqual(new Set(leases.map((lease) => lease.endpoint.id)), new Set(['a']));
      assert.equal(h().waker.calls.length, 1);
      assert.equal(h().activator.inFlight, 100);
    });

    it('releases held requests first in, first out', async () => {
      const order: number[] = [];
      const held = [0, 1, 2, 3, 4].map((i) => {
        const x = h().hold();
        void x.settled.then(() => order.push(i));
        return x;
      });
      h().activator.setEndpoints([endpoint('a')]);
      await Promise.all(held.map((x) => x.settled));
      assert.deepEqual(order, [0, 1, 2, 3, 4]);
    });

    it('holds new requests rather than leasing (tryAcquire answers null)', () => {
      assert.equal(h().activator.tryAcquire(), null);
      assert.equal(h().waker.calls.length, 0, 'tryAcquire alone never wakes');
    });

    it('reports how long each request was held, and 0 for one that never waited', async () => {
      const first = h().hold();
      h().clock += 40;
      const second = h().hold();
      h().clock += 60;
      h().activator.setEndpoints([endpoint('a')]);
      assert.deepEqual([(await first.lease()).heldMs, (await second.lease()).heldMs], [100, 60]);
      assert.equal(h().activator.tryAcquire()?.heldMs, 0);
    });

    it('tells the observer the wake ended ready, with its duration, and the gauges', async () => {
      const held = h().hold();
      h().clock += 250;
      h().activator.setEndpoints([endpoint('a')]);
      await held.lease();
      assert.deepEqual(h().events, ['pending 1', 'ready 1', 'wake ready 250ms', 'pending 0']);
    });

    it('wakes again after the endpoints went away', async () => {
      h().activator.setEndpoints([endpoint('a')]);
      h().activator.setEndpoints([]);
      const held = h().hold();
      assert.equal(h().waker.calls.length, 1);
      h().activator.setEndpoints([endpoint('b')]);
      assert.equal((await held.lease()).endpoint.id, 'b');
    });
  });

  describe('when maxPending requests are already held', () => {
    const h = useHarness({ maxPending: 3 });

    it('refuses one more synchronously with queue-full and Retry-After 1', () => {
      for (let i = 0; i < 3; i++) h().hold();
      assert.throws(
        () => h().activator.hold(),
        (error: unknown) => error instanceof ActivationError && error.code === 'queue-full' && error.fn === 'fn' && error.retryAfterSeconds === 1,
      );
      assert.equal(h().activator.pending, 3);
    });

    it('accepts again once the held requests are released', async () => {
      const held = [h().hold(), h().hold(), h().hold()];
      h().activator.setEndpoints([endpoint('a')]);
      await Promise.all(held.map((x) => x.lease()));
      assert.equal(h().activator.pending, 0);
      assert.doesNotThrow(() => h().hold());
    });
  });

  describe('when the wake does not finish within coldStartTimeout', () => {
    const h = useHarness({ coldStartTimeoutMs: 50 });

    it('rejects every held request with cold-start-timeout and Retry-After 5', async () => {
      const held = [h().hold(), h().hold(), h().hold()];
      const refusals = await Promise.all(held.map((x) => x.refusal()));
      assert.deepEqual(refusals, Array(3).fill('cold-start-timeout, retry after 5s'));
      assert.equal(h().activator.pending, 0);
    });

    it('records the wake as timed out', async () => {
      await h().hold().settled;
      // The wake's own deadline is a second timer, which may fire a millisecond later.
      assert.equal(await h().event('wake '), 'wake timeout 0ms');
      assert.equal(h().activator.status().lastWake?.outcome, 'timeout');
    });

    it('wakes afresh for the next request once the backend has answered the old wake', async () => {
      await h().hold().settled;
      await h().event('wake ');
      const next = h().hold();
      await flush();
      // The backend is still busy with the old wake (its instance counts toward maxInstances).
      assert.equal(h().waker.calls.length, 1);
      h().waker.calls[0]?.reject(new Error('too late'));
      await flush();
      assert.equal(h().waker.calls.length, 2);
      assert.equal(next.outcome, null, 'the old wake failing does not fail the new one');
      assert.deepEqual(h().wakeErrors, []);
      h().activator.setEndpoints([endpoint('a')]);
      assert.equal((await next.lease()).endpoint.id, 'a');
    });

    it('makes no second call when the old wake brings the function up', async () => {
      await h().hold().settled;
      await h().event('wake ');
      const next = h().hold();
      h().activator.setEndpoints([endpoint('a')]);
      h().waker.calls[0]?.resolve('started');
      assert.equal((await next.lease()).endpoint.id, 'a');
      await flush();
      assert.equal(h().waker.calls.length, 1);
    });
  });

  describe('when the wake fails', () => {
    const h = useHarness();

    it('rejects held requests with wake-failed at once, and reports the error', async () => {
      const held = [h().hold(), h().hold()];
      h().waker.last.reject(new Error('boom'));
      assert.deepEqual(await Promise.all(held.map((x) => x.refusal())), Array(2).fill('wake-failed, retry after 5s'));
      assert.deepEqual(h().wakeErrors.map((e) => (e as Error).message), ['boom']);
      assert.deepEqual(h().events.filter((e) => e.startsWith('wake ')), ['wake error 0ms']);
      assert.equal(h().activator.status().lastWake?.outcome, 'error');
    });

    it('tries a fresh wake for the next request', async () => {
      const first = h().hold();
      h().waker.last.reject(new Error('boom'));
      await first.settled;
      const second = h().hold();
      assert.equal(h().waker.calls.length, 2);
      h().activator.setEndpoints([endpoint('a')]);
      assert.equal((await second.lease()).endpoint.id, 'a');
    });
  });

  describe('when a held client goes away', () => {
    const h = useHarness();

    it('removes its request from the queue and rejects it as aborted', async () => {
      const controller = new AbortController();
      const gone = h().hold(controller.signal);
      const staying = h().hold();
      controller.abort();
      assert.equal(await gone.refusal(), 'aborted, retry after 5s');
      assert.equal(h().activator.pending, 1);
      h().activator.setEndpoints([endpoint('a')]);
      await staying.lease();
      assert.equal(h().activator.inFlight, 1, 'no lease was handed to the aborted request');
    });

    it('rejects at once a request whose signal was already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const gone = h().hold(controller.signal);
      await flush();
      assert.equal(h().activator.pending, 0);
      assert.equal(await gone.refusal(), 'aborted, retry after 5s');
    });
  });
});
