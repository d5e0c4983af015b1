// A real Sentinel set for the failover test: one master, one replica of it and
// three sentinels (`redis-server sentinel.conf --sentinel`, the same binary)
// watching it with a low down-after-milliseconds and failover-timeout, on free
// loopback ports. Ready once every sentinel knows the replica and the other two
// sentinels (a failover needs a majority of them). Stopped by PID in dispose().
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { redisCli, startRedisServer, type RedisServer } from './redis-server.js';
import { until } from './wait.js';

export const MASTER_NAME = 'gh-master';

export interface RedisSentinelSet {
  readonly master: RedisServer;
  readonly replica: RedisServer;
  readonly sentinels: readonly RedisServer[];
  /** Comma-separated sentinel URLs, for `--redis` with `--redis-mode sentinel`. */
  readonly urls: string;
  /** The port the sentinels name as the master now. */
  masterPort(): Promise<number>;
  dispose(): Promise<void>;
}

export async function startRedisSentinelSet(): Promise<RedisSentinelSet> {
  const started: RedisServer[] = [];
  const dispose = async (): Promise<void> => {
    await Promise.all(started.map((server) => server.dispose()));
  };
  try {
    const master = await startRedisServer();
    started.push(master);
    const replica = await startRedisServer({ extraArgs: () => ['--replicaof', '127.0.0.1', String(master.port)] });
    started.push(replica);
    await until('the replica in sync', async () => ((await redisCli(replica.port, ['info', 'replication'])).includes('master_link_status:up') ? true : undefined), 15_000, 50);
    const settled = await Promise.allSettled([1, 2, 3].map(() => startRedisServer({ args: (port, dir) => [sentinelConfig(port, dir, master.port), '--sentinel'] })));
    for (const s of settled) if (s.status === 'fulfilled') started.push(s.value);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const sentinels = started.slice(2);
    for (const sentinel of sentinels) {
      await until(`sentinel ${sentinel.port} knows the replica and two other sentinels`, async () => {
        const replicas = await redisCli(sentinel.port, ['sentinel', 'replicas', MASTER_NAME]);
        const peers = await redisCli(sentinel.port, ['sentinel', 'sentinels', MASTER_NAME]);
        return replicas.includes(String(replica.port)) && countOf(peers, 'runid') === 2 ? true : undefined;
      }, 20_000, 100);
    }
    return {
      master,
      replica,
      sentinels,
      urls: sentinels.map((s) => s.url).join(','),
      masterPort: async () => Number((await redisCli((sentinels[0] as RedisServer).port, ['sentinel', 'get-master-addr-by-name', MASTER_NAME])).split('\n')[1]),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Sentinel rewrites its config file (it records what it learns): one file per sentinel, in its own directory. */
function sentinelConfig(port: number, dir: string, masterPort: number): string {
  const file = path.join(dir, 'sentinel.conf');
  writeFileSync(
    file,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'daemonize no',
      'loglevel warning',
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
      `sentinel failover-timeout ${MASTER_NAME} 3000`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      '',
    ].join('\n'),
  );
  return file;
}

const countOf = (text: string, word: string): number => text.split('\n').filter((line) => line.trim() === word).length;
