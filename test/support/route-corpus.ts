// A large, realistic config for scale tests and benchmarks: N routes spread over
// several files (static paths, params, prefixes, exact and wildcard hosts, method
// lists, header conditions, rewrites), a few auth, rate-limit and cors policies,
// and a functions file. Written as YAML text line by line, so the line and column
// of any route's fields are known without parsing (a test can check the loader's
// positions against them).
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConfigDir } from './config-dir.js';

export interface CorpusOptions {
  readonly routes: number;
  /** Route files; routes are dealt round-robin in blocks (default: one file per 500 routes, at least 1). */
  readonly files?: number;
  /** Extra YAML route entries (already indented as list items) put first in the first file. */
  readonly leading?: string;
  /** Index of a route whose timeout is written as `timeout: soon` (an error the loader must place). */
  readonly brokenTimeoutAt?: number;
}

export interface RouteCorpus extends ConfigDir {
  readonly routeCount: number;
  /** Where the broken `soon` value sits (1-based), when one was asked for. */
  readonly brokenAt: { readonly file: string; readonly line: number; readonly col: number } | null;
}

const FUNCTIONS = 10;
const UPSTREAM = 'http://127.0.0.1:9/';

/** The YAML lines of route `i` (a list item, indented by 2), and the line offset of its `timeout:` if any. */
function routeLines(i: number, brokenTimeout: boolean): { lines: string[]; timeoutLine: number } {
  const svc = i % 200;
  const kind = i % 20;
  const lines = [`  - name: route-${i}`];
  const match: string[] = [];
  if (kind < 8) match.push(`path: /api/v${1 + (i % 2)}/svc-${svc}/items-${i}`);
  else if (kind < 13) match.push(`path: /api/v${1 + (i % 2)}/svc-${svc}/orders-${i}/:id`);
  else if (kind < 16) match.push(`path: /files/svc-${svc}/bucket-${i}/*`);
  else if (kind < 18) match.push(`path: /tenant/${i}/:section/detail`, `host: api-${i % 50}.example.com`);
  else if (kind < 19) match.push(`path: /w/${i}`, `host: "*.t${i % 20}.example.com"`);
  else match.push(`path: /mobile/${i}`, 'headers: { X-Client: mobile }');
  if (i % 3 === 0) match.push('methods: [GET, HEAD]');
  else if (i % 3 === 1) match.push('methods: [GET, POST, PUT]');
  // Flow style for a third of the routes, block style for the rest, as people write both.
  if (i % 3 === 2) lines.push(`    match: { ${match.join(', ')} }`);
  else lines.push('    match:', ...match.map((m) => `      ${m}`));
  if (i % 7 === 0) lines.push(`    upstream: ${UPSTREAM}`);
  else lines.push(`    function: fn-${i % FUNCTIONS}`);
  if (kind >= 8 && kind < 13 && i % 2 === 0) lines.push(`    rewrite: /v1/orders/:id`);
  const auth = i % 4;
  lines.push(auth === 0 ? '    auth: public' : auth === 1 ? '    auth: partners' : auth === 2 ? '    auth: [mobile, partners]' : '    auth: mobile');
  if (auth >= 2 && i % 8 === 2) lines.push('    scopes: [orders:read]');
  if (i % 5 === 0) lines.push(auth === 0 ? '    rateLimit: per-ip' : '    rateLimit: [per-consumer]');
  if (i % 6 === 0) lines.push('    cors: default');
  let timeoutLine = -1;
  if (brokenTimeout) {
    timeoutLine = lines.length;
    lines.push('    timeout: soon');
  } else if (i % 9 === 0) lines.push('    timeout: 10s');
  if (i % 11 === 0) lines.push('    maxBodySize: 1MiB');
  return { lines, timeoutLine };
}

function policies(): Record<string, string> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString().trim();
  return {
    'auth.yaml': [
      'auth:',
      '  mobile:',
      '    type: jwt',
      '    algorithms: [ES256]',
      '    publicKey: |',
      ...pem.split('\n').map((l) => `      ${l}`),
      '    issuer: https://id.example.com/',
      '    forwardClaims: { sub: X-User-Id }',
      '  partners:',
      '    type: apiKey',
      '    name: X-API-Key',
      '    keys:',
      '      - { id: acme, hash: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }',
      '',
    ].join('\n'),
    'limits.yaml': [
      'rateLimits:',
      '  per-ip:',
      '    key: ip',
      '    limits: [{ requests: 100, per: 1s, burst: 50 }]',
      '  per-consumer:',
      '    key: consumer',
      '    limits:',
      '      - { requests: 100, per: 1s, burst: 50 }',
      '      - { requests: 10000, per: 1d }',
      'cors:',
      '  default:',
      '    origins: ["https://app.example.com"]',
      '    methods: [GET, POST]',
      '',
    ].join('\n'),
  };
}

function functionsYaml(): string {
  const lines = ['functions:'];
  for (let f = 0; f < FUNCTIONS; f++) lines.push(`  fn-${f}:`, `    command: [node, fn-${f}.js]`, '    idleTimeout: 5m');
  return lines.join('\n') + '\n';
}

/** Writes the corpus to a fresh temporary directory (remove() deletes it). */
export function writeRouteCorpus(options: CorpusOptions): RouteCorpus {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-corpus-'));
  const routesDir = path.join(root, 'routes');
  const policiesDir = path.join(root, 'policies');
  mkdirSync(routesDir);
  mkdirSync(policiesDir);
  const fileCount = Math.max(1, options.files ?? Math.ceil(options.routes / 500));
  const perFile = Math.ceil(options.routes / fileCount);
  let brokenAt: RouteCorpus['brokenAt'] = null;
  for (let f = 0; f < fileCount; f++) {
    const file = path.join(routesDir, `routes-${String(f).padStart(3, '0')}.yaml`);
    const out = [`# generated: routes ${f * perFile} to ${Math.min(options.routes, (f + 1) * perFile) - 1}`, 'routes:'];
    if (f === 0 && options.leading !== undefined) out.push(...options.leading.replace(/\n$/, '').split('\n'));
    for (let i = f * perFile; i < Math.min(options.routes, (f + 1) * perFile); i++) {
      const broken = i === options.brokenTimeoutAt;
      const { lines, timeoutLine } = routeLines(i, broken);
      if (broken) brokenAt = { file, line: out.length + timeoutLine + 1, col: '    timeout: '.length + 1 };
      out.push(...lines);
    }
    writeFileSync(file, out.join('\n') + '\n');
  }
  for (const [name, text] of Object.entries(policies())) writeFileSync(path.join(policiesDir, name), text);
  const functionsFile = path.join(root, 'functions.yaml');
  writeFileSync(functionsFile, functionsYaml());
  return {
    root,
    routesDir,
    policiesDir,
    functionsFile,
    routeCount: options.routes,
    brokenAt,
    write: (relative, text) => writeFileSync(path.join(root, relative), text),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
