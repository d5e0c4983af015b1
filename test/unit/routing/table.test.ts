// The route table's contract suite (STYLE 3): rows of
// (routes, method, host, path) → route name | 404 | 405 (Allow) | 400.
import assert from 'node:assert/strict';
import type { RouteSpec } from '../../../src/config/types.js';
import type { RouteMatch } from '../../../src/routing/types.js';
import { compile, request, route, type RequestLine } from './route-fixtures.js';

const orders = [
  route('list-orders', '/orders', { methods: ['GET', 'POST'] }),
  route('new-order', '/orders/new', { methods: ['GET'] }),
  route('get-order', '/orders/:id', { methods: ['GET'] }),
  route('delete-order', '/orders/:orderId', { methods: ['DELETE'] }),
  route('order-items', '/orders/:id/items', { methods: ['GET'] }),
  route('order-files', '/orders/*', { methods: ['GET'] }),
];
const backtracking = [
  route('static-deep', '/a/b/c'),
  route('param-then-d', '/a/:x/d'),
  route('a-prefix', '/a/*'),
  route('p-static', '/p/x/:y'),
  route('p-param', '/p/:a/z'),
  route('q-params', '/q/:a/:b'),
  route('q-prefix', '/q/*'),
  route('m', '/m', { methods: ['GET'] }),
  route('m-id', '/m/:id', { methods: ['GET'] }),
  route('dir', '/d/'),
  route('root', '/'),
];
const hosts = [
  route('exact', '/x', { host: 'api.example.com' }),
  route('wild', '/x', { host: '*.example.com' }),
  route('wild-eu', '/x', { host: '*.eu.example.com' }),
  route('any', '/x'),
  route('exact-only', '/only', { host: 'api.example.com', methods: ['POST'] }),
  route('hostless-only', '/only', { methods: ['GET'] }),
  route('wild-y', '/y', { host: '*.example.com' }),
  route('ipv6', '/v6', { host: '[::1]' }),
];
const headers = [
  route('mobile', '/h', { methods: ['GET'], headers: { 'x-client': 'Mobile' } }),
  route('plain', '/h', { methods: ['GET'] }),
  route('beta', '/h', { methods: ['POST'], headers: { 'x-client': 'mobile', 'x-beta': '1' } }),
  route('mobile-only', '/hm', { headers: { 'x-client': 'mobile' } }),
  route('get-r', '/r', { methods: ['GET'] }),
  route('head-r', '/r', { methods: ['HEAD'] }),
];
const params = [
  route('user', '/users/:name', { methods: ['GET'], rewrite: '/v1/u/:name/profile' }),
  route('tilde', '/~user'),
  route('files', '/files/*', { rewrite: '/v2/*' }),
  route('api', '/api/*'),
  route('swap', '/t/:a/:b', { rewrite: '/x/:b/:a.json' }),
  route('escaped', '/e/x%2Fy'),
  route('escaped-lower', '/f/%c3%a9', { rewrite: '/g/%c3%a9' }),
];

type Expected = string | 400 | 404 | { readonly allow: string };

interface Row extends RequestLine {
  readonly routes: readonly RouteSpec[];
  readonly expect: Expected;
  readonly params?: Readonly<Record<string, string>>;
  readonly upstream?: string;
}

