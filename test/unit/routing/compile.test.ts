// compileRouteTable at load: ties and bad routes refused with positions,
// the priority listing, frozen output, and explain() walking like match().
import assert from 'node:assert/strict';
import type { RouteSpec } from '../../../src/config/types.js';
import { compileRouteTable } from '../../../src/routing/table.js';
import { compile, request, route } from './route-fixtures.js';

function problemsOf(routes: readonly RouteSpec[]): string[] {
  const result = compileRouteTable(routes);
  return result.ok ? [] : result.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`);
}

describe('compileRouteTable', () => {
  describe('refuses ties', () => {
    const ties: ReadonlyArray<readonly [string, readonly RouteSpec[], readonly string[]]> = [
      ['same path and method', [route('a', '/o', { methods: ['GET'], line: 3 }), route('b', '/o', { methods: ['GET', 'POST'], line: 9 })],
        ['routes/t.yaml:9:5: route "b" ties with route "a" (routes/t.yaml:3:5): same host, path shape and method GET']],
      ['param names differ', [route('a', '/o/:id', { methods: ['PUT'], line: 3 }), route('b', '/o/:orderId', { methods: ['PUT'], line: 7 })],
        ['routes/t.yaml:7:5: route "b" ties with route "a" (routes/t.yaml:3:5): same host, path shape and method PUT']],
      ['all methods against one', [route('a', '/o', { line: 3 }), route('b', '/o', { methods: ['POST'], line: 5 })],
        ['routes/t.yaml:5:5: route "b" ties with route "a" (routes/t.yaml:3:5): same host, path shape and method POST']],
      ['both all methods', [route('a', '/o/*', { line: 3 }), route('b', '/o/*', { line: 5 })],
        ['routes/t.yaml:5:5: route "b" ties with route "a" (routes/t.yaml:3:5): same host, path shape and all methods']],
      ['HEAD listed by both', [route('a', '/o', { methods: ['GET', 'HEAD'], line: 3 }), route('b', '/o', { methods: ['HEAD'], line: 5 })],
        ['routes/t.yaml:5:5: route "b" ties with route "a" (routes/t.yaml:3:5): same host, path shape and method HEAD']],
      ['same headers, values in another case', [
        route('a', '/o', { methods: ['GET'], headers: { 'x-client': 'Mobile' }, line: 3 }),
        route('b', '/o', { methods: ['GET'], headers: { 'x-client': 'mobile' }, line: 5 }),
      ], ['routes/t.yaml:5:5: route "b" ties with route "a" (routes/t.yaml:3:5): same host, path shape, headers and method GET']],
      ['same wildcard host', [route('a', '/o', { host: '*.example.com', line: 3 }), route('b', '/o', { host: '*.example.com', line: 5 })],
        ['routes/t.yaml:5:5: route "b" ties with route "a" (routes/t.yaml:3:5): same host, path shape and all methods']],
      ['three at once, every pair reported', [route('a', '/o', { line: 1 }), route('b', '/o', { line: 2 }), route('c', '/o', { line: 3 })], [
        'routes/t.yaml:2:5: route "b" ties with route "a" (routes/t.yaml:1:5): same host, path shape and all methods',
        'routes/t.yaml:3:5: route "c" ties with route "a" (routes/t.yaml:1:5): same host, path shape and all methods',
        'routes/t.yaml:3:5: route "c" ties with route "b" (routes/t.yaml:2:5): same host, path shape and all methods',
      ]],
    ];
    for (const [why, routes, expected] of ties) {
      it(why, () => assert.deepEqual(problemsOf(routes), expected));
    }
  });

  describe('accepts routes that only look alike', () => {
    const distinct: ReadonlyArray<readonly [string, readonly RouteSpec[]]> = [
      ['GET beside an explicit HEAD (the implied HEAD is not a tie)', [route('a', '/o', { methods: ['GET'] }), route('b', '/o', { methods: ['HEAD'] })]],
      ['different methods', [route('a', '/o', { methods: ['GET'] }), route('b', '/o', { methods: ['POST'] })]],
      ['different header conditions', [route('a', '/o'), route('b', '/o', { headers: { 'x-client': 'mobile' } })]],
      ['different hosts', [route('a', '/o', { host: 'a.example.com' }), route('b', '/o', { host: '*.example.com' }), route('c', '/o')]],
      ['static beside param beside prefix', [route('a', '/o/new'), route('b', '/o/:id'), route('c', '/o/*')]],
      ['trailing slash is its own path', [route('a', '/o'), route('b', '/o/')]],
    ];
    for (const [why, routes] of distinct) {
      it(why, () => assert.deepEqual(problemsOf(routes), []));
    }
  });

  describe('refuses a route it cannot compile, at its position', () => {
    const bad: ReadonlyArray<readonly [RouteSpec, RegExp]> = [
      [route('star', '/a/*/b', { line: 4 }), /^routes\/t\.yaml:4:5: route "star": path "\/a\/\*\/b": "\*" is only allowed as the last segment/],
      [route('dots', '/a/../b', { line: 4 }), /route "dots": path "\/a\/\.\.\/b": .*"\.\."/],
      [route('empty-param', '/a/:', { line: 4 }), /":" is not a valid param name/],
      [route('twice', '/a/:id/:id', { line: 4 }), /param ":id" appears twice/],
      [route('unknown', '/a/:id', { rewrite: '/b/:name', line: 4 }), /uses ":name", which the path does not define/],
      [route('rest', '/a/:id', { rewrite: '/b/*', line: 4 }), /ends in "\/\*" but the path is not a prefix/],
      [route('host', '/a', { host: 'a.*.com', line: 4 }), /host "a\.\*\.com": a wildcard is only allowed as a whole leading label/],
      [route('bare', '/a', { host: '*.', line: 4 }), /host "\*\.": a wildcard/],
      [route('port', '/a', { host: 'api.example.com:8080', line: 4 }), /host "api\.example\.com:8080": a host condition has no port/],
    ];
    for (const [spec, expected] of bad) {
      it(`${spec.name}: ${spec.match.path}`, () => {
        const problems = problemsOf([spec]);
        assert.equal(problems.length, 1);
        assert.match(problems[0] ?? '', expected);
      });
    }
  });

  it('lists routes in match-priority order', () => {
    const table = compile([
      route('any-root', '/'),
      route('prefix', '/o/*'),
      route('param', '/o/:id'),
      route('short', '/o'),
      route('static', '/o/new'),
      route('mobile', '/o', { headers: { 'x-client': 'mobile' } }),
      route('wild-long', '/o', { host: '*.eu.example.com' }),
      route('wild', '/o', { host: '*.example.com' }),
      route('exact', '/z', { host: 'api.example.com' }),
    ]);
    assert.deepEqual(table.routes.map((r) => r.name), [
      'exact', 'wild-long', 'wild', 'any-root', 'static', 'param', 'mobile', 'short', 'prefix',
    ]);
  });

  it('freezes the table and its listing', () => {
    const table = compile([route('a', '/a')]);
    assert.ok(Object.isFrozen(table));
    assert.ok(Object.isFrozen(table.routes));
  });
});

describe('explain()', () => {
  const table = compile([
    route('get-order', '/orders/:id', { host: 'api.example.com', methods: ['GET', 'HEAD'] }),
    route('new-order', '/orders/new', { host: 'api.example.com', methods: ['GET'], headers: { 'x-client': 'mobile' } }),
    route('fallback', '/orders/*', { methods: ['POST'] }),
  ]);

  it('records each decision of the walk, backtracking and fall-back included', () => {
    const req = request({ method: 'POST', host: 'API.example.com:8443', path: '/orders/new' });
    assert.ok(req !== null);
    const { result, steps } = table.explain(req);
    assert.deepEqual(result, table.match(req));
    assert.deepEqual(steps, [
      'host "api.example.com": exact host group',
      'segment "orders": static child',
      'segment "new": static child',
      'end of path: routes end here',
      'route "new-order": header x-client does not match',
      'segment "new": backtracked, param :id',
      'end of path: routes end here',
      'route "get-order": method POST not allowed (GET, HEAD)',
      'fell back to host-less routes',
      'segment "orders": static child',
      'segment "new": prefix /*, takes the rest',
      'route "fallback": matched (host *, path /orders/*)',
      'result: route "fallback", upstream path /orders/new',
    ]);
  });

  it('says why a request gets 405 or 404', () => {
    const notAllowed = request({ method: 'DELETE', host: 'api.example.com', path: '/orders/7' });
    const none = request({ method: 'GET', path: '/nothing' });
    assert.ok(notAllowed !== null && none !== null);
    assert.equal(table.explain(notAllowed).steps.at(-1), 'result: 405, Allow: GET, HEAD, POST');
    assert.deepEqual(table.explain(none).steps, [
      'no usable Host header: only host-less routes apply',
      'segment "nothing": no static, param or prefix child',
      'result: no route (404)',
    ]);
  });
});
