// SPEC §4 identity, as the upstream sees it: clients cannot forge X-Gatehouse-*
// or forwardClaims headers on any route; an admitted request carries the true
// consumer, policy and claims; credentials stay at the gateway unless the route
// says forwardCredentials; with `auth: [a, b]` the first policy that admits wins.
import assert from 'node:assert/strict';
import { apiKeyPolicies, claims, makeMint, rawGet, rsPolicy, signJwt, type AuthMint } from '../support/auth-fixture.js';
import { startProxyGateway, type ProxyGateway } from '../support/proxy-gateway.js';
import { startUpstream, type RecordedRequest, type UpstreamServer } from '../support/upstream-server.js';

const FORWARD_CLAIMS = { sub: 'X-User-Id', email: 'X-User-Email', tenant: 'X-Tenant' };

/** What a client sends to pass itself off as someone else. */
const FORGED = [
  'X-Gatehouse-Consumer: rs:admin',
  'X-GATEHOUSE-AUTH: rs',
  'X-Gatehouse-Anything: 1',
  'X-User-Id: admin',
  'x-user-email: admin@evil.test',
  'X-Tenant: root',
];

/** The identity headers an upstream request carries: every x-gatehouse-* and forwardClaims header. */
function identityOf(seen: RecordedRequest): Record<string, unknown> {
  const names = new Set(['x-user-id', 'x-user-email', 'x-tenant']);
  return Object.fromEntries(Object.entries(seen.headers).filter(([name]) => name.startsWith('x-gatehouse-') || names.has(name)));
}

function routes(origin: string): Array<Record<string, unknown>> {
  const route = (name: string, auth: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, match: { path: `/${name}` }, upstream: origin, auth, ...extra });
  return [
    route('public', 'public'),
    route('jwt', 'rs'),
    route('jwt-fwd', 'rs', { forwardCredentials: true }),
    route('key', 'keys-header'),
    route('key-fwd', 'keys-header', { forwardCredentials: true }),
    route('query', 'keys-query'),
    route('query-fwd', 'keys-query', { forwardCredentials: true }),
    route('key-then-jwt', ['keys-header', 'rs']),
    route('jwt-then-key', ['rs', 'keys-header']),
    route('jwt-then-query', ['rs', 'keys-query']),
  ];
}

