// The proxy bench's report: one table under load, one unloaded, the ratios the
// issue's targets are stated in, the machine and the command; printed, and
// written into BENCHMARKS.md between markers (the rest of the file is kept).
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { ProxyBenchSettings } from './settings.js';
import type { Policy, Stack } from './stacks.js';
import type { WrkResult } from './wrk.js';

export interface RunSample extends WrkResult {
  /** CPU (utime + stime) the proxy process spent during the run, µs. */
  readonly proxyCpuUs: number;
  readonly upstreamCpuUs: number;
}

export interface StackResult {
  readonly stack: Stack;
  /** Why it has no numbers (failed to start, failed a check). */
  problem?: string;
  readonly runs: RunSample[];
  rssBytes?: number;
  /** One connection; for the direct row, the median of its runs. */
  unloaded?: WrkResult;
  /** The direct upstream's one-connection run just before this stack's. */
  unloadedDirect?: WrkResult;
}

export interface Meta {
  readonly settings: ProxyBenchSettings;
  readonly command: string;
  readonly machine: string;
  readonly date: string;
  readonly wrkVersion: string;
  readonly expressGateway: string;
  readonly pinned: boolean;
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly seconds: number;
  readonly notes: readonly string[];
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits: number): string => n.toFixed(digits);

interface Summary {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuPerRequest: number;
  readonly upstreamCpuPerRequest: number;
}

export function summarise(result: StackResult): Summary | null {
  const { runs } = result;
  if (result.problem !== undefined || runs.length === 0) return null;
  const requests = sum(runs.map((r) => r.requests));
  return {
    rps: mean(runs.map((r) => r.requestsPerSecond)),
    p50: mean(runs.map((r) => r.p50Us)),
    p99: mean(runs.map((r) => r.p99Us)),
    cpuPerRequest: sum(runs.map((r) => r.proxyCpuUs)) / requests,
    upstreamCpuPerRequest: sum(runs.map((r) => r.upstreamCpuUs)) / requests,
  };
}

const find = (results: readonly StackResult[], id: string): StackResult | undefined => results.find((r) => r.stack.id === id);

function ratio(results: readonly StackResult[], id: string, over: string): number | null {
  const a = find(results, id);
  const b = find(results, over);
  const sa = a && summarise(a);
  const sb = b && summarise(b);
  return sa && sb ? sa.rps / sb.rps : null;
}

const BARE = 'express-hpm';

function loadedTable(results: readonly StackResult[]): string[] {
  const bare = find(results, BARE);
  const bareRps = bare ? summarise(bare)?.rps : undefined;
  const lines = [
    '| stack | req/s (mean) | runs | × bare express + hpm | p50 µs | p99 µs | proxy CPU µs/req | upstream CPU µs/req | proxy RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const result of results) {
    const s = summarise(result);
    if (!s) {
      lines.push(`| ${result.stack.name} | not measured: ${result.problem ?? 'no run'} | | | | | | | |`);
      continue;
    }
    const errors = sum(result.runs.map((r) => r.statusErrors + r.socketErrors));
    const direct = result.stack.kind === 'direct';
    lines.push(
      `| ${result.stack.name}${errors > 0 ? ` (${int(errors)} errors)` : ''} | ${int(s.rps)} | ${result.runs.map((r) => int(r.requestsPerSecond)).join(' / ')} | ${bareRps ? fixed(s.rps / bareRps, 2) : '–'} | ${int(s.p50)} | ${int(s.p99)} | ${direct ? '–' : fixed(s.cpuPerRequest, 1)} | ${fixed(s.upstreamCpuPerRequest, 1)} | ${result.rssBytes === undefined ? '–' : fixed(result.rssBytes / 2 ** 20, 0)} |`,
    );
  }
  return lines;
}

/** p50 added over the direct upstream's run just before this stack's, µs. */
function addedP50(result: StackResult | undefined): number | null {
  return result?.unloaded && result.unloadedDirect ? result.unloaded.p50Us - result.unloadedDirect.p50Us : null;
}

function unloadedTable(results: readonly StackResult[]): string[] {
  const lines = ['| stack | p50 µs | p99 µs | direct p50 just before, µs | p50 added over direct, µs |', '|---|---:|---:|---:|---:|'];
  for (const result of results) {
    const u = result.unloaded;
    if (result.problem !== undefined || !u) continue;
    const added = addedP50(result);
    const direct = result.stack.kind === 'direct';
    lines.push(`| ${result.stack.name}${direct ? ' (median of its runs)' : ''} | ${int(u.p50Us)} | ${int(u.p99Us)} | ${result.unloadedDirect ? int(result.unloadedDirect.p50Us) : '–'} | ${added === null ? '–' : int(added)} |`);
  }
  return lines;
}

