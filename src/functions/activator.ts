// The activator of one function (SPEC §5): it hands out leases on ready
// endpoints, and when none has capacity it holds requests FIFO, asks the backend
// for capacity once (concurrent requests coalesce onto one wake), and releases
// them as endpoints arrive. Bounded by count and by bytes (Knative #13583).
// No I/O here: the backend and the clock come in through the constructor.
import type { WakeSettings } from '../config/types.js';
import { pickSlot } from './balancer.js';
import { Slot, SlotLease, type SlotOwner } from './slot.js';
import { ActivationError, type ActivationFailureCode, type Endpoint, type FunctionStatus, type FunctionWaker, type Lease, type WakeCause } from './types.js';
import { WakeTracker, type WakeOutcome } from './wake.js';

export interface ActivatorObserver {
  pendingChanged(fn: string, pending: number): void;
  readyChanged(fn: string, ready: number): void;
  /** A wake from zero ended; `cause`: the request that started it, if one did. */
  wakeEnded(fn: string, outcome: WakeOutcome, durationMs: number, cause: WakeCause | null): void;
  /** A request got an endpoint (per request: keep it cheap). */
  leased?(fn: string): void;
}

export interface ActivatorDeps {
  readonly waker: FunctionWaker;
  readonly observer: ActivatorObserver;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  readonly random: () => number;
  readonly onWakeError?: (fn: string, error: unknown, cause: WakeCause | null) => void;
}

/** Seconds to suggest in Retry-After: a full queue drains fast, a failed wake needs longer. */
const RETRY_AFTER_BUSY_S = 1;
const RETRY_AFTER_WAKE_S = 5;
/** A refusing endpoint is skipped this long, then tried again (SPEC §5: "or on the same
 * one after a short backoff" — a pod can be Ready before its app listens). */
const REFUSED_BACKOFF_MS = 200;

