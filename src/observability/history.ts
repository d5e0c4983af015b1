// The dashboard's last 5 minutes (SPEC §6): one sample a second of what the
// gateway already counts (traffic-totals.ts), kept in a fixed ring of 300, so
// the memory it takes is bounded whatever the traffic. The timer is unref'd: it
// never keeps a stopping process alive.
import { bucketQuantile } from './bucket-quantile.js';
import type { TrafficSource, TrafficTotals } from './traffic-totals.js';

/** One interval's traffic. Latencies are null when no request ended in it. */
export interface TrafficPoint {
  /** End of the interval, Unix seconds (what uPlot's time axis takes). */
  readonly t: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly wakesReady: number;
  readonly wakesFailed: number;
  readonly status4xx: number;
  readonly status5xx: number;
}

/** Column arrays, oldest first: the shape uPlot draws from. */
export type HistoryColumns = { readonly intervalSeconds: number } & { readonly [K in keyof TrafficPoint]: Array<TrafficPoint[K]> };

const COLUMNS = ['t', 'requestsPerSecond', 'p50Ms', 'p99Ms', 'wakesReady', 'wakesFailed', 'status4xx', 'status5xx'] as const;

/** The traffic between two readings of the totals, `seconds` apart. Pure. */
export function pointBetween(before: TrafficTotals, after: TrafficTotals, seconds: number, bounds: readonly number[], t: number): TrafficPoint {
  const delta = (a: number, b: number): number => Math.max(0, b - a);
  const buckets = after.latencyBuckets.map((n, i) => delta(before.latencyBuckets[i] ?? 0, n));
  const ms = (q: number): number | null => {
    const seconds = bucketQuantile(q, buckets, bounds);
    return seconds === null ? null : Math.round(seconds * 1e6) / 1e3;
  };
  return {
    t,
    requestsPerSecond: Math.round((delta(before.requests, after.requests) / Math.max(seconds, 1e-3)) * 10) / 10,
    p50Ms: ms(0.5),
    p99Ms: ms(0.99),
    wakesReady: delta(before.wakesReady, after.wakesReady),
    wakesFailed: delta(before.wakesFailed, after.wakesFailed),
    status4xx: delta(before.status4xx, after.status4xx),
    status5xx: delta(before.status5xx, after.status5xx),
  };
}

/** The newest `capacity` points; older ones are overwritten. */
export class HistoryRing {
  readonly #points: Array<TrafficPoint | undefined>;
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#points = new Array<TrafficPoint | undefined>(capacity);
  }

  push(point: TrafficPoint): void {
    this.#points[this.#next] = point;
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
  }

  get size(): number {
    return this.#size;
  }

  columns(intervalSeconds: number): HistoryColumns {
    const columns = Object.fromEntries(COLUMNS.map((name) => [name, [] as Array<number | null>])) as Record<(typeof COLUMNS)[number], Array<number | null>>;
    const oldest = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) {
      const point = this.#points[(oldest + i) % this.capacity] as TrafficPoint;
      for (const name of COLUMNS) columns[name].push(point[name]);
    }
    return { intervalSeconds, ...columns } as HistoryColumns;
  }
}

export interface HistoryOptions {
  readonly capacity?: number;
  readonly intervalMs?: number;
  /** Unix milliseconds, for the points' time stamps. */
  readonly wallClock?: () => number;
}

/** Samples `source` every interval into a ring: 300 one-second points by default. */
export class TrafficHistory {
  readonly #ring: HistoryRing;
  readonly #intervalMs: number;
  readonly #wallClock: () => number;
  #timer: NodeJS.Timeout | null = null;
  #last: { totals: TrafficTotals; at: number } | null = null;
  #sampling = false;

  constructor(
    private readonly source: TrafficSource,
    options: HistoryOptions = {},
  ) {
    this.#ring = new HistoryRing(options.capacity ?? 300);
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#wallClock = options.wallClock ?? Date.now;
  }

  start(): void {
    if (this.#timer !== null) return;
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), this.#intervalMs).unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  columns(): HistoryColumns {
    return this.#ring.columns(this.#intervalMs / 1000);
  }

  /** One reading; the first only sets the baseline. A slow reading is never overlapped by the next. */
  async sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const totals = await this.source.totals();
      const at = performance.now();
      if (this.#last !== null) {
        const seconds = (at - this.#last.at) / 1000;
        this.#ring.push(pointBetween(this.#last.totals, totals, seconds, this.source.latencyBounds, this.#wallClock() / 1000));
      }
      this.#last = { totals, at };
    } catch {
      // A reading that failed is a gap in the charts, never a crash of the gateway.
    } finally {
      this.#sampling = false;
    }
  }
}
