// A quantile estimated from histogram bucket counts, as Prometheus's
// histogram_quantile() does: find the bucket holding the rank, then interpolate
// linearly inside it (the lowest bucket starts at 0). Pure; no I/O.

/**
 * `counts[i]` requests fell in bucket i (not cumulative): (bounds[i-1], bounds[i]],
 * the last one past the highest bound (+Inf). Returns seconds, or null without a
 * request. A rank in the +Inf bucket answers the highest bound: nothing finer is known.
 */
export function bucketQuantile(q: number, counts: ArrayLike<number>, bounds: readonly number[]): number | null {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  if (total <= 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i] as number;
    if (inBucket > 0 && below + inBucket >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1] ?? null;
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      const upper = bounds[i] as number;
      return lower + ((upper - lower) * (rank - below)) / inBucket;
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1] ?? null;
}
