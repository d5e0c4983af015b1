// For the ratelimit-*.test.ts files: a gateway process with routes and policies
// written from objects and extra CLI flags (`--redis`, `--trust-proxy`), bursts of
// concurrent requests over a keep-alive pool, and readers for the RateLimit
// headers of SPEC §4. Stopping asserts the clean exit of SPEC §7.
import assert from 'node:assert/strict';
import http from 'node:http';
import { stringify } from 'yaml';
import { makeConfigDir } from './config-dir.js';
import { startOwnedGateway, type OwnedGateway } from './gateway-process.js';
import { send, type Reply } from './http-client.js';
import { sampleValue } from './metrics.js';
import type { ProxyGateway, RouteObject } from './proxy-gateway.js';

export interface LimitedGatewayOptions {
  /** Each route is `auth: public` unless it says otherwise. */
  readonly routes: readonly RouteObject[];
  /** policies.yaml as an object: `{ rateLimits: {...}, auth: {...} }`. */
  readonly policies: Record<string, unknown>;
  readonly args?: readonly string[];
  readonly env?: Record<string, string>;
}

export async function startLimitedGateway(options: LimitedGatewayOptions): Promise<ProxyGateway> {
  const config = makeConfigDir({
    routes: { 'routes.yaml': stringify({ routes: options.routes.map((route) => ({ auth: 'public', ...route })) }) },
    policies: { 'policies.yaml': stringify(options.policies) },
  });
  return startOwnedGateway(config, ['--log-level=warn', '--shutdown-timeout=10s', ...(options.args ?? [])], options.env);
}

/** Start several gateways at once (they start in parallel: less waiting on two shared cores). */
export const startLimitedGateways = (count: number, options: LimitedGatewayOptions): Promise<ProxyGateway[]> =>
  Promise.all(Array.from({ length: count }, () => startLimitedGateway(options)));

export interface BurstOptions {
  readonly headers?: http.OutgoingHttpHeaders;
  /** Connections in the keep-alive pool; the rest of the burst queues on them. */
  readonly connections?: number;
}

/**
 * `urls` sent all at once (one request per entry), over one keep-alive pool:
 * 1,000 fresh connections at once overflow the listen backlog and stall on SYN retries.
 */
export async function burst(urls: readonly string[], options: BurstOptions = {}): Promise<Reply[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections ?? 100 });
  try {
    return await Promise.all(urls.map((url) => send(url, { headers: options.headers, agent })));
  } finally {
    agent.destroy();
  }
}

/** `count` copies of one URL, for `burst`. */
export const times = (url: string, count: number): string[] => Array.from({ length: count }, () => url);

/** How many replies had each status: `{ 200: 50, 429: 950 }`. */
export function statusCounts(replies: readonly Reply[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const reply of replies) counts[reply.status] = (counts[reply.status] ?? 0) + 1;
  return counts;
}

export interface RateLimitHeader {
  readonly policy: string;
  readonly r: number;
  readonly t: number;
}

/** `RateLimit: "name";r=42;t=1`, parsed strictly (the whole value must match). */
export function rateLimitOf(reply: Reply): RateLimitHeader {
  const value = String(reply.headers.ratelimit);
  const match = /^"([^"]+)";r=(\d+);t=(\d+)$/.exec(value);
  assert.ok(match, `RateLimit header: ${value}`);
  return { policy: match[1] as string, r: Number(match[2]), t: Number(match[3]) };
}

/** gatehouse_ratelimit_decisions_total{policy,decision}, 0 when absent. */
export async function decisions(gateway: ProxyGateway, policy: string, decision: 'allowed' | 'limited'): Promise<number> {
  const text = (await send(gateway.process.adminUrl('/metrics'))).text();
  return sampleValue(text, 'gatehouse_ratelimit_decisions_total', { policy, decision }) ?? 0;
}

/** A limit of SPEC §3 written as YAML would have it. */
export const limit = (requests: number, per: string, burst = 0): Record<string, unknown> => (burst > 0 ? { requests, per, burst } : { requests, per });