describe('auth: identity and credentials at the upstream', function () {
  this.timeout(60_000);
  let m: AuthMint;
  let upstream: UpstreamServer;
  let gateway: ProxyGateway;
  /** A valid token for rs with an email claim and no tenant claim. */
  let token: string;

  before(async function () {
    this.timeout(60_000);
    m = makeMint();
    token = signJwt(claims({ email: 'ada@example.test' }), m.rs.privateKey, 'RS256');
    upstream = await startUpstream();
    const policies = { auth: { rs: rsPolicy(m, FORWARD_CLAIMS), ...apiKeyPolicies(m) } };
    gateway = await startProxyGateway(routes(upstream.origin), { policies });
  });
  after(async function () {
    this.timeout(30_000);
    try {
      await gateway?.stop(); // asserts exit 0 on SIGTERM
    } finally {
      await upstream?.close();
    }
  });

  /** Send raw header lines (exactly as written) and return what reached the upstream. */
  async function seenUpstream(target: string, headers: readonly string[]): Promise<RecordedRequest> {
    const arrived = upstream.nextRequest();
    const reply = await rawGet(gateway.process.port, target, headers);
    assert.equal(reply.status, 200, reply.body);
    return arrived;
  }

  describe('identity headers forged by the client', () => {
    it('are all absent on a public route', async () => {
      const seen = await seenUpstream('/public', [...FORGED, `Authorization: Bearer ${token}`]);
      assert.deepEqual(identityOf(seen), {});
    });

    it('are replaced by the consumer POLICY:SUB, the policy and the forwarded claims on a JWT route', async () => {
      const seen = await seenUpstream('/jwt', [...FORGED, `Authorization: Bearer ${token}`]);
      // x-tenant: forged by the client, and the token has no tenant claim, so absent.
      assert.deepEqual(identityOf(seen), {
        'x-gatehouse-consumer': 'rs:user-42',
        'x-gatehouse-auth': 'rs',
        'x-user-id': 'user-42',
        'x-user-email': 'ada@example.test',
      });
    });

    it('are replaced by the key id and the policy on an API-key route, with no claim headers', async () => {
      const seen = await seenUpstream('/key', [...FORGED, `X-API-Key: ${m.apiKeys.acme}`]);
      assert.deepEqual(identityOf(seen), { 'x-gatehouse-consumer': 'acme', 'x-gatehouse-auth': 'keys-header' });
    });

    it('are replaced on a query-key route too', async () => {
      const seen = await seenUpstream(`/query?api_key=${m.apiKeys.initech}`, FORGED);
      assert.deepEqual(identityOf(seen), { 'x-gatehouse-consumer': 'initech', 'x-gatehouse-auth': 'keys-query' });
    });
  });

  describe('credentials', () => {
    it('does not forward Authorization by default', async () => {
      const seen = await seenUpstream('/jwt', [`Authorization: Bearer ${token}`]);
      assert.equal(seen.headers.authorization, undefined);
      assert.equal(seen.headers['x-gatehouse-consumer'], 'rs:user-42', 'the request was admitted by the token');
    });

    it('forwards Authorization as sent with forwardCredentials: true', async () => {
      const seen = await seenUpstream('/jwt-fwd', [`Authorization: Bearer ${token}`]);
      assert.equal(seen.headers.authorization, `Bearer ${token}`);
    });

    it('does not forward the API-key header by default', async () => {
      const seen = await seenUpstream('/key', [`X-API-Key: ${m.apiKeys.acme}`]);
      assert.equal(seen.headers['x-api-key'], undefined);
      assert.equal(seen.headers['x-gatehouse-consumer'], 'acme');
    });

    it('forwards the API-key header with forwardCredentials: true', async () => {
      const seen = await seenUpstream('/key-fwd', [`X-API-Key: ${m.apiKeys.acme}`]);
      assert.equal(seen.headers['x-api-key'], m.apiKeys.acme);
    });

    it('removes a query API key from the upstream query, keeping every other parameter as sent', async () => {
      const key = m.apiKeys.initech;
      const cases: Array<[string, string]> = [
        [`/query?a=1&api_key=${key}&path=%2Fx%2Fy&flag&q=a%20b&plus=a+b&tilde=~&empty=`, '/query?a=1&path=%2Fx%2Fy&flag&q=a%20b&plus=a+b&tilde=~&empty='],
        [`/query?api_key=${key}&a=1`, '/query?a=1'],
        [`/query?a=1&api_key=${key}`, '/query?a=1'],
        [`/query?api_key=${key}`, '/query'],
      ];
      const seen: string[] = [];
      for (const [target] of cases) seen.push((await seenUpstream(target, [])).url);
      assert.deepEqual(seen, cases.map(([, upstreamUrl]) => upstreamUrl));
    });

    it('keeps the query API key with forwardCredentials: true', async () => {
      const target = `/query-fwd?a=1&api_key=${m.apiKeys.initech}&b=%2F`;
      assert.equal((await seenUpstream(target, [])).url, target);
    });
  });

  describe('a route with auth: [a, b]', () => {
    const both = (): string[] => [`X-API-Key: ${m.apiKeys.acme}`, `Authorization: Bearer ${token}`];

    it('takes the consumer from the first policy in the list that admits, when both would', async () => {
      const keyFirst = await seenUpstream('/key-then-jwt', both());
      assert.deepEqual(identityOf(keyFirst), { 'x-gatehouse-consumer': 'acme', 'x-gatehouse-auth': 'keys-header' });
      const jwtFirst = await seenUpstream('/jwt-then-key', both());
      assert.deepEqual(identityOf(jwtFirst), {
        'x-gatehouse-consumer': 'rs:user-42',
        'x-gatehouse-auth': 'rs',
        'x-user-id': 'user-42',
        'x-user-email': 'ada@example.test',
      });
    });

    it('admits by the second policy when the first has no credential or refuses it', async () => {
      const keyOnly = await seenUpstream('/jwt-then-key', [`X-API-Key: ${m.apiKeys.acme}`]);
      assert.deepEqual(identityOf(keyOnly), { 'x-gatehouse-consumer': 'acme', 'x-gatehouse-auth': 'keys-header' });
      const badKeyGoodToken = await seenUpstream('/key-then-jwt', ['X-API-Key: not-a-key', `Authorization: Bearer ${token}`]);
      assert.equal(badKeyGoodToken.headers['x-gatehouse-consumer'], 'rs:user-42');
    });

    it('forwards neither credential by default', async () => {
      const seen = await seenUpstream('/key-then-jwt', both());
      assert.deepEqual([seen.headers.authorization, seen.headers['x-api-key']], [undefined, undefined]);
    });

    it("removes the route's query API key even when the token admitted the request", async () => {
      const seen = await seenUpstream(`/jwt-then-query?a=1&api_key=${m.apiKeys.initech}`, [`Authorization: Bearer ${token}`]);
      assert.equal(seen.headers['x-gatehouse-consumer'], 'rs:user-42');
      assert.equal(seen.url, '/jwt-then-query?a=1');
    });
  });
});
