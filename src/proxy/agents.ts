// One keep-alive agent per scheme, shared by every route and function. Without
// it http-proxy opens a TCP connection per request and sends `Connection: close`,
// which halves throughput (measured on this machine, see BENCHMARKS.md).
import http from 'node:http';
import https from 'node:https';

/** Idle pooled sockets close before a Node upstream's default 5 s keep-alive does,
 * so the pool rarely hands out a socket the upstream is closing (a stale-socket reset). */
const FREE_SOCKET_TIMEOUT_MS = 4000;

export interface UpstreamAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

export function createUpstreamAgents(): UpstreamAgents {
  const options = { keepAlive: true, maxFreeSockets: 256, timeout: FREE_SOCKET_TIMEOUT_MS, scheduling: 'lifo' as const };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

export function destroyUpstreamAgents(agents: UpstreamAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}

/** Sockets serving a request, and pooled sockets waiting for one, over both agents. */
export function upstreamConnectionCounts(agents: UpstreamAgents): { active: number; idle: number } {
  return {
    active: socketCount(agents.http.sockets) + socketCount(agents.https.sockets),
    idle: socketCount(agents.http.freeSockets) + socketCount(agents.https.freeSockets),
  };
}

function socketCount(byOrigin: NodeJS.ReadOnlyDict<unknown[]>): number {
  let count = 0;
  for (const key in byOrigin) count += byOrigin[key]?.length ?? 0;
  return count;
}
