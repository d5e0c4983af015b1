// The wakes of one function (SPEC §5): at most one in progress, which every
// request needing capacity joins (one scale-up, not one per request), with its own
// deadline; and at most one backend call at a time. No I/O: the waker is passed in.
import type { FunctionWaker, WakeCause, WakeRecord } from './types.js';

export type WakeOutcome = 'ready' | 'timeout' | 'error';

export interface WakeTrackerDeps {
  readonly waker: FunctionWaker;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** A wake ended. Not called when the backend answered 'at-limit': nothing was started. */
  readonly ended: (outcome: WakeOutcome, durationMs: number, fromZero: boolean, cause: WakeCause | null) => void;
  /** The backend's wake call failed (ended('error') follows). */
  readonly failed: (error: unknown, cause: WakeCause | null) => void;
}

interface Wake {
  readonly startedAt: number;
  readonly startedAtWall: number;
  readonly fromZero: boolean;
  readonly cause: WakeCause | null;
  readonly timer: NodeJS.Timeout;
}

export class WakeTracker {
  #wake: Wake | null = null;
  /** The backend's wake() call in progress, if any (it may outlive `#wake`). */
  #calling: Promise<void> | null = null;
  #last: WakeRecord | null = null;

  constructor(
    private readonly fn: string,
    private readonly deps: WakeTrackerDeps,
  ) {}

  get inProgress(): boolean {
    return this.#wake !== null;
  }

  /** Ask the backend for capacity, unless a wake is in progress (then this joins it). */
  start(fromZero: boolean, timeoutMs: number, cause: WakeCause | null = null): void {
    if (this.#wake) return;
    const wake: Wake = {
      startedAt: this.deps.now(),
      startedAtWall: Date.now(),
      fromZero,
      cause,
      timer: setTimeout(() => this.#wake === wake && this.end('timeout'), timeoutMs),
    };
    this.#wake = wake;
    // One backend call at a time. A call outlives a wake that timed out here, and
    // while it runs its instance still counts toward maxInstances: a second call
    // now would be answered 'at-limit' and this wake would never start one.
    if (this.#calling) void this.#calling.then(() => this.#wake === wake && this.#call(wake));
    else this.#call(wake);
  }

  end(outcome: WakeOutcome): void {
    const wake = this.#wake;
    if (!wake) return;
    this.#clear();
    const durationMs = this.deps.now() - wake.startedAt;
    this.#last = { startedAt: new Date(wake.startedAtWall).toISOString(), durationMs, outcome, ...causeOf(wake) };
    this.deps.ended(outcome, durationMs, wake.fromZero, wake.cause);
  }

  /** The wake in progress, else the last one (for /admin/functions). */
  record(): WakeRecord | null {
    if (!this.#wake) return this.#last;
    return { startedAt: new Date(this.#wake.startedAtWall).toISOString(), durationMs: null, outcome: 'in-progress', ...causeOf(this.#wake) };
  }

  #call(wake: Wake): void {
    const call = this.deps.waker.wake(this.fn).then(
      (result) => {
        // The backend cannot add capacity: held requests wait for in-flight ones.
        if (result === 'at-limit' && this.#wake === wake) this.#clear();
      },
      (error: unknown) => {
        if (this.#wake !== wake) return;
        this.deps.failed(error, wake.cause);
        this.end('error');
      },
    );
    const calling = call.finally(() => {
      if (this.#calling === calling) this.#calling = null;
    });
    this.#calling = calling;
  }

  #clear(): void {
    if (this.#wake) clearTimeout(this.#wake.timer);
    this.#wake = null;
  }
}

function causeOf(wake: Wake): { traceId: string | null; requestId: string | null } {
  return { traceId: wake.cause?.traceId ?? null, requestId: wake.cause?.requestId ?? null };
}
