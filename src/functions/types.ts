// The backend-agnostic function model (SPEC §5). The activator and balancer see
// only these types; a backend (local processes, Kubernetes pods) feeds endpoints
// in and is asked to wake a function. Nothing here knows how endpoints are made.

/** One ready place to send a function's requests. Immutable; identity is `id`. */
export interface Endpoint {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** `http://host:port`, prepared once for the proxy. */
  readonly origin: string;
}

/** What the activator asks of a backend. */
export interface FunctionWaker {
  /**
   * Add capacity for a function: from zero (a wake) or one more instance when all
   * are busy. Resolves 'started' when the backend acted (readiness then arrives
   * through `setEndpoints`), 'at-limit' when it cannot add capacity (held requests
   * then wait for in-flight ones to finish). Rejects when the wake failed.
   */
  wake(fn: string): Promise<'started' | 'at-limit'>;
}

export type ActivationFailureCode =
  | 'queue-full' // maxPending held requests already
  | 'bytes-full' // maxPendingBytes of held bodies already
  | 'cold-start-timeout' // no capacity within coldStartTimeout
  | 'wake-failed' // the backend could not wake the function
  | 'unknown-function' // the route names a function the backend does not know
  | 'aborted'; // the client went away while held

export class ActivationError extends Error {
  constructor(
    readonly code: ActivationFailureCode,
    readonly fn: string,
    /** Seconds a client should wait before retrying (503 Retry-After). */
    readonly retryAfterSeconds: number,
  ) {
    super(`function ${fn}: ${code}`);
    this.name = 'ActivationError';
  }
}

/** A claim on one endpoint for one attempt; release exactly once. */
export interface Lease {
  readonly endpoint: Endpoint;
  /** Milliseconds this request was held waiting for capacity; 0 when it never waited. */
  readonly heldMs: number;
  release(): void;
  /** The endpoint refused or reset the connection: skip it until the backend says otherwise. */
  releaseRefused(): void;
}

export interface EndpointStatus {
  readonly id: string;
  readonly origin: string;
  readonly inFlight: number;
  readonly refused: boolean;
}

/** The request a wake started for: its log lines and /admin/functions name its trace (SPEC §4, §6). */
export interface WakeCause {
  readonly requestId: string;
  readonly traceId: string;
}

export interface WakeRecord {
  readonly startedAt: string;
  readonly durationMs: number | null;
  readonly outcome: 'ready' | 'timeout' | 'error' | 'in-progress';
  /** The trace and request that started the wake, null when none did (a wake not for a request). */
  readonly traceId: string | null;
  readonly requestId: string | null;
}

export interface FunctionStatus {
  /** As routes spell it: NAMESPACE/NAME for a Kubernetes function outside the first namespace. */
  readonly name: string;
  /** The Kubernetes namespace of its Service; absent with the local backend. */
  readonly namespace?: string;
  readonly endpoints: readonly EndpointStatus[];
  readonly inFlight: number;
  readonly pending: number;
  readonly pendingBytes: number;
  readonly lastWake: WakeRecord | null;
  /** Config problems the backend found for this function (bad annotations and the like). */
  readonly problems: readonly string[];
}
