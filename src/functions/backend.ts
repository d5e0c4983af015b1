// What a backend is to the gateway: it wakes functions (FunctionWaker), keeps the
// registry's endpoints current, applies config, and stops cleanly.
import type { GatewayConfig } from '../config/types.js';
import type { FunctionWaker } from './types.js';

export interface FunctionBackend extends FunctionWaker {
  readonly kind: 'local' | 'kubernetes';
  /** Begin discovery; resolves at the first full sync (readiness gates on it). */
  start(): Promise<void>;
  /** A new config went live. */
  applyConfig(config: GatewayConfig): void;
  /** Stop everything the backend started (local instances); no wake after this. */
  stop(): Promise<void>;
}
