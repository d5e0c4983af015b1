#!/usr/bin/env node
// The `gatehouse` command (SPEC §1): serve, validate, routes, keys.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { LevelWithSilent } from 'pino';
import { formatRouteTable } from './admin/route-summary.js';
import { hashApiKey, newApiKey } from './auth/api-key-material.js';
import { parseNamespaceFlag, type NamespaceScope } from './config/function-namespaces.js';
import { formatProblem } from './config/problems.js';
import { parseDuration } from './config/units.js';
import type { ConfigSources } from './config/types.js';
import type { Gateway } from './gateway.js';
import { createLogger, createServeLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type Logger } from './observability/logger.js';
import { tracingSettingsFrom } from './observability/tracing.js';
import { REDIS_MODES, redisTargetFromFlags, type RedisFlags } from './ratelimit/redis-target.js';

/** The gateway (express, the proxy, the Kubernetes and Redis clients) loads only for the
 * commands that need it: `keys` answered in 0.9 s with it loaded eagerly, 0.2 s without. */
const loadGateway = (): Promise<typeof import('./gateway.js')> => import('./gateway.js');
/** `validate` and `routes` need the config compiler only, not the gateway around it. */
const loadSnapshotLoader = (): Promise<typeof import('./snapshot-loader.js')> => import('./snapshot-loader.js');

const program = new Command('gatehouse').description('An authenticating API gateway for serverless functions').showHelpAfterError();

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > 65535) throw new InvalidArgumentError(`expected an integer from ${min} to 65535`);
    return n;
  };
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError('expected a duration like 30s, 500ms, 5m');
  return ms;
}

const sourceOptions = (command: Command): Command =>
  command
    .addOption(new Option('--routes <dir>', 'route files directory').env('GATEHOUSE_ROUTES').default('./routes'))
    .addOption(new Option('--policies <dir>', 'policy files directory').env('GATEHOUSE_POLICIES').default('./policies'))
    .addOption(new Option('--functions <file>', 'local functions file').env('GATEHOUSE_FUNCTIONS').default('./deploy/local/functions.yaml'))
    .addOption(new Option('--backend <kind>', 'function backend').choices(['local', 'kubernetes']).env('GATEHOUSE_BACKEND').default('local'));

interface SourceFlags {
  routes: string;
  policies: string;
  functions: string;
  backend: 'local' | 'kubernetes';
}

function sourcesFrom(flags: SourceFlags, namespaces?: NamespaceScope): ConfigSources {
  return { routesDir: flags.routes, policiesDir: flags.policies, functionsFile: flags.backend === 'local' ? flags.functions : null, namespaces: flags.backend === 'kubernetes' ? (namespaces ?? EVERY_NAMESPACE) : undefined };
}

/** `validate` has no --namespace: it cannot know which namespaces `serve` will watch, so it checks none. */
const EVERY_NAMESPACE: NamespaceScope = { kind: 'all' };

sourceOptions(program.command('serve').description('run the gateway'))
  .addOption(new Option('--port <port>', 'public port (0 = pick)').env('GATEHOUSE_PORT').default(8080).argParser(integer(0)))
  .addOption(new Option('--host <host>', 'public address').env('GATEHOUSE_HOST').default('0.0.0.0'))
  .addOption(new Option('--admin-port <port>', 'admin port (0 = pick, -1 = none)').env('GATEHOUSE_ADMIN_PORT').default(9090).argParser(integer(-1)))
  .addOption(new Option('--admin-host <host>', 'admin address').env('GATEHOUSE_ADMIN_HOST').default('127.0.0.1'))
  .addOption(new Option('--namespace <ns>', 'Kubernetes namespace(s): a name, a comma-separated list, or * for all').env('GATEHOUSE_NAMESPACE'))
  .addOption(new Option('--kubeconfig <file>', 'kubeconfig file').env('KUBECONFIG'))
  .addOption(new Option('--redis <url>', 'Redis URL for shared rate-limit state').env('GATEHOUSE_REDIS_URL'))
  .addOption(new Option('--redis-mode <mode>', 'standalone (default), cluster (the URLs are seeds), sentinel (the URLs are sentinels)').choices(REDIS_MODES).env('GATEHOUSE_REDIS_MODE'))
  .addOption(new Option('--redis-master <name>', 'with --redis-mode sentinel: the master name').env('GATEHOUSE_REDIS_MASTER'))
  .addOption(new Option('--redis-ca <file>', 'with rediss://: PEM CA certificates to trust').env('GATEHOUSE_REDIS_CA_FILE'))
  .addOption(new Option('--trust-proxy <hops|cidrs>', 'trusted proxies: a hop count or a CIDR list').env('GATEHOUSE_TRUST_PROXY'))
  .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).env('GATEHOUSE_LOG_LEVEL').default('info'))
  .addOption(new Option('--log-format <format>', 'json lines, or pretty for a terminal').choices(LOG_FORMATS).env('GATEHOUSE_LOG_FORMAT').default('json'))
  .addOption(new Option('--access-log <on|off>', 'one log line per request').choices(['on', 'off']).env('GATEHOUSE_ACCESS_LOG').default('on'))
  .addOption(new Option('--shutdown-timeout <duration>', 'how long in-flight requests may take at shutdown').env('GATEHOUSE_SHUTDOWN_TIMEOUT').default(30_000, '30s').argParser(duration))
  .action(serve);

