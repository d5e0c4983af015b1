import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { PUBLIC_ROUTE, useConfigTree } from './fixture.js';

const SECRET = 'x'.repeat(32);

function publicPem(type: 'rsa' | 'ec'): string {
  const { publicKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

describe('config loading: policies', () => {
  const tree = useConfigTree();
  beforeEach(() => tree().write('routes/r.yaml', PUBLIC_ROUTE));

  describe('jwt', () => {
    it('reports algorithm none, in any casing, at the list item', async () => {
      tree().write('policies/p.yaml', `
        auth:
          mobile:
            type: jwt
            algorithms: [RS256, NONE]
            jwksUri: https://id.example.com/jwks
      `);
      assert.deepEqual(await tree().problems(), ['policies/p.yaml:4:25: algorithm none is never accepted']);
    });

    it('reports a secretEnv variable shorter than 32 bytes at secretEnv', async () => {
      tree().write('policies/p.yaml', `
        auth:
          internal:
            type: jwt
            algorithms: [HS256]
            secretEnv: INTERNAL_SECRET
      `);
      assert.deepEqual(await tree().problems({ env: { INTERNAL_SECRET: 'short' } }), [
        'policies/p.yaml:5:16: environment variable INTERNAL_SECRET holds 5 bytes; an HS secret needs at least 32',
      ]);
    });

    it('reports an unset secretEnv variable', async () => {
      tree().write('policies/p.yaml', 'auth:\n  i: { type: jwt, algorithms: [HS256], secretEnv: NOPE }\n');
      assert.deepEqual(await tree().problems(), ['policies/p.yaml:2:51: environment variable NOPE is not set']);
    });

    it('refuses HS algorithms without secretEnv and others with it, so HS/RS cannot be confused', async () => {
      tree().write('policies/p.yaml', `
        auth:
          a: { type: jwt, algorithms: [RS256, HS256], jwksUri: "https://id/jwks" }
          b: { type: jwt, algorithms: [HS256, RS256], secretEnv: S }
      `);
      assert.deepEqual(await tree().problems({ env: { S: SECRET } }), [
        'policies/p.yaml:2:39: algorithm HS256 needs secretEnv (an HMAC key never comes from a public key)',
        'policies/p.yaml:3:39: algorithm RS256 cannot be used with secretEnv (only HS256, HS384, HS512 can)',
      ]);
    });

    it('requires exactly one key source', async () => {
      tree().write('policies/p.yaml', `
        auth:
          none: { type: jwt, algorithms: [RS256] }
          two: { type: jwt, algorithms: [RS256], jwksUri: "https://id/jwks", publicKey: "x" }
      `);
      assert.deepEqual(await tree().problems(), [
        'policies/p.yaml:2:9: jwt policy needs one key source: jwksUri, publicKey, publicKeyFile or secretEnv',
        'policies/p.yaml:3:70: jwt policy has both jwksUri and publicKey; use exactly one key source',
      ]);
    });

    it('reads a publicKeyFile relative to the policy file and checks it fits the algorithms', async () => {
      tree().write('policies/keys/id.pem', publicPem('ec'));
      tree().write('policies/p.yaml', 'auth:\n  m: { type: jwt, algorithms: [ES256, RS256], publicKeyFile: keys/id.pem }\n');
      assert.deepEqual(await tree().problems(), ['policies/p.yaml:2:39: algorithm RS256 does not fit the ec prime256v1 public key']);
    });

    it('refuses a publicKeyFile that is missing or not a public key', async () => {
      tree().write('policies/keys/bad.pem', 'not a key');
      tree().write('policies/p.yaml', `
        auth:
          a: { type: jwt, algorithms: [RS256], publicKeyFile: keys/missing.pem }
          b: { type: jwt, algorithms: [RS256], publicKeyFile: keys/bad.pem }
      `);
      const problems = await tree().problems();
      assert.equal(problems.length, 2);
      assert.equal(problems[0], 'policies/p.yaml:2:55: cannot read publicKeyFile policies/keys/missing.pem: no such file');
      assert.match(problems[1] ?? '', /^policies\/p\.yaml:3:55: publicKeyFile policies\/keys\/bad\.pem is not a PEM public key/);
    });

    it('refuses a clock tolerance above 5m and a reserved forwarded header', async () => {
      tree().write('policies/p.yaml', `
        auth:
          m:
            type: jwt
            algorithms: [RS256]
            jwksUri: https://id/jwks
            clockTolerance: 6m
            forwardClaims: { sub: X-Gatehouse-User }
      `);
      assert.deepEqual(await tree().problems(), [
        'policies/p.yaml:6:21: clockTolerance must be at most 5m',
        'policies/p.yaml:7:27: header X-Gatehouse-User is reserved for the gateway (x-gatehouse-*)',
      ]);
    });
  });

  describe('apiKey', () => {
    it('reports a problem inside a keysFile at its position in that file', async () => {
      tree().write('policies/p.yaml', 'auth:\n  partners: { type: apiKey, keysFile: keys/partners.yaml }\n');
      tree().write('policies/keys/partners.yaml', `
        keys:
          - id: acme
            hash: sha256:abc
          - id: acme
            hash: sha256:${'a'.repeat(64)}
            plan: gold
      `);
      assert.deepEqual(await tree().problems(), [
        'policies/keys/partners.yaml:3:11: hash must be sha256:<64 hex digits> (see `gatehouse keys hash`)',
        'policies/keys/partners.yaml:4:9: key id "acme" is listed twice',
        'policies/keys/partners.yaml:6:5: unknown key "plan" (expected one of: id, hash, rateLimit)',
      ]);
    });

    it('reports duplicate ids and unknown per-key rate limits', async () => {
      tree().write('policies/p.yaml', `
        auth:
          partners:
            type: apiKey
            keys:
              - { id: acme, hash: "sha256:${'a'.repeat(64)}" }
              - { id: acme, hash: "sha256:${'b'.repeat(64)}", rateLimit: gold }
      `);
      assert.deepEqual(await tree().problems(), [
        'policies/p.yaml:6:15: key id "acme" is listed twice',
        'policies/p.yaml:6:113: unknown rate limit policy "gold"',
      ]);
    });

    it('refuses both keys and keysFile, and neither', async () => {
      tree().write('policies/p.yaml', `
        auth:
          both: { type: apiKey, keys: [], keysFile: k.yaml }
          neither: { type: apiKey }
      `);
      assert.deepEqual(await tree().problems(), [
        'policies/p.yaml:2:35: apiKey policy has both keys and keysFile; use one',
        'policies/p.yaml:3:12: apiKey policy needs keys or keysFile',
      ]);
    });

    it('reports an unknown policy type at the type', async () => {
      tree().write('policies/p.yaml', 'auth:\n  x: { type: basic }\n');
      assert.deepEqual(await tree().problems(), ['policies/p.yaml:2:14: type must be one of: jwt, apiKey']);
    });
  });

  describe('rateLimits and cors', () => {
    it('refuses cors origins ["*"] with credentials, at credentials', async () => {
      tree().write('policies/p.yaml', `
        cors:
          open:
            origins: ["*"]
            credentials: true
      `);
      assert.deepEqual(await tree().problems(), [
        'policies/p.yaml:4:18: credentials: true cannot be used with origins ["*"]; list the origins',
      ]);
    });

    it('refuses an origin with a path, a bad key and a zero request count', async () => {
      tree().write('policies/p.yaml', `
        cors:
          app: { origins: ["https://app.example.com/"] }
        rateLimits:
          r: { key: "header:", limits: [{ requests: 1, per: 1s }] }
          r2: { key: ip, limits: [{ requests: 0, per: 1s }] }
      `);
      assert.deepEqual(await tree().problems(), [
        'policies/p.yaml:2:20: origin "https://app.example.com/" must be "*" or scheme://host[:port] (no path, not even "/")',
        'policies/p.yaml:4:13: key "header:" must be ip, consumer, route, header:NAME or claim:NAME',
        'policies/p.yaml:5:39: requests must be >= 1',
      ]);
    });

    it('reports a cors exposeHeaders entry that is no header name at that entry, like headers', async () => {
      tree().write('policies/p.yaml', `
        cors:
          app:
            origins: ["https://app.example.com"]
            exposeHeaders: [X-Trace, "Bad Header"]
      `);
      assert.deepEqual(await tree().problems(), ['policies/p.yaml:4:30: "Bad Header" is not a valid header name']);
    });

    it('refuses cors exposeHeaders ["*"] with credentials: true (a browser would read it as a header named "*")', async () => {
      tree().write('policies/p.yaml', `
        cors:
          app:
            origins: ["https://app.example.com"]
            credentials: true
            exposeHeaders: ["*"]
      `);
      assert.deepEqual(await tree().problems(), [
        'policies/p.yaml:5:21: exposeHeaders "*" exposes nothing with credentials: true (browsers read it as a header named "*"); list the headers',
      ]);
    });

    it('reports a name defined in two files at the second, naming the first', async () => {
      tree().write('policies/a.yaml', 'rateLimits:\n  r: { key: ip, limits: [{ requests: 1, per: 1s }] }\n');
      tree().write('policies/b.yaml', 'rateLimits:\n  r: { key: ip, limits: [{ requests: 2, per: 1s }] }\n');
      assert.deepEqual(await tree().problems(), ['policies/b.yaml:2:3: duplicate rate limit policy "r" (first defined at policies/a.yaml:2:3)']);
    });

    it('reserves the auth policy name public', async () => {
      tree().write('policies/a.yaml', 'auth:\n  public: { type: apiKey, keys: [] }\n');
      assert.deepEqual(await tree().problems(), ['policies/a.yaml:2:3: auth policy name "public" is reserved (auth: public means no auth)']);
    });
  });
});
