// A counter with two labels, counted in plain numbers and handed to prom-client's
// registry when /metrics is read (the reason: route-metrics.ts). For the counters
// a request touches: gatehouse_ratelimit_decisions_total{policy,decision}.
import { Counter, type Registry } from 'prom-client';

export class PairCounter extends Counter<string> {
  /** first label value → second → count. */
  readonly #counts = new Map<string, Map<string, number>>();
  readonly #names: readonly [string, string];

  constructor(registry: Registry, name: string, help: string, labelNames: readonly [string, string]) {
    super({ name, help, labelNames: [...labelNames], registers: [registry] });
    this.#names = labelNames;
  }

  count(first: string, second: string): void {
    let inner = this.#counts.get(first);
    if (inner === undefined) this.#counts.set(first, (inner = new Map()));
    inner.set(second, (inner.get(second) ?? 0) + 1);
  }

  override async get(): ReturnType<Counter<string>['get']> {
    const [a, b] = this.#names;
    const values: Array<{ labels: Record<string, string>; value: number }> = [];
    for (const [first, inner] of this.#counts) for (const [second, value] of inner) values.push({ labels: { [a]: first, [b]: second }, value });
    return { ...(await super.get()), values };
  }
}
