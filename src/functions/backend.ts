// What a backend is to the gateway: it wakes functions (FunctionWaker), keeps the
// registry's endpoints current, applies config, and stops cleanly.
import type { GatewayConfig } from '../config/types.js';
import type { FunctionWaker } from './types.js';

export interface FunctionBackend extends FunctionWaker {
  readonly kind: 'local' | 'kubernetes';
  /** Begin discovery; returns at once (the listeners start while it syncs). */
  start(): Promise<void>;
  /** The first full sync is done: /readyz turns ready (SPEC §6). */
  readonly synced: boolean;
  /** A new config went live. */
  applyConfig(config: GatewayConfig): void;
  /** A request was leased an endpoint of `fn` (for idleness shared across replicas). */
  noteActivity?(fn: string): void;
  /** Stop everything the backend started (local instances); no wake after this. */
  stop(): Promise<void>;
}
