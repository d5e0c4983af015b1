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
 * field carries them: top level, one level down, and in a logged `headers` map.
 * Nothing the gateway logs on purpose holds them; this is for the accident.
 */
const SECRET_FIELDS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'apiKey', 'token', 'accessToken', 'secret', 'password'];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const field of SECRET_FIELDS) {
    const member = /^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `["${field}"]`;
    paths.push(member.startsWith('.') ? field : `${member}`, `*${member}`, `headers${member}`, `*.headers${member}`);
  }
  return paths;
}

const REDACT = { paths: redactPaths(), censor: '[redacted]' };

export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'gatehouse' }, redact: REDACT }, destination ?? stdoutDestination());
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

/**
 * The access log (SPEC §6) goes through the same logger and destination, at `info`
 * whatever `--log-level` says: `--access-log` alone turns it on or off (an operator
 * who quiets the gateway to warnings still wants one line per request).
 */
export function accessLoggerOf(logger: Logger): Logger {
  return logger.child({}, { level: 'info' });
}

/** A logger that writes nothing: for unit tests of modules that take a logger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Async stdout. A closed stdout (EPIPE: the reader went away) drops log lines rather
 * than crash the gateway: serving requests matters more than logging them. */
function stdoutDestination(): ReturnType<typeof pino.destination> {
  const destination = pino.destination({ sync: false });
  destination.on('error', () => undefined);
  return destination;
}
