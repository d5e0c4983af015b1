import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { GatewayConfig } from '../../../src/config/types.js';
import { useConfigTree } from './fixture.js';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'B'.repeat(64);

/** Maps as objects and URLs as strings, so one deepEqual covers everything. */
function plain(config: GatewayConfig): unknown {
  return JSON.parse(
    JSON.stringify(config, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)),
  );
}

describe('config loading: a full valid config', () => {
  const tree = useConfigTree();

  let pem = '';
  beforeEach(() => {
    pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    tree()
      .write('routes/orders.yaml', `
        routes:
          - name: get-order
            match:
              path: /orders/:id
              methods: [get, HEAD]
              host: API.Example.com
              headers: { X-Client: mobile, X-Version: 2 }
            function: orders
            rewrite: /v1/orders/:id
            auth: [mobile, partners]
            scopes: ["orders:read"]
            rateLimit: per-consumer
            cors: default
            timeout: 10s
            retries: 2
            maxBodySize: 1MiB
            wake: any
            forwardCredentials: true
      `)
      .write('routes/static.yml', `
        routes:
          - name: files
            match: { path: /files/* }
            upstream: http://10.0.0.7:8000
            auth: public
      `)
      .write('routes/ignored.txt', 'not yaml')
      .write('routes/sub/ignored.yaml', 'routes: [oops]')
      .write('policies/auth.yaml', `
        auth:
          mobile:
            type: jwt
            algorithms: [ES256]
            publicKeyFile: keys/id.pem
            issuer: https://id.example.com/
            audience: orders-api
            clockTolerance: 30s
            forwardClaims: { sub: X-User-Id }
          internal:
            type: jwt
            algorithms: [HS256, HS512]
            secretEnv: INTERNAL_SECRET
            requireExp: false
          partners:
            type: apiKey
            keysFile: keys/partners.yaml
          query:
            type: apiKey
            in: query
            name: api_key
            keys: [{ id: bot, hash: "sha256:${HASH_B}" }]
      `)
      .write('policies/keys/id.pem', pem)
      .write('policies/keys/partners.yaml', `keys:\n  - { id: acme, hash: "sha256:${HASH_A}", rateLimit: gold }\n`)
      .write('policies/limits.yaml', `
        rateLimits:
          per-consumer:
            key: consumer
            limits:
              - { requests: 100, per: 1s, burst: 50 }
              - { requests: 10000, per: 1d }
          gold:
            key: header:X-Tenant
            limits: [{ requests: 5, per: 250ms }]
            onStoreError: deny
        cors:
          default:
            origins: ["https://App.Example.com:443", "capacitor://localhost"]
            headers: [Authorization]
            credentials: true
            maxAge: 10m
      `)
      .write('functions.yaml', 'functions:\n  orders: { command: [node, orders.js], cwd: ., idleTimeout: 5m }\n');
  });

  it('loads into the canonical objects, with every default filled', async () => {
    const config = await tree().config({ functions: true, env: { INTERNAL_SECRET: 's'.repeat(32) } });
    const at = (rel: string, line: number, col: number) => ({ file: tree().path(rel), line, col });
    assert.deepEqual(plain(config), {
      routes: [
        {
          name: 'get-order',
          position: at('routes/orders.yaml', 2, 5),
          match: { path: '/orders/:id', methods: ['GET', 'HEAD'], host: 'api.example.com', headers: { 'x-client': 'mobile', 'x-version': '2' } },
          target: { kind: 'function', name: 'orders' },
          rewrite: '/v1/orders/:id',
          auth: { kind: 'policies', names: ['mobile', 'partners'] },
          scopes: ['orders:read'],
          rateLimit: ['per-consumer'],
          cors: 'default',
          timeoutMs: 10_000,
          retries: 2,
          maxBodyBytes: 1024 * 1024,
          wake: 'any',
          forwardCredentials: true,
          middleware: [],
        },
        {
          name: 'files',
          position: at('routes/static.yml', 2, 5),
          match: { path: '/files/*', methods: null, host: null, headers: {} },
          target: { kind: 'upstream', url: 'http://10.0.0.7:8000/' },
          rewrite: null,
          auth: { kind: 'public' },
          scopes: [],
          rateLimit: [],
          cors: null,
          timeoutMs: 30_000,
          retries: 1,
          maxBodyBytes: 10 * 1024 * 1024,
          wake: 'authenticated',
          forwardCredentials: false,
          middleware: [],
        },
      ],
      auth: {
        mobile: {
          type: 'jwt',
          name: 'mobile',
          position: at('policies/auth.yaml', 2, 3),
          algorithms: ['ES256'],
          key: { kind: 'publicKey', pem, file: tree().path('policies/keys/id.pem') },
          issuer: 'https://id.example.com/',
          audience: ['orders-api'],
          clockToleranceMs: 30_000,
          requireExp: true,
          forwardClaims: { sub: 'x-user-id' },
        },
        internal: {
          type: 'jwt',
          name: 'internal',
          position: at('policies/auth.yaml', 10, 3),
          algorithms: ['HS256', 'HS512'],
          key: { kind: 'secretEnv', env: 'INTERNAL_SECRET' },
          issuer: null,
          audience: null,
          clockToleranceMs: 0,
          requireExp: false,
          forwardClaims: {},
        },
        partners: {
          type: 'apiKey',
          name: 'partners',
          position: at('policies/auth.yaml', 15, 3),
          in: 'header',
          paramName: 'x-api-key',
          keys: [{ id: 'acme', sha256: HASH_A, rateLimit: 'gold' }],
          keysFile: tree().path('policies/keys/partners.yaml'),
        },
        query: {
          type: 'apiKey',
          name: 'query',
          position: at('policies/auth.yaml', 18, 3),
          in: 'query',
          paramName: 'api_key',
          keys: [{ id: 'bot', sha256: HASH_B.toLowerCase(), rateLimit: null }],
          keysFile: null,
        },
      },
      rateLimits: {
        'per-consumer': {
          name: 'per-consumer',
          position: at('policies/limits.yaml', 2, 3),
          key: { kind: 'consumer' },
          limits: [
            { requests: 100, perMs: 1000, burst: 50 },
            { requests: 10_000, perMs: 86_400_000, burst: 0 },
          ],
          onStoreError: 'local',
        },
        gold: {
          name: 'gold',
          position: at('policies/limits.yaml', 7, 3),
          key: { kind: 'header', name: 'x-tenant' },
          limits: [{ requests: 5, perMs: 250, burst: 0 }],
          onStoreError: 'deny',
        },
      },
      cors: {
        default: {
          name: 'default',
          position: at('policies/limits.yaml', 12, 3),
          origins: ['https://app.example.com', 'capacitor://localhost'],
          methods: ['GET', 'HEAD', 'POST'],
          headers: ['Authorization'],
          exposeHeaders: [],
          credentials: true,
          maxAgeSeconds: 600,
        },
      },
      functions: {
        orders: {
          name: 'orders',
          position: at('functions.yaml', 2, 3),
          command: ['node', 'orders.js'],
          cwd: tree().root,
          env: {},
          readinessPath: '/healthz',
          maxInstances: 1,
          concurrency: 0,
          idleTimeoutMs: 300_000,
          coldStartTimeoutMs: 30_000,
          maxPending: 1000,
          maxPendingBytes: 64 * 1024 * 1024,
        },
      },
      files: [
        'functions.yaml',
        'policies/auth.yaml',
        'policies/keys/id.pem',
        'policies/keys/partners.yaml',
        'policies/limits.yaml',
        'routes/orders.yaml',
        'routes/static.yml',
      ].map((f) => tree().path(f)),
    });
  });

  it('is frozen: routes, their match, and the policies in each map', async () => {
    const config = await tree().config({ functions: true, env: { INTERNAL_SECRET: 's'.repeat(32) } });
    const route = config.routes[0];
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.routes) && Object.isFrozen(route));
    assert.ok(Object.isFrozen(route?.match) && Object.isFrozen(route?.match.methods) && Object.isFrozen(route?.match.headers));
    for (const map of [config.auth, config.rateLimits, config.cors, config.functions]) {
      for (const v of map.values()) assert.ok(Object.isFrozen(v), 'a map value is not frozen');
    }
    assert.ok(Object.isFrozen(config.rateLimits.get('gold')?.limits[0]));
  });

  it('keeps no secret: only the variable name of secretEnv', async () => {
    const secret = 'the-real-secret-'.repeat(3);
    const config = await tree().config({ functions: true, env: { INTERNAL_SECRET: secret } });
    assert.ok(!JSON.stringify(plain(config)).includes(secret));
  });
});
