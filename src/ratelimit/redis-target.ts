// Which Redis holds the shared rate-limit state (SPEC §1 `--redis`, `--redis-mode`,
// `--redis-master`, `--redis-ca`), checked once at start and refused with a reason
// rather than half-working: a plaintext URL next to a CA (the operator meant TLS),
// schemes or credentials that differ between seeds, a sentinel set without its
// master's name. Pure: no ioredis here (it loads only with --redis), the CA's
// bytes are read by the caller.

export type RedisMode = 'standalone' | 'cluster' | 'sentinel';
export const REDIS_MODES: readonly RedisMode[] = ['standalone', 'cluster', 'sentinel'];

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export interface RedisTarget {
  readonly mode: RedisMode;
  /** standalone: the one server; cluster: seed nodes; sentinel: the sentinels. */
  readonly nodes: readonly RedisNode[];
  /** sentinel: the master's name. */
  readonly master: string | null;
  /** An ACL user (Redis 6+), or null for the default user. */
  readonly username: string | null;
  /** Never logged: `describeTarget` leaves it out, `redactSecrets` removes it from error texts. */
  readonly password: string | null;
  readonly db: number;
  /** rediss://: TLS, certificates always verified; `ca` replaces the system's CAs when set. */
  readonly tls: { readonly ca: string | null } | null;
}

export interface RedisTargetInput {
  /** `--redis`: one URL, or a comma-separated list. */
  readonly urls: string;
  readonly mode?: string;
  readonly master?: string;
  /** The PEM text of `--redis-ca` (read once at start by the caller), with its file name for messages. */
  readonly ca?: { readonly file: string; readonly pem: string };
}

export type RedisTargetResult = { readonly ok: true; readonly target: RedisTarget } | { readonly ok: false; readonly problem: string };

const DEFAULT_PORT = { redis: 6379, sentinel: 26379 } as const;

export function parseRedisTarget(input: RedisTargetInput): RedisTargetResult {
  const mode = (input.mode ?? 'standalone') as RedisMode;
  if (!REDIS_MODES.includes(mode)) return refuse(`--redis-mode must be one of ${REDIS_MODES.join(', ')} (got "${input.mode}")`);
  const master = input.master?.trim() || null;
  if (mode === 'sentinel' && master === null) return refuse('--redis-mode sentinel needs --redis-master NAME (GATEHOUSE_REDIS_MASTER): the name the sentinels know the master by');
  if (mode !== 'sentinel' && master !== null) return refuse(`--redis-master is only for --redis-mode sentinel (the mode is ${mode})`);
  const texts = input.urls.split(',').map((url) => url.trim()).filter((url) => url !== '');
  if (texts.length === 0) return refuse('--redis needs a URL: redis://[user:pass@]host:port[/db] or rediss://');
  if (mode === 'standalone' && texts.length > 1) return refuse('--redis lists several URLs: use --redis-mode cluster (seed nodes) or sentinel (sentinels)');
  const parsed: ParsedUrl[] = [];
  for (const [i, text] of texts.entries()) {
    const one = parseUrl(text, i + 1, mode === 'sentinel' ? DEFAULT_PORT.sentinel : DEFAULT_PORT.redis);
    if (typeof one === 'string') return refuse(one);
    parsed.push(one);
  }
  const first = parsed[0] as ParsedUrl;
  if (parsed.some((p) => p.tls !== first.tls)) return refuse('--redis mixes redis:// and rediss:// URLs: TLS is all or nothing');
  if (parsed.some((p) => p.username !== first.username || p.password !== first.password)) return refuse('--redis URLs carry different credentials: give every URL the same user and password');
  if (parsed.some((p) => p.db !== first.db)) return refuse('--redis URLs name different databases');
  if (mode === 'cluster' && first.db !== 0) return refuse('--redis-mode cluster has database 0 only (Redis Cluster has no SELECT)');
  if (input.ca && !first.tls) return refuse(`--redis-ca ${input.ca.file} is set but --redis is redis:// (plaintext): use rediss:// so the CA is used, never a plaintext connection`);
  if (input.ca && !input.ca.pem.includes('-----BEGIN CERTIFICATE-----')) return refuse(`--redis-ca ${input.ca.file} holds no PEM certificate`);
  return {
    ok: true,
    target: Object.freeze({
      mode,
      nodes: Object.freeze(parsed.map((p) => Object.freeze({ host: p.host, port: p.port }))),
      master,
      username: first.username,
      password: first.password,
      db: first.db,
      tls: first.tls ? Object.freeze({ ca: input.ca?.pem ?? null }) : null,
    }),
  };
}

/** What a log line may say about the target: mode, host:port list, TLS, user name — never the password. */
export function describeTarget(target: RedisTarget): Record<string, unknown> {
  return {
    mode: target.mode,
    nodes: target.nodes.map(hostPort),
    ...(target.master !== null ? { master: target.master } : {}),
    tls: target.tls !== null,
    ...(target.username !== null ? { user: target.username } : {}),
  };
}

export const hostPort = (node: RedisNode): string => (node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`);

/** An error text with the password cut out, should a server or library ever echo it. */
export function redactSecrets(text: string, target: RedisTarget): string {
  return target.password ? text.split(target.password).join('[redacted]') : text;
}

interface ParsedUrl {
  readonly host: string;
  readonly port: number;
  readonly username: string | null;
  readonly password: string | null;
  readonly db: number;
  readonly tls: boolean;
}

/** One URL; a problem names it by position, never by its text (it may hold a password). */
function parseUrl(text: string, position: number, defaultPort: number): ParsedUrl | string {
  const where = `--redis URL ${position}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${where} is not a URL: expected redis://[user:pass@]host:port[/db] or rediss://`;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return `${where} has scheme ${url.protocol.replace(/[^a-z0-9+.-]/gi, '')}//: expected redis:// or rediss://`;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return `${where} has no host`;
  const port = url.port === '' ? defaultPort : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) return `${where} has database "${dbText.slice(0, 20)}": expected a number`;
  if (url.search !== '' || url.hash !== '') return `${where} has a query or fragment: options come from flags, not the URL`;
  const decode = (part: string): string | null => (part === '' ? null : decodeURIComponent(part));
  return { host, port, username: decode(url.username), password: decode(url.password), db, tls: url.protocol === 'rediss:' };
}

const refuse = (problem: string): RedisTargetResult => ({ ok: false, problem });

/** The serve flags of SPEC §1 that name the Redis (each also its env var; commander merges them). */
export interface RedisFlags {
  readonly redis?: string;
  readonly redisMode?: string;
  readonly redisMaster?: string;
  readonly redisCa?: string;
}

/**
 * The target the flags name, null without --redis, or the problem that refuses
 * the start. The CA file is read here, once (`readText` is readFileSync in the CLI).
 */
export function redisTargetFromFlags(flags: RedisFlags, readText: (file: string) => string): RedisTargetResult | null {
  if (flags.redis === undefined || flags.redis.trim() === '') {
    const orphan = (['redisMode', 'redisMaster', 'redisCa'] as const).find((name) => flags[name] !== undefined);
    if (orphan === undefined) return null;
    return refuse(`--${orphan.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --redis (GATEHOUSE_REDIS_URL)`);
  }
  let ca: RedisTargetInput['ca'];
  if (flags.redisCa !== undefined) {
    try {
      ca = { file: flags.redisCa, pem: readText(flags.redisCa) };
    } catch (error) {
      return refuse(`--redis-ca ${flags.redisCa}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return parseRedisTarget({ urls: flags.redis, mode: flags.redisMode, master: flags.redisMaster, ca });
}
