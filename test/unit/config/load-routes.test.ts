import assert from 'node:assert/strict';
import { useConfigTree } from './fixture.js';

const UNKNOWN_ROUTE_KEY =
  'unknown key "tiemout" (expected one of: name, match, function, upstream, rewrite, auth, scopes, rateLimit, cors, timeout, retries, maxBodySize, wake, forwardCredentials, middleware)';

describe('config loading: routes', () => {
  const tree = useConfigTree();

  describe('reports each problem at the YAML node at fault', () => {
    it('an unknown key at the key', async () => {
      tree().write('routes/a.yaml', `
        routes:
          - name: a
            match: { path: /a }
            auth: public
            upstream: http://u
            tiemout: 3s
      `);
      assert.deepEqual(await tree().problems(), [`routes/a.yaml:6:5: ${UNKNOWN_ROUTE_KEY}`]);
    });

    it('a wrong type at the value', async () => {
      tree().write('routes/a.yaml', `
        routes:
          - name: a
            match: { path: /a, methods: GET }
            auth: public
            upstream: http://u
            retries: many
      `);
      assert.deepEqual(await tree().problems(), [
        'routes/a.yaml:3:33: methods must be a list',
        'routes/a.yaml:6:14: retries must be an integer',
      ]);
    });

    it('a missing required key at the map that lacks it', async () => {
      tree().write('routes/a.yaml', `
        routes:
          - name: a
            upstream: http://u
            match:
              methods: [GET]
      `);
      assert.deepEqual(await tree().problems(), [
        'routes/a.yaml:2:5: missing required key "auth"',
        'routes/a.yaml:5:7: missing required key "path"',
      ]);
    });

    it('an empty value at its key, since an empty value has no position of its own', async () => {
      tree().write('routes/a.yaml', `
        routes:
          - name: a
            match:
            auth: public
            upstream: http://u
      `);
      assert.deepEqual(await tree().problems(), ['routes/a.yaml:3:5: match must be a map']);
    });

    it('a duplicate route name in a second file at its name, naming the first', async () => {
      tree().write('routes/a.yaml', `
        routes:
          - { name: orders, match: { path: /a }, auth: public, upstream: http://u }
      `);
      tree().write('routes/b.yaml', `
        routes:
          - name: orders
            match: { path: /b }
            auth: public
            upstream: http://u
      `);
      assert.deepEqual(await tree().problems(), [
        'routes/b.yaml:2:11: duplicate route name "orders" (first defined at routes/a.yaml:2:13)',
      ]);
    });

    it('both function and upstream at the upstream key', async () => {
      tree().write('routes/a.yaml', `
        routes:
          - name: a
            match: { path: /a }
            auth: public
            function: hello
            upstream: http://u
      `);
      assert.deepEqual(await tree().problems(), ['routes/a.yaml:6:5: route has both function and upstream']);
    });

    it('neither function nor upstream at the route', async () => {
      tree().write('routes/a.yaml', `
        routes:
          - name: a
            match: { path: /a }
            auth: public
      `);
      assert.deepEqual(await tree().problems(), ['routes/a.yaml:2:5: route needs a function or an upstream']);
    });

    it('an unknown policy at the list item that names it', async () => {
      tree().write('policies/p.yaml', `
        auth:
          keys: { type: apiKey, keys: [] }
        rateLimits:
          slow: { key: ip, limits: [{ requests: 1, per: 1s }] }
      `);
      tree().write('routes/a.yaml', `
        routes:
          - name: a
            match: { path: /a }
            upstream: http://u
            auth: [keys, mobile]
            rateLimit: fast
            cors: default
      `);
      assert.deepEqual(await tree().problems(), [
        'routes/a.yaml:5:18: unknown auth policy "mobile"',
        'routes/a.yaml:6:16: unknown rate limit policy "fast"',
        'routes/a.yaml:7:11: unknown cors policy "default"',
      ]);
    });

    it('an unknown function at the function name, when there is a functions file', async () => {
      tree().write('functions.yaml', `
        functions:
          hello: { command: [node, hello.js] }
      `);
      tree().write('routes/a.yaml', `
        routes:
          - name: a
            match: { path: /a }
            auth: public
            function: goodbye
      `);
      assert.deepEqual(await tree().problems({ functions: true }), ['routes/a.yaml:5:15: unknown function "goodbye"']);
    });

    it('a bad duration and a bad size at their values', async () => {
      tree().write('routes/a.yaml', `
        routes:
          - name: a
            match: { path: /a }
            auth: public
            upstream: http://u
            timeout: 10
            maxBodySize: 1MiBx
      `);
      assert.deepEqual(await tree().problems(), [
        'routes/a.yaml:6:14: timeout "10" is not a duration (expected e.g. 250ms, 30s, 5m, 1h, 1d)',
        'routes/a.yaml:7:18: maxBodySize "1MiBx" is not a size (expected e.g. 512, 64KB, 10MiB, 1GiB)',
      ]);
    });

    it('public mixed into a list of policies at that item', async () => {
      tree().write('policies/p.yaml', 'auth:\n  keys: { type: apiKey, keys: [] }\n');
      tree().write('routes/a.yaml', `
        routes:
          - { name: a, match: { path: /a }, upstream: http://u, auth: [keys, public] }
      `);
      assert.deepEqual(await tree().problems(), ['routes/a.yaml:2:70: "public" cannot be listed with policies; write auth: public alone']);
    });
  });

  describe('refuses', () => {
    const refusals: [string, string, RegExp][] = [
      ['a path without a leading /', 'match: { path: orders }', /path "orders" must start with \//],
      ['a wildcard that is not the last segment', 'match: { path: /a/*/b }', /"\*" may only be the final segment/],
      ['a parameter used twice', 'match: { path: /a/:id/:id }', /parameter ":id" appears twice/],
      ['a method that is not a token', 'match: { path: /a, methods: ["GE T"] }', /"GE T" is not a valid HTTP method/],
      ['a host with a port', 'match: { path: /a, host: "api.example.com:8080" }', /must not include a port/],
      ['a rewrite using an unknown parameter', 'match: { path: /a/:id }\n    rewrite: /b/:other', /":other" is not a parameter/],
      ['a non-http upstream', 'match: { path: /b }\n    upstream2: x', /unknown key "upstream2"/],
      ['a zero timeout', 'match: { path: /a }\n    timeout: 0s', /timeout must be greater than 0/],
      ['a timeout beyond what a timer can hold', 'match: { path: /a }\n    timeout: 30d', /at most 24d/],
      ['an invalid wake value', 'match: { path: /a }\n    wake: never', /wake must be one of: authenticated, any/],
    ];
    for (const [what, yaml, message] of refusals) {
      it(what, async () => {
        tree().write('routes/a.yaml', `routes:\n  - name: a\n    auth: public\n    upstream: http://u\n    ${yaml}\n`);
        const problems = await tree().problems();
        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0] ?? '', message);
      });
    }

    it('an ftp upstream', async () => {
      tree().write('routes/a.yaml', 'routes:\n  - { name: a, auth: public, match: { path: /a }, upstream: "ftp://x" }\n');
      assert.deepEqual(await tree().problems(), ['routes/a.yaml:2:61: upstream "ftp://x" must be an absolute http:// or https:// URL']);
    });
  });
});
