// One histogram series counted in plain numbers (why: route-metrics.ts), and a
// one-label histogram made of such series, rendered when /metrics is read. For
// gatehouse_upstream_duration_seconds{function}, observed once per proxied request.
import { Histogram, type Registry } from 'prom-client';

export type Sample = { metricName?: string; labels: Partial<Record<string, string | number>>; value: number };

export class LatencySeries {
  /** Per bucket (not cumulative), the last slot past the highest bound (+Inf). */
  readonly #buckets: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(
    private readonly bounds: readonly number[],
    /** The series' labels, besides `le`. */
    private readonly labels: Readonly<Record<string, string>>,
  ) {
    this.#buckets = new Float64Array(bounds.length + 1);
  }

  observeSeconds(seconds: number): void {
    let i = 0;
    while (i < this.bounds.length && seconds > (this.bounds[i] as number)) i++;
    (this.#buckets[i] as number) += 1;
    this.#sum += seconds;
    this.#count++;
  }

  samples(out: Sample[], name: string): void {
    let cumulative = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += this.#buckets[i] as number;
      out.push({ metricName: `${name}_bucket`, labels: { le: i < this.bounds.length ? (this.bounds[i] as number) : '+Inf', ...this.labels }, value: cumulative });
    }
    out.push({ metricName: `${name}_sum`, labels: this.labels, value: this.#sum });
    out.push({ metricName: `${name}_count`, labels: this.labels, value: this.#count });
  }
}

/** A histogram with one label whose series are LatencySeries, resolved once per label value. */
export class PlainHistogram extends Histogram<string> {
  readonly #series = new Map<string, LatencySeries>();

  constructor(
    registry: Registry,
    private readonly spec: { readonly name: string; readonly help: string; readonly label: string; readonly bounds: readonly number[] },
  ) {
    super({ name: spec.name, help: spec.help, labelNames: [spec.label], registers: [registry] });
  }

  of(value: string): LatencySeries {
    let found = this.#series.get(value);
    if (found === undefined) this.#series.set(value, (found = new LatencySeries(this.spec.bounds, { [this.spec.label]: value })));
    return found;
  }

  /**
   * prom-client's registry renders a histogram from this method (and its get() maps
   * the same values), so the numbers are handed over here. Not in its typings.
   */
  async getForPromString(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }> {
    const values: Sample[] = [];
    for (const series of this.#series.values()) series.samples(values, this.spec.name);
    return { name: this.spec.name, help: this.spec.help, type: 'histogram', aggregator: 'sum', values };
  }
}
