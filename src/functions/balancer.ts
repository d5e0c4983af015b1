// Power-of-two-choices, least outstanding requests (SPEC §5 "Load balancing").
// Two random endpoints, the less loaded wins: near-optimal spread without a scan
// on the common path (Mitzenmacher, "The Power of Two Choices"). Pure: the
// caller passes the random source, so tests replay exact traces.

export interface BalancedSlot {
  readonly inFlight: number;
  readonly refused: boolean;
}

/** A slot can take a request when it did not refuse and is below the concurrency cap (0 = none). */
export function hasCapacity(slot: BalancedSlot, concurrency: number): boolean {
  return !slot.refused && (concurrency === 0 || slot.inFlight < concurrency);
}

export function pickSlot<S extends BalancedSlot>(
  slots: readonly S[],
  concurrency: number,
  random: () => number,
): S | null {
  const n = slots.length;
  if (n === 0) return null;
  if (n === 1) {
    const only = slots[0] as S;
    return hasCapacity(only, concurrency) ? only : null;
  }
  const i = Math.floor(random() * n);
  let j = Math.floor(random() * (n - 1));
  if (j >= i) j++;
  const a = slots[i] as S;
  const b = slots[j] as S;
  const aOk = hasCapacity(a, concurrency);
  const bOk = hasCapacity(b, concurrency);
  if (aOk && bOk) return b.inFlight < a.inFlight ? b : a;
  if (aOk) return a;
  if (bOk) return b;
  return leastLoaded(slots, concurrency);
}

/** The fallback when both samples were full or refused: one scan for the least loaded. */
function leastLoaded<S extends BalancedSlot>(slots: readonly S[], concurrency: number): S | null {
  let best: S | null = null;
  for (const slot of slots) {
    if (hasCapacity(slot, concurrency) && (best === null || slot.inFlight < best.inFlight)) best = slot;
  }
  return best;
}