interface HeldRequest {
  readonly enqueuedAt: number;
  readonly resolve: (lease: Lease) => void;
  readonly reject: (error: ActivationError) => void;
  readonly cause: WakeCause | null;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class FunctionActivator implements SlotOwner {
  #lastActivityAt = Number.NEGATIVE_INFINITY;
  #settings: WakeSettings;
  #slots: Slot[] = [];
  #queue: HeldRequest[] = [];
  #pendingBytes = 0;
  #inFlight = 0;
  readonly #wakes: WakeTracker;
  #idleWaiters: Array<() => void> = [];
  #problems: readonly string[] = [];

  constructor(
    readonly name: string,
    settings: WakeSettings,
    private readonly deps: ActivatorDeps,
  ) {
    this.#settings = settings;
    this.#wakes = new WakeTracker(name, {
      waker: deps.waker,
      now: deps.now,
      ended: (outcome, durationMs, fromZero, cause) => this.#wakeEnded(outcome, durationMs, fromZero, cause),
      failed: (error, cause) => deps.onWakeError?.(name, error, cause),
    });
  }

  get settings(): WakeSettings {
    return this.#settings;
  }

  updateSettings(settings: WakeSettings, problems: readonly string[] = []): void {
    this.#settings = settings;
    this.#problems = problems;
    this.#drainQueue();
  }

  /** Fast path: a lease now, or null when the request must be held. FIFO: nobody jumps the queue. */
  tryAcquire(): Lease | null {
    if (this.#queue.length > 0) return null;
    const slot = pickSlot(this.#slots, this.#settings.concurrency, this.deps.random);
    return slot === null ? null : this.#lease(slot, 0);
  }

  /**
   * Hold until an endpoint has capacity. Throws `queue-full` at once when maxPending
   * requests are already held; rejects on cold-start timeout, wake failure or abort.
   */
  hold(signal?: AbortSignal, cause: WakeCause | null = null): Promise<Lease> {
    if (this.#queue.length >= this.#settings.maxPending) {
      throw new ActivationError('queue-full', this.name, RETRY_AFTER_BUSY_S);
    }
    // 'abort' never fires again for a signal that already aborted: held, it would wait out the cold start.
    if (signal?.aborted) return Promise.reject(new ActivationError('aborted', this.name, RETRY_AFTER_WAKE_S));
    return new Promise<Lease>((resolve, reject) => {
      const held: HeldRequest = { enqueuedAt: this.deps.now(), resolve, reject, cause, timer: undefined, signal, onAbort: undefined };
      held.timer = setTimeout(() => this.#fail(held, 'cold-start-timeout'), this.#settings.coldStartTimeoutMs);
      if (signal) {
        held.onAbort = () => this.#fail(held, 'aborted');
        signal.addEventListener('abort', held.onAbort, { once: true });
      }
      this.#queue.push(held);
      this.deps.observer.pendingChanged(this.name, this.#queue.length);
      this.#drainQueue();
    });
  }

  /** Wake a sleeping function without holding anything: a route with `wake: any` lets a
   * request that failed authentication start the wake, though it still gets its 401. */
  prewake(cause: WakeCause | null = null): void {
    if (this.#slots.length === 0) this.#wakes.start(true, this.#settings.coldStartTimeoutMs, cause);
  }

  /** Reserve room for a held body's bytes; false when maxPendingBytes would be exceeded. */
  reserveHeldBytes(bytes: number): boolean {
    if (this.#pendingBytes + bytes > this.#settings.maxPendingBytes) return false;
    this.#pendingBytes += bytes;
    return true;
  }

  releaseHeldBytes(bytes: number): void {
    this.#pendingBytes = Math.max(0, this.#pendingBytes - bytes);
  }

  /** The backend's view of ready endpoints, whole. Known endpoints keep their load. */
  setEndpoints(endpoints: readonly Endpoint[]): void {
    const previous = new Map(this.#slots.map((slot) => [slot.endpoint.id, slot]));
    const now = this.deps.now();
    this.#slots = endpoints.map((endpoint) => {
      const known = previous.get(endpoint.id);
      if (!known) return new Slot(endpoint, now);
      known.refused = false; // fresh word from the backend overrides an old refusal
      return known;
    });
    this.deps.observer.readyChanged(this.name, this.#slots.length);
    if (this.#wakes.inProgress && this.#slots.length > 0) this.#wakes.end('ready');
    this.#drainQueue();
  }

  get endpoints(): readonly Endpoint[] {
    return this.#slots.map((slot) => slot.endpoint);
  }

  /** When an endpoint has had nothing in flight since, else null (for idle stops). */
  idleSince(endpointId: string): number | null {
    const slot = this.#slots.find((s) => s.endpoint.id === endpointId);
    if (!slot) return null;
    return slot.inFlight === 0 ? slot.lastActiveAt : null;
  }

  /** When a request last started or finished here (monotonic ms), for idleness across replicas. */
  get lastActivityAt(): number {
    return this.#lastActivityAt;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves once nothing is held or in flight (graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Fail every held request (the backend is gone). */
  failHeld(code: ActivationFailureCode): void {
    for (const held of [...this.#queue]) this.#fail(held, code);
  }

  status(): FunctionStatus {
    return {
      name: this.name,
      endpoints: this.#slots.map((s) => ({ id: s.endpoint.id, origin: s.endpoint.origin, inFlight: s.inFlight, refused: s.refused })),
      inFlight: this.#inFlight,
      pending: this.#queue.length,
      pendingBytes: this.#pendingBytes,
      lastWake: this.#wakes.record(),
      problems: this.#problems,
    };
  }

  /** Called by a lease. */
  returnSlot(slot: Slot, refused: boolean): void {
    this.#lastActivityAt = this.deps.now();
    slot.inFlight--;
    slot.lastActiveAt = this.deps.now();
    if (refused && !slot.refused) {
      slot.refused = true;
      setTimeout(() => this.#forgiveRefusal(slot), REFUSED_BACKOFF_MS).unref();
    }
    this.#inFlight--;
    if (this.#queue.length > 0) this.#drainQueue();
    else this.#notifyIfIdle();
  }

  #forgiveRefusal(slot: Slot): void {
    slot.refused = false;
    if (this.#queue.length > 0) this.#drainQueue();
  }

  #lease(slot: Slot, heldMs: number): Lease {
    this.#lastActivityAt = this.deps.now();
    this.deps.observer.leased?.(this.name);
    slot.inFlight++;
    slot.lastActiveAt = this.deps.now();
    this.#inFlight++;
    return new SlotLease(this, slot, heldMs);
  }

  #drainQueue(): void {
    let released = 0;
    while (this.#queue.length > 0) {
      const slot = pickSlot(this.#slots, this.#settings.concurrency, this.deps.random);
      if (slot === null) {
        this.#wakes.start(this.#slots.length === 0, this.#settings.coldStartTimeoutMs, this.#queue[0]?.cause ?? null);
        break;
      }
      const held = this.#queue.shift() as HeldRequest;
      this.#forget(held);
      held.resolve(this.#lease(slot, this.deps.now() - held.enqueuedAt));
      released++;
    }
    // After a partial release too (a concurrency cap), or the pending gauge stays stale.
    if (released > 0 || this.#queue.length === 0) this.deps.observer.pendingChanged(this.name, this.#queue.length);
  }

  #wakeEnded(outcome: WakeOutcome, durationMs: number, fromZero: boolean, cause: WakeCause | null): void {
    // A scale-up beyond zero is not a wake for the metrics; if it fails, held requests
    // wait for busy endpoints instead.
    if (!fromZero) return;
    this.deps.observer.wakeEnded(this.name, outcome, durationMs, cause);
    // The wake they waited on failed: tell them now rather than let each time out.
    if (outcome !== 'ready') this.failHeld(outcome === 'timeout' ? 'cold-start-timeout' : 'wake-failed');
  }

  #fail(held: HeldRequest, code: ActivationFailureCode): void {
    const index = this.#queue.indexOf(held);
    if (index === -1) return;
    this.#queue.splice(index, 1);
    this.#forget(held);
    this.deps.observer.pendingChanged(this.name, this.#queue.length);
    const retryAfter = code === 'queue-full' || code === 'bytes-full' ? RETRY_AFTER_BUSY_S : RETRY_AFTER_WAKE_S;
    held.reject(new ActivationError(code, this.name, retryAfter));
    this.#notifyIfIdle();
  }

  #forget(held: HeldRequest): void {
    clearTimeout(held.timer);
    if (held.signal && held.onAbort) held.signal.removeEventListener('abort', held.onAbort);
  }

  #notifyIfIdle(): void {
    if (this.#queue.length > 0 || this.#inFlight > 0 || this.#idleWaiters.length === 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