sourceOptions(program.command('validate').description('check the config; exit 1 with FILE:LINE:COL problems')).action(async (flags: SourceFlags) => {
  const { loadSnapshot, offlineServices } = await loadSnapshotLoader();
  const result = await loadSnapshot(sourcesFrom(flags), 1, offlineServices(createLogger('silent')));
  if (result.ok) {
    process.stdout.write(`config is valid: ${result.value.config.routes.length} routes\n`);
    return;
  }
  process.stdout.write(result.problems.map(formatProblem).join('\n') + '\n');
  process.exitCode = 1;
});

sourceOptions(program.command('routes').description('print the route table in match-priority order')).action(async (flags: SourceFlags) => {
  const { loadSnapshot, offlineServices } = await loadSnapshotLoader();
  const result = await loadSnapshot(sourcesFrom(flags), 1, offlineServices(createLogger('silent')));
  if (!result.ok) {
    process.stderr.write(result.problems.map(formatProblem).join('\n') + '\n');
    process.exitCode = 1;
    return;
  }
  process.stdout.write(formatRouteTable(result.value.table.routes) + '\n');
});

const keys = program.command('keys').description('API key material');
keys
  .command('new')
  .description('print a new random API key and its sha256 hash')
  .option('--prefix <prefix>', 'a prefix for the key, e.g. gh_live_', '')
  .action((flags: { prefix: string }) => {
    const key = newApiKey(flags.prefix);
    process.stdout.write(`key:  ${key}\nhash: ${hashApiKey(key)}\n`);
  });
keys
  .command('hash')
  .description('print the sha256 hash of a key (argument, or stdin)')
  .argument('[key]')
  // A base64url key starts with '-' one time in 64 (`keys new` makes such keys):
  // it is the key, not an unknown option.
  .allowUnknownOption()
  .action(async (key: string | undefined) => {
    const material = key ?? (await readStdin()).replace(/\r?\n$/, '');
    process.stdout.write(hashApiKey(material) + '\n');
  });

