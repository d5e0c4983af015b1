// JSON-lines logging (SPEC §1): pino on stdout. The logger is created by the CLI
// and passed in, so a test can run several gateways with their own loggers.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      // Secrets never reach a log line, even by accident through a logged request.
      redact: { paths: ['authorization', '*.authorization', '*.headers.authorization', '*.headers["x-api-key"]'], censor: '[redacted]' },
    },
    destination ?? stdoutDestination(),
  );
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