/** A ratio against its target (at least `target`). */
function verdict(value: number | null, target: number): string {
  const goal = `target ≥ ${target.toFixed(1)}`;
  if (value === null) return `not measured (${goal})`;
  return `**${fixed(value, 2)}** (${goal}: ${value >= target ? 'met' : 'not met'})`;
}

const EG_FOR: Partial<Record<Policy, string>> = { 'api-key': 'eg-key-auth', jwt: 'eg-jwt' };

function ratioLines(results: readonly StackResult[]): string[] {
  const lines = [
    `- Gatehouse public ÷ bare express + hpm: ${verdict(ratio(results, 'gatehouse-public', BARE), 2.0)}; ÷ node:http + hpm: ${verdict(ratio(results, 'gatehouse-public', 'http-hpm'), 0.9)}`,
  ];
  for (const [id, label] of [['gatehouse-api-key', 'API key + rate limit'], ['gatehouse-jwt', 'JWT RS256 + rate limit']] as const) {
    const stack = find(results, id)?.stack;
    const eg = stack ? EG_FOR[stack.policy] : undefined;
    lines.push(`- Gatehouse ${label} ÷ bare express + hpm: ${verdict(ratio(results, id, BARE), 1.7)}; ÷ Express Gateway with the same policies: ${verdict(eg ? ratio(results, id, eg) : null, 8)}`);
  }
  const accessLog = ratio(results, 'gatehouse-public-access-log', 'gatehouse-public');
  const accessLogText = accessLog === null ? 'not measured' : `**${fixed(accessLog, 3)}**, ${fixed((1 - accessLog) * 100, 1)} % fewer req/s (target: at most 5 % fewer: ${accessLog >= 0.95 ? 'met' : 'not met'})`;
  lines.push(`- Gatehouse public route, access log on ÷ off (SPEC §6: one JSON line per request to the logger's pino destination, a piped stdout): ${accessLogText}`);
  const middleware = find(results, 'gatehouse-middleware');
  lines.push(middleware ? `- Gatehouse route with one trivial middleware ÷ bare express + hpm: ${verdict(ratio(results, 'gatehouse-middleware', BARE), 1.0)}` : '- Gatehouse route with one trivial middleware ÷ bare express + hpm: not measured: this checkout\'s route schema has no `middleware` yet (MIDDLEWARE_ROUTE in bench/proxy/stacks.ts; target ≥ 1.0)');
  const added = (id: string): number | null => addedP50(find(results, id));
  const addedText = (id: string): string => {
    const value = added(id);
    return value === null ? 'not measured' : `${int(value)} µs`;
  };
  const publicAdded = added('gatehouse-public');
  lines.push(
    `- Unloaded p50 added over the direct upstream (one connection): Gatehouse public **${publicAdded === null ? 'not measured' : `${int(publicAdded)} µs`}** (target ≤ 120 µs: ${publicAdded === null ? '–' : publicAdded <= 120 ? 'met' : 'not met'}); API key + rate limit ${addedText('gatehouse-api-key')}; JWT + rate limit ${addedText('gatehouse-jwt')}${middleware ? `; middleware ${addedText('gatehouse-middleware')}` : ''}; bare express + hpm ${addedText(BARE)}`,
  );
  return lines;
}

