// GET a path until it answers 2xx: how the local backend knows an instance is
// ready, and how the Kubernetes backend double-checks a pod ("Ready" in
// Kubernetes does not always mean the app answers, SPEC §5). When to try again is
// probe-schedule.ts; a backend that hears a hint (a local function printed
// something, usually "listening on …") nudges the probe to try at once.
import http from 'node:http';
import { nextProbeDelayMs } from './probe-schedule.js';

const PROBE_TIMEOUT_MS = 1000;
/**
 * Nudges that may each cause a probe before its time, per wait. Output is the best
 * hint there is (the test function's "listening" line reaches the gateway ~2 ms after
 * it binds: a Node process creates its stdout lazily, at the first console.log), but
 * a chatty function could print all through a long start: with this budget it costs
 * at most that many probes more than the schedule (≤ 57 + 20 over a 5 s start).
 */
export const NUDGE_BUDGET = 20;

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
  readonly path: string;
}

export interface ProbeDeps {
  /**
   * The upstream keep-alive agent (proxy/agents.ts). Probing through it leaves the
   * connection of the 2xx probe in its free pool, so the held request that the 2xx
   * releases goes out on it: no connect, and no second connection for a process
   * that has just begun listening to accept.
   */
  readonly agent: http.Agent;
  /** Default: probe-schedule.ts. */
  readonly delayMs?: (elapsedMs: number) => number;
  /** Default: one GET through `agent`. */
  readonly probeOnce?: (target: ProbeTarget, agent: http.Agent) => Promise<boolean>;
}

/** One GET; true for a 2xx whose body was read to the end. */
export function probeOnce(target: ProbeTarget, agent: http.Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const { host, port, path } = target;
    const req = http.get({ host, port, path, agent, timeout: PROBE_TIMEOUT_MS }, (res) => {
      const status = res.statusCode ?? 0;
      // Settled at 'close', not at 'response': by then the agent's own 'end' listener
      // (registered before ours) has put the socket back in the free pool, so the
      // request released by this answer finds it there.
      res.once('close', () => resolve(status >= 200 && status < 300 && res.complete));
      res.resume();
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

export class ReadinessProbe {
  readonly #target: ProbeTarget;
  readonly #agent: http.Agent;
  readonly #delayMs: (elapsedMs: number) => number;
  readonly #probeOnce: (target: ProbeTarget, agent: http.Agent) => Promise<boolean>;
  /** Ends the pause in progress early, when there is one. */
  #endPause: (() => void) | null = null;
  /** A nudge came while a probe was on its way: its answer may predate the hint. */
  #nudgedDuringProbe = false;
  #nudgesLeft = NUDGE_BUDGET;

  constructor(target: ProbeTarget, deps: ProbeDeps) {
    this.#target = target;
    this.#agent = deps.agent;
    this.#delayMs = deps.delayMs ?? nextProbeDelayMs;
    this.#probeOnce = deps.probeOnce ?? probeOnce;
  }

  /** Something suggests the target may answer now: probe at once (within the budget). */
  nudge(): void {
    if (this.#nudgesLeft <= 0) return;
    const endPause = this.#endPause;
    if (endPause) {
      this.#nudgesLeft--;
      endPause();
    } else {
      this.#nudgedDuringProbe = true; // spent when that probe fails, if it does
    }
  }

  /** Resolves when the target answers 2xx; rejects when `signal` aborts (deadline, exit). */
  async wait(signal: AbortSignal): Promise<void> {
    const started = performance.now();
    while (!signal.aborted) {
      this.#nudgedDuringProbe = false;
      if (await this.#probeOnce(this.#target, this.#agent)) return;
      if (signal.aborted) break;
      if (this.#nudgedDuringProbe && this.#nudgesLeft > 0) {
        this.#nudgesLeft--;
        continue;
      }
      await this.#pause(this.#delayMs(performance.now() - started), signal);
    }
    throw signal.reason instanceof Error ? signal.reason : new Error('readiness probe aborted');
  }

  /** Until the next probe is due, a nudge comes, or `signal` aborts. */
  #pause(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const end = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', end);
        this.#endPause = null;
        resolve();
      };
      const timer = setTimeout(end, ms);
      signal.addEventListener('abort', end, { once: true });
      this.#endPause = end;
    });
  }
}