const GET = 'GET';
const rows: readonly Row[] = [
  // priority: static > param > prefix, backtracking, longer vs shorter
  { routes: orders, method: GET, path: '/orders/new', expect: 'new-order' },
  { routes: orders, method: GET, path: '/orders/42', expect: 'get-order', params: { id: '42' } },
  { routes: orders, method: 'DELETE', path: '/orders/42', expect: 'delete-order', params: { orderId: '42' } },
  { routes: orders, method: 'DELETE', path: '/orders/new', expect: 'delete-order', params: { orderId: 'new' } },
  { routes: orders, method: GET, path: '/orders/42/items', expect: 'order-items' },
  { routes: orders, method: GET, path: '/orders/42/x', expect: 'order-files' },
  { routes: orders, method: GET, path: '/orders', expect: 'list-orders', upstream: '/orders' },
  { routes: orders, method: 'POST', path: '/orders', expect: 'list-orders' },
  { routes: orders, method: GET, path: '/orders/', expect: 'order-files' },
  { routes: orders, method: 'HEAD', path: '/orders/42', expect: 'get-order' },
  { routes: orders, method: 'PUT', path: '/orders', expect: { allow: 'GET, HEAD, POST' } },
  { routes: orders, method: 'PUT', path: '/orders/new', expect: { allow: 'DELETE, GET, HEAD' } },
  { routes: orders, method: GET, path: '/ordersx', expect: 404 },
  { routes: backtracking, method: GET, path: '/a/b/c', expect: 'static-deep' },
  { routes: backtracking, method: GET, path: '/a/b/d', expect: 'param-then-d' },
  { routes: backtracking, method: GET, path: '/a/b/e', expect: 'a-prefix' },
  { routes: backtracking, method: GET, path: '/a', expect: 'a-prefix' },
  { routes: backtracking, method: GET, path: '/a/', expect: 'a-prefix' },
  { routes: backtracking, method: GET, path: '/a/x/y/z', expect: 'a-prefix' },
  { routes: backtracking, method: GET, path: '/ab', expect: 404 },
  { routes: backtracking, method: GET, path: '/p/x/z', expect: 'p-static', params: { y: 'z' } },
  { routes: backtracking, method: GET, path: '/p/w/z', expect: 'p-param', params: { a: 'w' } },
  { routes: backtracking, method: GET, path: '/q/1/2', expect: 'q-params', params: { a: '1', b: '2' } },
  { routes: backtracking, method: GET, path: '/q/1', expect: 'q-prefix', params: {} },
  { routes: backtracking, method: GET, path: '/m/', expect: 404 },
  { routes: backtracking, method: GET, path: '/d/', expect: 'dir' },
  { routes: backtracking, method: GET, path: '/d', expect: 404 },
  { routes: backtracking, method: GET, path: '/', expect: 'root' },
  // hosts: exact > wildcard (longer suffix first) > none
  { routes: hosts, method: GET, host: 'api.example.com', path: '/x', expect: 'exact' },
  { routes: hosts, method: GET, host: 'API.Example.COM:8080', path: '/x', expect: 'exact' },
  { routes: hosts, method: GET, host: 'api.example.com.', path: '/x', expect: 'exact' },
  { routes: hosts, method: 'PATCH', host: 'api.example.com', path: '/x', expect: 'exact' },
  { routes: hosts, method: GET, host: 'web.example.com', path: '/x', expect: 'wild' },
  { routes: hosts, method: GET, host: 'a.b.example.com:443', path: '/x', expect: 'wild' },
  { routes: hosts, method: GET, host: 'x.eu.example.com', path: '/x', expect: 'wild-eu' },
  { routes: hosts, method: GET, host: 'eu.example.com', path: '/x', expect: 'wild' },
  { routes: hosts, method: GET, host: 'example.com', path: '/x', expect: 'any' },
  { routes: hosts, method: GET, host: 'other.org', path: '/x', expect: 'any' },
  { routes: hosts, method: GET, path: '/x', expect: 'any' },
  { routes: hosts, method: GET, host: 'api.example.com', path: '/y', expect: 'wild-y' },
  { routes: hosts, method: GET, host: 'api.example.com', path: '/only', expect: 'hostless-only' },
  { routes: hosts, method: 'POST', host: 'api.example.com', path: '/only', expect: 'exact-only' },
  { routes: hosts, method: 'DELETE', host: 'api.example.com', path: '/only', expect: { allow: 'GET, HEAD, POST' } },
  { routes: hosts, method: 'POST', host: 'web.example.com', path: '/only', expect: { allow: 'GET, HEAD' } },
  { routes: hosts, method: GET, host: '[::1]:8080', path: '/v6', expect: 'ipv6' },
  { routes: hosts, method: GET, host: 'example.com', path: '/y', expect: 404 },
  // headers and methods
  { routes: headers, method: GET, path: '/h', headers: { 'x-client': 'mobile' }, expect: 'mobile' },
  { routes: headers, method: GET, path: '/h', headers: { 'x-client': 'MOBILE' }, expect: 'mobile' },
  { routes: headers, method: GET, path: '/h', headers: { 'x-client': 'desktop' }, expect: 'plain' },
  { routes: headers, method: GET, path: '/h', expect: 'plain' },
  { routes: headers, method: 'POST', path: '/h', headers: { 'x-client': 'Mobile', 'x-beta': '1' }, expect: 'beta' },
  { routes: headers, method: 'POST', path: '/h', headers: { 'x-client': 'mobile' }, expect: { allow: 'GET, HEAD' } },
  { routes: headers, method: GET, path: '/hm', expect: 404 },
  { routes: headers, method: 'HEAD', path: '/r', expect: 'head-r' },
  { routes: headers, method: GET, path: '/r', expect: 'get-r' },
  { routes: headers, method: 'POST', path: '/r', expect: { allow: 'GET, HEAD' } },
  // params, encoding and rewrite
  { routes: params, method: GET, path: '/users/a%2Fb', expect: 'user', params: { name: 'a%2Fb' }, upstream: '/v1/u/a%2Fb/profile' },
  { routes: params, method: GET, path: '/users/%7ebob', expect: 'user', params: { name: '~bob' }, upstream: '/v1/u/~bob/profile' },
  { routes: params, method: GET, path: '/users/a/b', expect: 404 },
  { routes: params, method: GET, path: '/%7Euser', expect: 'tilde', upstream: '/~user' },
  { routes: params, method: GET, path: '/files/a/b', expect: 'files', upstream: '/v2/a/b' },
  { routes: params, method: GET, path: '/files', expect: 'files', upstream: '/v2' },
  { routes: params, method: GET, path: '/files/', expect: 'files', upstream: '/v2/' },
  { routes: params, method: GET, path: '/api/x%2f?q=1', expect: 'api', upstream: '/api/x%2f' },
  { routes: params, method: GET, path: '/users/a%2fb', expect: 'user', params: { name: 'a%2fb' }, upstream: '/v1/u/a%2fb/profile' },
  { routes: params, method: GET, path: '/e/x%2fy', expect: 'escaped', upstream: '/e/x%2fy' },
  { routes: params, method: GET, path: '/e/x%2Fy', expect: 'escaped', upstream: '/e/x%2Fy' },
  { routes: params, method: GET, path: '/e/x/y', expect: 404 },
  { routes: params, method: GET, path: '/f/%C3%A9', expect: 'escaped-lower', upstream: '/g/%c3%a9' },
  { routes: params, method: GET, path: '/t/1/2', expect: 'swap', params: { a: '1', b: '2' }, upstream: '/x/2/1.json' },
  // refused before matching → 400
  { routes: orders, method: GET, path: '/orders/../admin', expect: 400 },
  { routes: orders, method: GET, path: '/orders/%2e%2e/admin', expect: 400 },
  { routes: orders, method: GET, path: '/orders/./42', expect: 400 },
  { routes: orders, method: GET, path: '//orders', expect: 400 },
  { routes: orders, method: GET, path: '/orders\\42', expect: 400 },
  { routes: orders, method: GET, path: '/orders/%5C42', expect: 400 },
  { routes: orders, method: GET, path: '/orders/%00', expect: 400 },
  { routes: orders, method: GET, path: '/orders/%', expect: 400 },
  { routes: orders, method: GET, path: '/orders/%G1', expect: 400 },
  { routes: orders, method: GET, path: '/orders/%4', expect: 400 },
];

function outcome(result: RouteMatch): Expected {
  if (result.kind === 'matched') return result.route.name;
  if (result.kind === 'method-not-allowed') return { allow: result.allow };
  return 404;
}

function title(row: Row): string {
  const expect = typeof row.expect === 'object' ? `405 Allow: ${row.expect.allow}` : String(row.expect);
  const headers = row.headers === undefined ? '' : ` ${JSON.stringify(row.headers)}`;
  return `${row.method} ${row.host ?? '(no host)'} ${row.path}${headers} → ${expect}`;
}

describe('route table', () => {
  it(`has a matrix of at least 40 rows (${rows.length})`, () => {
    assert.ok(rows.length >= 40);
  });

  for (const row of rows) {
    it(title(row), () => {
      const req = request(row);
      if (req === null) return assert.equal(row.expect, 400);
      const result = compile(row.routes).match(req);
      assert.deepEqual(outcome(result), row.expect);
      if (result.kind !== 'matched') return;
      if (row.params !== undefined) assert.deepEqual({ ...result.params }, row.params);
      if (row.upstream !== undefined) assert.equal(result.upstreamPath, row.upstream);
    });
  }
});
