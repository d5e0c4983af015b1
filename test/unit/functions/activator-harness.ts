// Fakes for the activator's constructor dependencies (STYLE §12): a waker whose
// wake() the test resolves by hand, a clock the test moves, and an observer that
// records what the metrics would see. Every held request is tracked so a test can
// await its outcome and the harness can settle whatever a test left held.
import type { WakeSettings } from '../../../src/config/types.js';
import { FunctionActivator } from '../../../src/functions/activator.js';
import { ActivationError, type Endpoint, type FunctionWaker, type Lease, type WakeCause } from '../../../src/functions/types.js';

export const SETTINGS: WakeSettings = Object.freeze({
  coldStartTimeoutMs: 10_000,
  maxPending: 1000,
  maxPendingBytes: 1024,
  concurrency: 0,
  idleTimeoutMs: null,
});

export function endpoint(id: string): Endpoint {
  const port = 1000 + id.charCodeAt(0);
  return { id, host: '127.0.0.1', port, origin: `http://127.0.0.1:${port}` };
}

interface WakeCall {
  readonly fn: string;
  resolve(result: 'started' | 'at-limit'): void;
  reject(error: Error): void;
}

export class FakeWaker implements FunctionWaker {
  readonly calls: WakeCall[] = [];
  wake(fn: string): Promise<'started' | 'at-limit'> {
    return new Promise((resolve, reject) => this.calls.push({ fn, resolve, reject }));
  }
  get last(): WakeCall {
    const call = this.calls.at(-1);
    if (!call) throw new Error('wake() was never called');
    return call;
  }
}

/** What a held request came to: a lease, or the code it was refused with. */
export type Outcome = { kind: 'lease'; lease: Lease } | { kind: 'error'; code: string; retryAfterSeconds: number };

export class Held {
  outcome: Outcome | null = null;
  readonly settled: Promise<Outcome>;
  constructor(promise: Promise<Lease>) {
    this.settled = promise.then(
      (lease): Outcome => (this.outcome = { kind: 'lease', lease }),
      (error: unknown): Outcome => {
        if (!(error instanceof ActivationError)) throw error;
        return (this.outcome = { kind: 'error', code: error.code, retryAfterSeconds: error.retryAfterSeconds });
      },
    );
  }
  async lease(): Promise<Lease> {
    const outcome = await this.settled;
    if (outcome.kind !== 'lease') throw new Error(`expected a lease, got ${outcome.code}`);
    return outcome.lease;
  }
  /** The refusal as `code, retry after Ns`. */
  async refusal(): Promise<string> {
    const outcome = await this.settled;
    if (outcome.kind !== 'error') throw new Error(`expected an error, got a lease on ${outcome.lease.endpoint.id}`);
    return `${outcome.code}, retry after ${outcome.retryAfterSeconds}s`;
  }
}

export class Harness {
  readonly waker = new FakeWaker();
  clock = 1000;
  readonly events: string[] = [];
  readonly #eventWaiters: Array<{ prefix: string; resolve: (event: string) => void }> = [];
  readonly wakeErrors: unknown[] = [];
  readonly activator: FunctionActivator;
  readonly #held: Held[] = [];

  constructor(settings: Partial<WakeSettings> = {}, random: () => number = () => 0) {
    this.activator = new FunctionActivator('fn', { ...SETTINGS, ...settings }, {
      waker: this.waker,
      observer: {
        pendingChanged: (_fn, pending) => this.#record(`pending ${pending}`),
        readyChanged: (_fn, ready) => this.#record(`ready ${ready}`),
        wakeEnded: (_fn, outcome, ms) => this.#record(`wake ${outcome} ${ms}ms`),
      },
      now: () => this.clock,
      random,
      onWakeError: (_fn, error) => this.wakeErrors.push(error),
    });
  }

  /** The first observer event starting with `prefix`, now or when it comes. */
  event(prefix: string): Promise<string> {
    const seen = this.events.find((e) => e.startsWith(prefix));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#eventWaiters.push({ prefix, resolve }));
  }

  #record(event: string): void {
    this.events.push(event);
    for (const waiter of this.#eventWaiters.filter((w) => event.startsWith(w.prefix))) {
      this.#eventWaiters.splice(this.#eventWaiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  }

  hold(signal?: AbortSignal, cause: WakeCause | null = null): Held {
    const held = new Held(this.activator.hold(signal, cause));
    this.#held.push(held);
    return held;
  }

  /** The latest value the pending gauge was set to. */
  get pendingGauge(): number | null {
    const last = this.events.filter((e) => e.startsWith('pending ')).at(-1);
    return last === undefined ? null : Number(last.slice('pending '.length));
  }

  /** Fail what a test left held and end any open wake, so no timer outlives the test. */
  async settle(): Promise<void> {
    this.activator.failHeld('aborted');
    await Promise.all(this.#held.map((held) => held.settled));
    this.activator.setEndpoints([endpoint('z')]);
  }
}

/** Let promise callbacks (the waker's resolution, held requests' settling) run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A fresh harness per test, settled after it (cleanup registered next to creation). */
export function useHarness(settings: Partial<WakeSettings> = {}): () => Harness {
  let current: Harness | null = null;
  beforeEach(() => {
    current = new Harness(settings);
  });
  afterEach(async () => {
    await current?.settle();
    current = null;
  });
  return () => {
    if (!current) throw new Error('no harness outside a test');
    return current;
  };
}