program
  .command('token')
  .description('development only: sign a test JWT with a local private key or an HS secret')
  .option('--key <file>', 'PEM private key (ES*, RS*, PS*, EdDSA)')
  .option('--secret-env <var>', 'environment variable holding an HS secret')
  .option('--alg <alg>', 'signing algorithm', 'ES256')
  .option('--sub <subject>', 'the sub claim', 'user-1')
  .option('--iss <issuer>', 'the iss claim')
  .option('--aud <audience>', 'the aud claim')
  .option('--scope <scopes>', 'space-separated scopes')
  .option('--kid <kid>', 'key id for the header')
  .option('--claim <name=value...>', 'extra claims', [])
  .addOption(new Option('--ttl <duration>', 'lifetime').default(3_600_000, '1h').argParser(duration))
  .action(async (flags: { key?: string; secretEnv?: string; alg: string; sub: string; iss?: string; aud?: string; scope?: string; kid?: string; claim: string[]; ttl: number }) => {
    // Loaded for this command only: jsonwebtoken is ~2 MB a serving gateway loads with its first token.
    const { signDevToken } = await import('./auth/dev-token.js');
    const extraClaims = Object.fromEntries(flags.claim.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
    const token = signDevToken({
      keyFile: flags.key ?? null,
      secretEnv: flags.secretEnv ?? null,
      alg: flags.alg,
      subject: flags.sub,
      issuer: flags.iss ?? null,
      audience: flags.aud ?? null,
      scope: flags.scope ?? null,
      ttlSeconds: Math.floor(flags.ttl / 1000),
      kid: flags.kid ?? null,
      extraClaims,
    });
    process.stdout.write(token + '\n');
  });

interface ServeFlags extends SourceFlags, RedisFlags {
  port: number;
  host: string;
  adminPort: number;
  adminHost: string;
  trustProxy?: string;
  kubeconfig?: string;
  namespace?: string;
  logLevel: LevelWithSilent;
  logFormat: LogFormat;
  accessLog: 'on' | 'off';
  shutdownTimeout: number;
}

async function serve(flags: ServeFlags): Promise<void> {
  const tracing = tracingSettingsFrom(process.env);
  if (!tracing.ok) {
    cannotStart(tracing.error);
    process.exitCode = 1;
    return;
  }
  const logger = createServeLogger(flags.logLevel, flags.logFormat);
  const redis = redisTargetFromFlags(flags, (file) => readFileSync(file, 'utf8'));
  if (redis !== null && !redis.ok) {
    cannotStart(redis.problem);
    process.exitCode = 1;
    return;
  }
  const namespaces = parseNamespaceFlag(flags.namespace);
  if (typeof namespaces === 'string') {
    cannotStart(namespaces);
    process.exitCode = 1;
    return;
  }
  const { ConfigRefused, Gateway } = await loadGateway();
  let gateway: Gateway;
  try {
    gateway = await Gateway.create({
      port: flags.port,
      host: flags.host,
      adminPort: flags.adminPort,
      adminHost: flags.adminHost,
      sources: sourcesFrom(flags, namespaces),
      backend: flags.backend,
      trustProxy: flags.trustProxy,
      redis: redis?.target,
      kubeconfig: flags.kubeconfig,
      namespaces,
      adminToken: process.env.GATEHOUSE_ADMIN_TOKEN ?? null,
      shutdownTimeoutMs: flags.shutdownTimeout,
      logger,
      accessLog: flags.accessLog === 'on',
      tracing: tracing.settings,
    });
  } catch (error) {
    cannotStart(error instanceof ConfigRefused ? error.problems.map(formatProblem).join('\n') : errorText(error));
    process.exitCode = 1;
    return;
  }
  process.on('exit', () => gateway.killFunctions());
  let ports: { port: number; adminPort: number | null };
  try {
    ports = await gateway.start();
  } catch (error) {
    // EADDRINUSE and the like: one listener may already be open, so exit rather than hang.
    cannotStart(errorText(error));
    process.exit(1);
  }
  // Before the listening line: whoever waits for it may signal at once, and a SIGTERM
  // that beat the handlers killed the process without a drain (seen in the e2e tests).
  handleSignals(gateway, logger);
  const { port, adminPort } = ports;
  // Not a log line: tools and tests wait for it whatever the log level (SPEC §1).
  process.stdout.write(JSON.stringify({ event: 'listening', port, adminPort: adminPort ?? -1 }) + '\n');
  logger.info({ port, adminPort }, 'gatehouse listening');
}

function handleSignals(gateway: Gateway, logger: Logger): void {
  process.on('SIGHUP', () => void gateway.reload('SIGHUP'));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Exit whatever happens on the way out: a log write that fails (stdout closed by
    // whoever started us) must not leave a process that no longer answers signals.
    void gateway
      .shutdown()
      .then(({ drained }) => logger.info({ drained }, 'stopped'))
      .catch(() => undefined)
      .finally(() => {
        try {
          logger.flush();
        } finally {
          process.exit(0);
        }
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function cannotStart(text: string): void {
  process.stderr.write(`gatehouse: cannot start:\n${text}\n`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

await program.parseAsync(process.argv);
