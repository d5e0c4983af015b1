// The admin listener (SPEC §6): health, readiness, metrics and the dashboard's
// files without a token; the admin API behind `Authorization: Bearer
// $GATEHOUSE_ADMIN_TOKEN`.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { FunctionStatus } from '../functions/types.js';
import { Problem, sendProblem } from '../http/problem.js';
import { requestIdFor } from '../http/request-id.js';
import type { HistoryColumns } from '../observability/history.js';
import type { Explanation } from '../routing/types.js';
import { dashboardFiles, type StaticFile } from './dashboard-files.js';
import { functionView } from './function-view.js';
import type { TokenCheck } from './token.js';

export interface AdminDeps {
  readonly ready: () => { ready: boolean; reason: string };
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  readonly routes: () => unknown[];
  readonly functions: () => FunctionStatus[];
  /** The last 5 minutes of traffic, one point a second. */
  readonly history: () => HistoryColumns;
  readonly explain: (method: string, host: string | undefined, path: string) => Explanation | { error: string };
  readonly reload: () => Promise<{ ok: boolean; problems: string[] }>;
  readonly checkToken: (authorization: string | undefined) => TokenCheck;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/**
 * The page loads only its own files and talks only to this listener; its token goes
 * in a header, never a URL (no Referer to leak it through either).
 */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export function createAdminServer(deps: AdminDeps): http.Server {
  const open: Record<string, Handler> = {
    'GET /healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    'GET /readyz': (_req, res) => {
      const state = deps.ready();
      sendJson(res, state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'not ready', reason: state.reason });
    },
    'GET /metrics': async (_req, res) => {
      const { contentType, body } = await deps.metrics();
      res.writeHead(200, { 'content-type': contentType }).end(body);
    },
  };
  const guarded: Record<string, Handler> = {
    'GET /admin/routes': (_req, res) => sendJson(res, 200, { routes: deps.routes() }),
    'GET /admin/functions': (_req, res) => sendJson(res, 200, { functions: deps.functions().map(functionView) }),
    'GET /admin/history': (_req, res) => sendJson(res, 200, deps.history(), 0),
    'GET /admin/explain': (_req, res, url) => {
      const path = url.searchParams.get('path');
      if (!path) throw new Problem(400, 'bad-request', 'explain needs ?path=');
      const method = (url.searchParams.get('method') ?? 'GET').toUpperCase();
      sendJson(res, 200, deps.explain(method, url.searchParams.get('host') ?? undefined, path));
    },
    'POST /admin/reload': async (_req, res) => {
      const result = await deps.reload();
      sendJson(res, result.ok ? 200 : 422, result);
    },
  };

  for (const [path, file] of dashboardFiles()) open[`GET ${path}`] = (_req, res) => sendFile(res, file);

  return http.createServer((req, res) => {
    const requestId = requestIdFor(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://admin');
    const key = `${req.method} ${url.pathname}`;
    const handler = open[key] ?? guarded[key];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Problem(404, 'route-not-found', `no admin endpoint ${key}`);
        if (guarded[key]) authorize(deps.checkToken(req.headers.authorization));
        return handler(req, res, url);
      })
      .catch((error: unknown) => {
        const problem = error instanceof Problem ? error : new Problem(500, 'internal', 'the admin API failed');
        sendProblem(res, problem, requestId);
      });
  });
}

function authorize(check: TokenCheck): void {
  if (check === 'not-configured') throw new Problem(403, 'forbidden', 'the admin API is disabled: set GATEHOUSE_ADMIN_TOKEN');
  if (check === 'missing-or-wrong') throw new Problem(401, 'unauthorized', 'a valid admin bearer token is required', { 'www-authenticate': 'Bearer realm="gatehouse-admin"' });
}

/** `indent` 0 for the history: 2,400 numbers a second, read by the page, not by people. */
function sendJson(res: ServerResponse, status: number, value: unknown, indent = 2): void {
  const body = JSON.stringify(value, null, indent);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' }).end(body);
}

async function sendFile(res: ServerResponse, file: StaticFile): Promise<void> {
  const body = await file.read();
  res.writeHead(200, { ...PAGE_HEADERS, 'content-type': file.contentType, 'content-length': body.length }).end(body);
}
