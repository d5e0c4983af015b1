// JSON-lines logging (SPEC §1): pino on stdout. The logger is created by the CLI
// and passed in, so a test can run several gateways with their own loggers.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Field names whose values are credentials (SPEC §6: never a token, key, secret,
 * cookie or Authorization value in a log line). Censored wherever a structured
 * field carries them: at the top level and in the `headers` of a logged request,
 * response or error. Nothing the gateway logs on purpose holds them; this is for
 * the accident. Listed places, no `*` wildcards: fast-redact walks every key for a
 * wildcard, and 40 such paths cost ~130 µs a line against ~11 µs for the listed ones
 * (pino 10, 17-field line, measured on the shared 2-core machine).
 */
const SECRET_FIELDS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'apiKey', 'token', 'accessToken', 'secret', 'password'];
const HEADER_HOLDERS = ['', 'req.', 'res.', 'request.', 'response.', 'err.', 'err.request.', 'err.response.'];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const field of SECRET_FIELDS) {
    const plain = /^[A-Za-z_$][\w$]*$/.test(field);
    paths.push(plain ? field : `["${field}"]`);
    for (const holder of HEADER_HOLDERS) paths.push(`${holder}headers${plain ? `.${field}` : `["${field}"]`}`);
  }
  for (const holder of ['req.', 'err.', 'err.config.', 'err.options.']) paths.push(`${holder}authorization`);
  return paths;
}

const REDACT = { paths: redactPaths(), censor: '[redacted]' };

export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'gatehouse' }, redact: REDACT }, destination ?? batchedDestination(1));
}

/**
 * The logger `serve` uses: JSON lines by default; `pretty` renders the same records
 * coloured, one line each, for a terminal, through pino-pretty in pino's transport
 * worker thread (the event loop never formats a line itself).
 */
export function createServeLogger(level: LevelWithSilent, format: LogFormat): Logger {
  if (format === 'json') return createLogger(level);
  const transport = pino.transport({ target: 'pino-pretty', options: { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } });
  return pino({ level, base: { service: 'gatehouse' }, redact: REDACT }, transport);
}

/** Where a logger's lines go: pino's destination (sonic-boom, or the transport's stream for `pretty`). */
export interface LogDestination {
  write(line: string): unknown;
}

/**
 * The destination of `logger`, for a writer that serialises its own fixed lines
 * (the access log, access-log.ts): the same stream, the same batching, the same
 * pretty transport as every other line.
 */
export function destinationOf(logger: Logger): LogDestination {
  // pino keeps its stream under a symbol its types do not declare.
  const stream: unknown = Reflect.get(logger, pino.symbols.streamSym);
  if (!isDestination(stream)) throw new Error('a pino logger without a destination stream');
  return stream;
}

function isDestination(value: unknown): value is LogDestination {
  return typeof value === 'object' && value !== null && typeof (value as { write?: unknown }).write === 'function';
}

/** A logger that writes nothing: for unit tests of modules that take a logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Async stdout (fd 1; a file for benches). A closed stdout (EPIPE: the reader went away) drops log lines rather
 * than crash the gateway: serving requests matters more than logging them. Lines are
 * written in batches of ~4 KiB, and at least every 100 ms: one write per line (the
 * access log's, one per request) cost more than the line itself, in a CPU profile of
 * the public route under load (fs.write per line, ~8 % of the gateway's time). pino
 * flushes what is left synchronously when the process exits.
 */
export function batchedDestination(dest: number | string): ReturnType<typeof pino.destination> {
  const destination = pino.destination({ dest, sync: false, minLength: 4096, periodicFlush: 100 });
  destination.on('error', () => undefined);
  return destination;
}
