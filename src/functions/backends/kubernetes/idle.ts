// Putting a function to sleep across replicas (SPEC §5 "Idle"): while a replica
// has traffic for a function it records the time in the Deployment annotation
// gatehouse.io/last-request-at, at most once per idle-timeout/4; a replica scales
// the function to 0 only when that annotation is older than the idle timeout
// and it has nothing in flight or held itself. So N replicas agree through the
// Deployment alone, and none puts a function to sleep while another serves it.
import type { Logger } from '../../../observability/logger.js';
import type { FunctionActivator } from '../../activator.js';
import type { ServiceFunction } from './annotations.js';
import { describe } from './client.js';
import type { Scaler } from './scaler.js';

const MIN_TICK_MS = 250;

export class IdleKeeper {
  #timer: NodeJS.Timeout | undefined;
  #periodMs: number | null = null;
  #lastTick = performance.now();
  /** Wall time of this replica's last traffic for the function, as recorded. */
  #lastActiveWall: number | null = null;
  #ticking = false;
  /** When this replica last wrote last-request-at (monotonic ms). */
  #lastWriteAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly namespace: string,
    /** The function as routes and logs name it (NAMESPACE/NAME outside the first namespace). */
    private readonly name: string,
    private readonly spec: () => ServiceFunction | null,
    private readonly activator: () => FunctionActivator | undefined,
    private readonly scaler: Scaler,
    private readonly logger: Logger,
  ) {}

  /**
   * Tick at the current idle timeout's pace; none without one. Called on every event
   * about the function's Service: a tick period that did not change keeps its timer,
   * so events (or anything else that calls this often) never postpone the next tick.
   */
  reschedule(): void {
    const idle = this.spec()?.settings.idleTimeoutMs ?? null;
    const period = idle === null ? null : Math.max(MIN_TICK_MS, Math.floor(idle / 4));
    if (period === this.#periodMs && (period === null || this.#timer !== undefined)) return;
    this.stop();
    if (period === null) return;
    this.#periodMs = period;
    this.#timer = setInterval(() => void this.#tick(), period);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#periodMs = null;
  }

  /**
   * A request arrived. After a quiet spell the time is recorded now, not at the next
   * tick: otherwise another replica reading an old annotation in between could put
   * the function to sleep under this request. Still at most once per idle/4.
   */
  noteActivity(): void {
    const idle = this.spec()?.settings.idleTimeoutMs ?? null;
    if (idle === null || performance.now() - this.#lastWriteAt < idle / 4) return;
    void this.#record(Date.now()).catch((error: unknown) => this.logger.warn({ function: this.name, err: describe(error) }, 'could not record the last request time'));
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return; // a slow API call: skip, never pile up
    this.#ticking = true;
    try {
      await this.#decide();
    } catch (error) {
      this.logger.warn({ function: this.name, err: describe(error) }, 'idle bookkeeping failed; will try again');
    } finally {
      this.#ticking = false;
    }
  }

  async #decide(): Promise<void> {
    const spec = this.spec();
    const activator = this.activator();
    const idle = spec?.settings.idleTimeoutMs ?? null;
    if (!spec || !activator || idle === null) return;
    const since = this.#lastTick;
    this.#lastTick = performance.now();
    const wall = Date.now();
    if (this.#busy(activator, since)) {
      if (performance.now() - this.#lastWriteAt >= idle / 4) await this.#record(wall);
      return;
    }
    if (activator.endpoints.length === 0) return; // asleep already, or not up yet
    if (this.#lastActiveWall !== null && wall - this.#lastActiveWall < idle) return;
    const { atMs: recorded, resourceVersion } = await this.scaler.lastRequestAt(this.namespace, spec.scaleTarget);
    if (recorded === null) {
      await this.scaler.recordRequestAt(this.namespace, spec.scaleTarget, wall); // nobody did yet: start the clock
      return;
    }
    if (wall - recorded < idle) return; // another replica served it lately
    if (this.#busy(activator, since)) return; // a request arrived while we asked
    // Only from the version we judged idle: a replica that recorded a request, or
    // scaled, in between makes this a no-op (409), so there is one transition.
    if (!(await this.scaler.scaleToZero(this.namespace, spec.scaleTarget, resourceVersion))) return;
    this.logger.info({ function: this.name, namespace: this.namespace, target: spec.scaleTarget, idleMs: wall - recorded }, 'scaled an idle function to zero');
  }

  async #record(wall: number): Promise<void> {
    const target = this.spec()?.scaleTarget;
    if (!target) return;
    this.#lastWriteAt = performance.now();
    this.#lastActiveWall = wall;
    await this.scaler.recordRequestAt(this.namespace, target, wall);
  }

  #busy(activator: FunctionActivator, since: number): boolean {
    return activator.inFlight > 0 || activator.pending > 0 || activator.lastActivityAt > since;
  }
}
