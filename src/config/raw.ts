// The shapes the JSON schemas in schema.ts admit: what the semantic pass may
// assume about a value once the schema found nothing wrong at or under it.
// Durations and sizes stay as written (string or number) until units.ts parses them.

export type DurationText = string | number;
export type SizeText = string | number;
export type NameOrList = string | readonly string[];

export interface RawMatch {
  readonly path: string;
  readonly methods?: readonly string[];
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string | number>>;
}

export interface RawRoute {
  readonly name: string;
  readonly match: RawMatch;
  readonly function?: string;
  readonly upstream?: string;
  readonly rewrite?: string;
  readonly auth: NameOrList;
  readonly scopes?: readonly string[];
  readonly rateLimit?: NameOrList;
  readonly cors?: string;
  readonly timeout?: DurationText;
  readonly retries?: number;
  readonly maxBodySize?: SizeText;
  readonly wake?: 'authenticated' | 'any';
  readonly forwardCredentials?: boolean;
  readonly middleware?: readonly RawMiddleware[];
}

export type RawMiddleware = string | { readonly module: string; readonly options?: Readonly<Record<string, unknown>> };

export interface RawJwt {
  readonly type: 'jwt';
  readonly algorithms: readonly string[];
  readonly jwksUri?: string;
  readonly publicKey?: string;
  readonly publicKeyFile?: string;
  readonly secretEnv?: string;
  readonly issuer?: string;
  readonly audience?: NameOrList;
  readonly clockTolerance?: DurationText;
  readonly requireExp?: boolean;
  readonly forwardClaims?: Readonly<Record<string, string>>;
}

export interface RawKeyEntry {
  readonly id: string;
  readonly hash: string;
  readonly rateLimit?: string;
}

export interface RawApiKey {
  readonly type: 'apiKey';
  readonly in?: 'header' | 'query';
  readonly name?: string;
  readonly keys?: readonly RawKeyEntry[];
  readonly keysFile?: string;
}

export type RawAuth = RawJwt | RawApiKey;

export interface RawLimit {
  readonly requests: number;
  readonly per: DurationText;
  readonly burst?: number;
}

export interface RawRateLimit {
  readonly key: string;
  readonly limits: readonly RawLimit[];
  readonly onStoreError?: 'local' | 'allow' | 'deny';
}

export interface RawCors {
  readonly origins: readonly string[];
  readonly methods?: readonly string[];
  readonly headers?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly credentials?: boolean;
  readonly maxAge?: DurationText;
}

export interface RawFunction {
  readonly command: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | number>>;
  readonly readinessPath?: string;
  readonly idleTimeout?: DurationText;
  readonly maxInstances?: number;
  readonly concurrency?: number;
  readonly coldStartTimeout?: DurationText;
  readonly maxPending?: number;
  readonly maxPendingBytes?: SizeText;
}

/** A map-valued section (`auth:`, `functions:`...) as a record, or {} when absent or not a map. */
export function section(data: unknown, key: string): Readonly<Record<string, unknown>> {
  if (!isRecord(data)) return {};
  const value = data[key];
  return isRecord(value) ? value : {};
}

export function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
