// The proxy bench's knobs: the defaults are the full run (about 5 minutes on 2
// cores); every one can be overridden from the environment for a quick try:
//   BENCH_SECONDS=2 BENCH_WARMUP_SECONDS=1 BENCH_UNLOADED_SECONDS=1 npm run bench -- proxy
// takes about a minute.

export interface ProxyBenchSettings {
  /** Seconds per measured wrk run (`-d`). */
  readonly seconds: number;
  /** Seconds of warm-up per stack before its first measured run (not counted). */
  readonly warmupSeconds: number;
  /** Measured runs per stack (interleaved across stacks: pass 1 in order, pass 2 reversed, ...). */
  readonly runs: number;
  /** wrk connections under load (`-c`). */
  readonly connections: number;
  /** Seconds of the one-connection (unloaded) latency run per stack. */
  readonly unloadedSeconds: number;
  /** Only these stack ids (BENCH_STACKS=gatehouse-public,express-hpm), for development; all when empty. */
  readonly only: readonly string[];
  /** Write the section into BENCHMARKS.md (BENCH_WRITE=0: print only). */
  readonly write: boolean;
  /** The cores: wrk on `loadCore`, every proxy and the upstream on `serverCore`. */
  readonly loadCore: string;
  readonly serverCore: string;
}

/** The environment variables read here, so the report can quote the ones that were set. */
export const SETTING_VARIABLES = ['BENCH_SECONDS', 'BENCH_WARMUP_SECONDS', 'BENCH_RUNS', 'BENCH_CONNECTIONS', 'BENCH_UNLOADED_SECONDS', 'BENCH_STACKS', 'BENCH_WRITE'] as const;

function positive(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, not ${JSON.stringify(text)}`);
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): ProxyBenchSettings {
  return {
    seconds: positive('BENCH_SECONDS', 8, env),
    warmupSeconds: positive('BENCH_WARMUP_SECONDS', 2, env),
    runs: positive('BENCH_RUNS', 2, env),
    connections: positive('BENCH_CONNECTIONS', 20, env),
    unloadedSeconds: positive('BENCH_UNLOADED_SECONDS', 5, env),
    only: (env.BENCH_STACKS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    write: env.BENCH_WRITE !== '0',
    loadCore: '0',
    serverCore: '1',
  };
}
