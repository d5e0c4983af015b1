// A function as the dashboard shows it (SPEC §6): its status plus the one word
// people look for first.
import type { FunctionStatus } from '../functions/types.js';

export type FunctionState = 'sleeping' | 'waking' | 'ready';

export interface FunctionView extends FunctionStatus {
  readonly state: FunctionState;
}

/** Ready with an endpoint that takes requests; waking while a wake is under way; else sleeping. */
export function functionState(status: FunctionStatus): FunctionState {
  if (status.endpoints.some((endpoint) => !endpoint.refused)) return 'ready';
  return status.lastWake?.outcome === 'in-progress' ? 'waking' : 'sleeping';
}

export function functionView(status: FunctionStatus): FunctionView {
  return { ...status, state: functionState(status) };
}
