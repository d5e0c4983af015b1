import assert from 'node:assert/strict';
import { checkHost, checkMatchPath, checkRewrite, pathParams } from '../../../src/config/route-path.js';

describe('route paths', () => {
  describe('a match path', () => {
    for (const path of ['/', '/orders', '/orders/:id', '/a/:x/b/:y', '/files/*', '/*', '/a/b~c.d_e-f', '/v1/%2F', '/user@x/:_id2']) {
      it(`accepts ${path}`, () => assert.equal(checkMatchPath(path), null));
    }
    const invalid: [string, RegExp][] = [
      ['orders', /must start with \//],
      ['/a//b', /empty segment/],
      ['/a/', /empty segment/],
      ['/a/*/b', /only be the final segment/],
      ['/a*', /whole segment/],
      ['/a/:id/:id', /appears twice/],
      ['/a/:1x', /not a valid parameter/],
      ['/a/:', /not a valid parameter/],
      ['/a/../b', /never matched/],
      ['/a b', /percent-encoded/],
      ['/%41', /unreserved/],
      ['/%zz', /percent-encoded/],
    ];
    for (const [path, why] of invalid) {
      it(`refuses ${path}`, () => assert.match(checkMatchPath(path) ?? '', why));
    }
  });

  it('lists the parameters of a path in order', () => {
    assert.deepEqual(pathParams('/a/:x/b/:y/*'), ['x', 'y']);
  });

  describe('a rewrite', () => {
    it('may use the match path parameters', () => assert.equal(checkRewrite('/v1/orders/:id', '/orders/:id'), null));
    it('may follow a parameter with text in its segment', () => assert.equal(checkRewrite('/v1/:id.json', '/o/:id'), null));
    it('may carry the rest of a prefix match as /*', () => assert.equal(checkRewrite('/v2/*', '/files/*'), null));
    it('refuses a parameter the match path lacks', () => {
      assert.match(checkRewrite('/v1/:idx', '/orders/:id') ?? '', /":idx" is not a parameter/);
    });
    it('refuses /* when the match is not a prefix', () => assert.match(checkRewrite('/v2/*', '/files') ?? '', /needs a match path ending/));
    it('must start with /', () => assert.match(checkRewrite('v1', '/a') ?? '', /must start with \//));
  });

  describe('a host', () => {
    for (const host of ['api.example.com', 'localhost', '*.example.com', '10.0.0.7', 'a-b.c']) {
      it(`accepts ${host}`, () => assert.equal(checkHost(host), null));
    }
    for (const host of ['api.example.com:8080', '*.', 'a..b', '-a.com', 'a_b.com', '*.*.com', 'a.*.com']) {
      it(`refuses ${host}`, () => assert.notEqual(checkHost(host), null));
    }
  });
});
