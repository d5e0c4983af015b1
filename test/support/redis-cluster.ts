// A real 3-master Redis Cluster for the cluster tests: three redis-server
// processes with --cluster-enabled on free loopback ports, joined by
// `redis-cli --cluster create`, used once every node reports cluster_state:ok.
// Each process is stopped by PID and its directory removed in dispose().
import { redisCli, startRedisServer, type RedisServer } from './redis-server.js';
import { until } from './wait.js';

export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  /** Comma-separated seed URLs, for `--redis` with `--redis-mode cluster`. */
  readonly seeds: string;
  /** CLUSTER KEYSLOT, asked of the cluster itself. */
  keySlot(key: string): Promise<number>;
  /** The port of the master serving `slot`. */
  ownerOf(slot: number): Promise<number>;
  dispose(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const dispose = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.dispose()));
  };
  try {
    const started = await Promise.allSettled(
      [1, 2, 3].map(() =>
        startRedisServer({ extraArgs: () => ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'] }),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const first = nodes[0] as RedisServer;
    await redisCli(first.port, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes']);
    for (const node of nodes) {
      await until(`cluster_state:ok on ${node.port}`, async () => ((await redisCli(node.port, ['cluster', 'info'])).includes('cluster_state:ok') ? true : undefined), 20_000, 100);
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  const first = nodes[0] as RedisServer;
  return {
    nodes,
    seeds: nodes.map((n) => n.url).join(','),
    keySlot: async (key) => Number(await redisCli(first.port, ['cluster', 'keyslot', key])),
    async ownerOf(slot) {
      // CLUSTER SHARDS-free: CLUSTER SLOTS lists start, end, then the master's ip and port.
      const lines = (await redisCli(first.port, ['--json', 'cluster', 'slots'])).trim();
      const ranges = JSON.parse(lines) as Array<[number, number, [string, number, string]]>;
      const range = ranges.find(([start, end]) => slot >= start && slot <= end);
      if (!range) throw new Error(`no master serves slot ${slot}`);
      return Number(range[2][1]);
    },
    dispose,
  };
}
