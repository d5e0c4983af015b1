// One ready endpoint as the activator balances it (its load, whether it refused a
// connection, when it last worked), and the lease one request attempt holds on it.
import type { Endpoint, Lease } from './types.js';

export class Slot {
  inFlight = 0;
  refused = false;
  constructor(
    readonly endpoint: Endpoint,
    public lastActiveAt: number,
  ) {}
}

/** Takes a slot back when its lease is released (the activator). */
export interface SlotOwner {
  returnSlot(slot: Slot, refused: boolean): void;
}

export class SlotLease implements Lease {
  #released = false;
  constructor(
    readonly owner: SlotOwner,
    readonly slot: Slot,
    readonly heldMs: number,
  ) {}
  get endpoint(): Endpoint {
    return this.slot.endpoint;
  }
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.owner.returnSlot(this.slot, false);
  }
  releaseRefused(): void {
    if (this.#released) return;
    this.#released = true;
    this.owner.returnSlot(this.slot, true);
  }
}