/** The section's body (without its heading), as printed and as written. */
export function formatReport(results: readonly StackResult[], meta: Meta): string {
  const s = meta.settings;
  const pinning = meta.pinned ? `wrk pinned to core ${s.loadCore} (\`taskset -c ${s.loadCore} wrk -t1 -c${s.connections} -d${s.seconds}s\`), the proxy under test and the upstream both on core ${s.serverCore}` : 'not pinned (no taskset on this machine)';
  return [
    'Requests per second and latency through each proxy stack, every one proxying to',
    'the same Node upstream (`bench/proxy/upstream.mjs`: `http.createServer`, 200 with',
    'the 13 bytes `hello, world\\n`, keep-alive), each stack its own process, all on',
    `127.0.0.1 (\`bench/proxy/\`). ${pinning}. Per stack: a ${s.warmupSeconds} s warm-up, then`,
    `${s.runs} measured runs of ${s.seconds} s with ${s.connections} keep-alive connections, the runs interleaved across`,
    'stacks (pass 1 in table order, pass 2 reversed) so that all stacks meet the same',
    'noise; req/s, p50 and p99 are the means of the runs (wrk\'s own percentiles, from a',
    'Lua `done` script). Proxy CPU µs/req: the proxy process\'s utime + stime',
    '(`/proc/PID/stat`, all threads) over the runs ÷ the requests; the upstream\'s likewise',
    '(it shares the core). RSS: `VmRSS` after the runs. Unloaded: one connection',
    `(\`wrk -t1 -c1 -d${s.unloadedSeconds}s\`) per stack after the loaded runs, each right after a run of`,
    'its own against the upstream direct; "added" is the difference of the two p50s.',
    '',
    '- Baselines (`bench/baselines/`): bare express 5 + http-proxy-middleware 3 with a',
    '  keep-alive agent (`app.use(\'/\', createProxyMiddleware({target, agent}))`),',
    '  node:http + the same middleware as the request listener, and node:http or',
    '  express 5 + a plain `http.request` piped both ways.',
    '- Gatehouse: `node dist/cli.js serve --log-level=warn` on a generated config:',
    '  a public `upstream:` route; an `apiKey` policy (X-API-Key, one sha256 hash)',
    '  and a JWT RS256 policy (a public key file, issuer and audience; one token',
    '  signed at start, so after its first verify each request is a cache hit) each',
    '  with a rate limit of 100,000,000 per 1s per consumer (`key: consumer`; never refuses).',
    `- Express Gateway ${meta.expressGateway} (\`bench/express-gateway/\`, its own package and lock, installed there on`,
    '  the first run): in-memory database (`emulate: true`, ioredis-mock),',
    '  pipelines key-auth (X-API-Key, `keyId:keySecret` of a credential made through',
    '  its admin API) or jwt (the same public key file, RS256, issuer, audience,',
    '  `checkCredentialExistence: false`) + rate-limit (`max: 100000000`, `windowMs:',
    '  1000`, `delayAfter: 0`, per consumer: `rateLimitBy: "${req.egContext.consumer.id}"`',
    '  for key-auth, `"${req.user.sub}"` for jwt) + proxy (its keep-alive agent).',
    '  Both sides limit per consumer, the policy an authenticated route has (a',
    '  consumer\'s quota is one quota). EG evaluates its `rateLimitBy` template in a',
    '  `vm` context per request; by client IP (its default) it does 2-3x more req/s',
    '  (2,946 key-auth, 1,845 jwt in the 15:30Z run of 2026-12-02).',
    '- Before loading, each stack answered one GET with 200 and the 13 bytes, and each',
    '  authenticating stack refused the same GET without credentials.',
    '',
    `Machine: ${meta.machine}. ${meta.wrkVersion}. ${meta.date}; load average ${fixed(meta.loadBefore, 2)} at the start, ${fixed(meta.loadAfter, 2)} at the end (other work shares this machine: compare within one run, not across runs); ${int(meta.seconds)} s in all.`,
    '',
    'Command:',
    '',
    '```sh',
    meta.command,
    '```',
    '',
    ...loadedTable(results),
    '',
    'Unloaded latency, one connection:',
    '',
    ...unloadedTable(results),
    '',
    'Ratios of mean req/s within this run, against the targets:',
    '',
    ...ratioLines(results),
    ...(meta.notes.length > 0 ? ['', ...meta.notes.map((note) => `Note: ${note}`)] : []),
  ].join('\n');
}

export const SECTION_TITLE = 'Proxy throughput';
const START = '<!-- proxy-bench:start (written by `npm run bench -- proxy`; the next run replaces everything up to proxy-bench:end) -->';
const START_PREFIX = '<!-- proxy-bench:start';
const END = '<!-- proxy-bench:end -->';

/** Put the section into `file`: in place of the previous one between the markers, else at the end. */
export function writeSection(file: string, body: string): void {
  const section = `${START}\n## ${SECTION_TITLE}\n\n${body}\n${END}\n`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf(START_PREFIX);
  const end = text.indexOf(END);
  if (start !== -1 && end > start) {
    const after = text.slice(end + END.length).replace(/^\n/, '');
    writeFileSync(file, `${text.slice(0, start)}${section}${after}`);
  } else {
    writeFileSync(file, `${text.replace(/\n*$/, '\n')}\n${section}`);
  }
}
