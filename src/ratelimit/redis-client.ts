// The ioredis client for a RedisTarget, and what its connection says in the log:
// one line when the store goes away, one when it is back (with the node that
// answers: after a sentinel failover, the new master), host:port only — never a
// password (redis-target.ts). Loaded only with --redis.
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { describeTarget, hostPort, redactSecrets, type RedisTarget } from './redis-target.js';

/** How long the first requests wait for the first connection (a local Redis answers in ms). */
const FIRST_CONNECT_WAIT_MS = 2000;
/** A decision waits at most this long for Redis; then onStoreError decides. */
const COMMAND_TIMEOUT_MS = 1000;

/**
 * Fail fast while Redis is away: onStoreError decides what a request gets,
 * nothing waits in an offline queue; ioredis reconnects by itself.
 */
function nodeOptions(target: RedisTarget): RedisOptions {
  return {
    username: target.username ?? undefined,
    password: target.password ?? undefined,
    db: target.db,
    // Verified always: rejectUnauthorized is Node's default, set here so no option can undo it.
    tls: target.tls ? tlsOptions(target.tls.ca) : undefined,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
  };
}

const tlsOptions = (ca: string | null): ConnectionOptions => ({ rejectUnauthorized: true, ...(ca !== null ? { ca } : {}) });

/** Node's codes for a certificate chain it could not verify: the usual cause is a missing --redis-ca. */
const UNTRUSTED_CERTIFICATE = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED']);

export type RedisClient = Redis | Cluster;

export function createClient(target: RedisTarget): RedisClient {
  const options = nodeOptions(target);
  if (target.mode === 'cluster') {
    const { enableOfflineQueue: _queue, retryStrategy: _retry, ...redisOptions } = options;
    const cluster: ClusterOptions = {
      redisOptions,
      enableOfflineQueue: false,
      // MOVED/ASK are followed at once; CLUSTERDOWN, TRYAGAIN (a slot migrating) and a
      // closed connection (a master failing over) are retried after a pause, at most
      // maxRedirections times, bounded further by the command timeout.
      maxRedirections: 16,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 50,
      clusterRetryStrategy: (times) => Math.min(100 * 2 ** times, 2000),
    };
    return new Cluster(target.nodes.map((node) => ({ host: node.host, port: node.port })), cluster);
  }
  if (target.mode === 'sentinel') {
    const tls = target.tls ? tlsOptions(target.tls.ca) : undefined;
    return new Redis({
      ...options,
      sentinels: target.nodes.map((node) => ({ host: node.host, port: node.port })),
      name: target.master ?? undefined,
      role: 'master',
      // rediss:// means TLS to the sentinels and to the master alike.
      enableTLSForSentinelMode: tls !== undefined,
      sentinelTLS: tls,
      sentinelCommandTimeout: COMMAND_TIMEOUT_MS,
      // Reconnect on the sentinels' +switch-master rather than on the next error.
      failoverDetector: true,
    });
  }
  const node = target.nodes[0] as RedisTarget['nodes'][number];
  return new Redis({ ...options, host: node.host, port: node.port });
}

/** The client plus its connection state, shared by both stores. */
export class RedisConnection {
  readonly client: RedisClient;
  #reportedDown = false;
  /** Pending until the first connection attempt settles (ready, failed, or timed out); then null. */
  #firstConnect: Promise<void> | null;

  constructor(
    readonly target: RedisTarget,
    private readonly logger: Logger,
  ) {
    this.client = createClient(target);
    this.client.on('error', (error: Error) => this.#down(error));
    this.client.on('ready', () => {
      if (this.#reportedDown) logger.info({ store: 'redis', ...this.#answering() }, 'rate-limit store is back');
      else logger.info({ store: 'redis', ...describeTarget(target), ...this.#answering() }, 'rate-limit store connected');
      this.#reportedDown = false;
    });
    this.#firstConnect = firstConnection(this.client).then(() => {
      this.#firstConnect = null;
    });
  }

  /**
   * Without the offline queue a command sent before the first 'ready' fails at once
   * ("Stream isn't writeable"), so requests reaching a gateway before its connection
   * was up were decided by onStoreError while Redis was fine. Wait for that first
   * attempt only; once it has settled, an outage fails fast.
   */
  whenFirstConnected(): Promise<void> | null {
    return this.#firstConnect;
  }

  close(): void {
    this.client.disconnect();
  }

  #down(error: Error): void {
    if (this.#reportedDown) return;
    this.#reportedDown = true;
    const code = (error as NodeJS.ErrnoException).code;
    const untrusted = code !== undefined && UNTRUSTED_CERTIFICATE.has(code);
    this.logger.warn(
      { store: 'redis', ...describeTarget(this.target), err: redactSecrets(error.message, this.target), ...(untrusted ? { hint: "the server's certificate is not trusted: give its CA with --redis-ca (GATEHOUSE_REDIS_CA_FILE)" } : {}) },
      'rate-limit store unavailable',
    );
  }

  /** The node answering now (standalone, sentinel: the master), as host:port. */
  #answering(): Record<string, string> {
    if (this.client instanceof Cluster) return {};
    const stream = (this.client as Redis & { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
    return stream?.remoteAddress && stream.remotePort ? { node: hostPort({ host: stream.remoteAddress, port: stream.remotePort }) } : {};
  }
}

/** Resolves on the first 'ready', the first connection error, or after FIRST_CONNECT_WAIT_MS. */
function firstConnection(client: RedisClient): Promise<void> {
  return new Promise((resolve) => {
    const settle = (): void => {
      clearTimeout(timer);
      client.off('ready', settle).off('error', settle).off('end', settle);
      resolve();
    };
    const timer = setTimeout(settle, FIRST_CONNECT_WAIT_MS);
    timer.unref();
    client.once('ready', settle).once('error', settle).once('end', settle);
  });
}
