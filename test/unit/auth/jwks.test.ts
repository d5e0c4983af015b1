// A JWKS key set against a real JWKS server on 127.0.0.1 (SPEC §3): the first
// lookup waits for the first fetch, an unknown kid refetches at most once per
// cooldown, rotation is found by that one refetch, and a failing endpoint keeps
// the last good keys.
import assert from 'node:assert/strict';
import { DEFAULT_JWKS_TIMING, JwksKeySet, type JwksTiming, type KeyLookup } from '../../../src/auth/jwt/jwks.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { JwksServer } from '../../support/jwks-server.js';
import { ecKeyPair, rsaKeyPair, type TestKeyPair } from '../../support/tokens.js';
import { until } from '../../support/wait.js';

const kinds = (lookups: readonly KeyLookup[]): string[] => [...new Set(lookups.map((l) => l.kind))];

describe('JWKS key set', () => {
  let a: TestKeyPair;
  let b: TestKeyPair;
  let server: JwksServer;
  let sets: JwksKeySet[] = [];

  before(() => {
    a = rsaKeyPair('key-a');
    b = ecKeyPair('key-b');
  });
  beforeEach(async () => {
    server = await new JwksServer().start();
    server.setKeys([a.jwk('RS256')]);
  });
  afterEach(async () => {
    for (const set of sets) set.stop();
    sets = [];
    await server.stop();
  });

  const keySet = (timing: Partial<JwksTiming> = {}): JwksKeySet => {
    const set = new JwksKeySet(new URL(server.url), silentLogger(), { ...DEFAULT_JWKS_TIMING, ...timing });
    sets.push(set);
    return set;
  };

  describe('before its first fetch', () => {
    it('makes the first lookup wait for the first fetch', async () => {
      const set = keySet();
      const found = await set.keyFor('key-a');
      assert.equal(found.kind, 'key');
      assert.deepEqual([server.fetches, set.fetches], [1, 1]);
    });

    it('makes one fetch for 20 concurrent first lookups', async () => {
      const set = keySet();
      const found = await Promise.all(Array.from({ length: 20 }, () => set.keyFor('key-a')));
      assert.deepEqual(kinds(found), ['key']);
      assert.equal(server.fetches, 1);
    });

    it('answers unavailable while the endpoint has never answered', async () => {
      server.setDown(true);
      assert.equal((await keySet().keyFor('key-a')).kind, 'unavailable');
    });

    // Regression: a set that never loaded fetched again for every request, so an
    // endpoint down at start-up received the gateway's whole JWT traffic.
    it('fetches at most once per cooldown while it has never loaded', async () => {
      server.setDown(true);
      const set = keySet();
      const found = [];
      for (let i = 0; i < 50; i++) found.push(await set.keyFor('key-a'));
      assert.deepEqual(kinds(found), ['unavailable']);
      assert.equal(server.fetches, 1);
    });

    it('loads once the endpoint is back and the cooldown has passed', async () => {
      server.setDown(true);
      const set = keySet({ unknownKidCooldownMs: 100 });
      assert.equal((await set.keyFor('key-a')).kind, 'unavailable');
      server.setDown(false);
      await until('the key set to load', async () => ((await set.keyFor('key-a')).kind === 'key' ? true : undefined));
      assert.equal(server.fetches, 2);
    });
  });

  describe('choosing a key', () => {
    it('uses the only key for a token without kid, with the alg of its JWK', async () => {
      const found = await keySet().keyFor(null);
      assert.ok(found.kind === 'key');
      assert.equal(found.alg, 'RS256');
      assert.equal(found.key.asymmetricKeyType, 'rsa');
    });

    it('requires a kid when the set holds two keys', async () => {
      server.setKeys([a.jwk('RS256'), b.jwk('ES256')]);
      const set = keySet();
      assert.deepEqual([(await set.keyFor(null)).kind, (await set.keyFor('key-b')).kind], ['kid-required', 'key']);
    });

    it('ignores private (d), symmetric (oct) and encryption keys in the set', async () => {
      const priv = { ...a.privateKey.export({ format: 'jwk' }), kid: 'private', alg: 'RS256' };
      const oct = { kty: 'oct', k: Buffer.alloc(32, 3).toString('base64url'), kid: 'secret', alg: 'HS256' };
      const enc = { ...b.jwk('ECDH-ES'), kid: 'encryption', use: 'enc' };
      server.setKeys([priv, oct, enc, a.jwk('RS256')]);
      const set = keySet();
      const found = [await set.keyFor('private'), await set.keyFor('secret'), await set.keyFor('encryption')];
      assert.deepEqual(kinds(found), ['unknown-kid']);
      assert.equal((await set.keyFor(null)).kind, 'key', 'the one usable key needs no kid');
    });

    it('never hands out a private key, even for the kid of a public one', async () => {
      server.setKeys([{ ...a.privateKey.export({ format: 'jwk' }), kid: 'key-a' }, b.jwk('ES256')]);
      const found = await keySet().keyFor('key-a');
      assert.equal(found.kind, 'unknown-kid');
    });
  });

  describe('an unknown kid', () => {
    it('refetches once, then answers from the cache for 100 more unknown kids', async () => {
      const set = keySet();
      await set.keyFor('key-a');
      assert.equal((await set.keyFor('unknown-0')).kind, 'unknown-kid');
      assert.equal(server.fetches, 2, 'one refetch');
      const flood = await Promise.all(Array.from({ length: 100 }, (_, i) => set.keyFor(`unknown-${i + 1}`)));
      assert.deepEqual(kinds(flood), ['unknown-kid']);
      assert.equal(server.fetches, 2, 'no refetch within the 30 s cooldown');
      assert.equal((await set.keyFor('key-a')).kind, 'key');
    });

    it('makes 100 concurrent unknown kids share one refetch', async () => {
      const set = keySet();
      await set.keyFor('key-a');
      const flood = await Promise.all(Array.from({ length: 100 }, (_, i) => set.keyFor(`unknown-${i}`)));
      assert.deepEqual(kinds(flood), ['unknown-kid']);
      assert.equal(server.fetches, 2);
    });

    it('refetches again once the cooldown has passed', async () => {
      const set = keySet({ unknownKidCooldownMs: 100 });
      await set.keyFor('key-a');
      await set.keyFor('unknown');
      await set.keyFor('unknown');
      assert.equal(server.fetches, 2);
      await until('a second refetch', async () => (await set.keyFor('unknown'), server.fetches > 2 ? true : undefined));
      assert.equal(server.fetches, 3);
    });
  });

  describe('rotation', () => {
    it('finds a new kid with one refetch', async () => {
      const set = keySet();
      await set.keyFor('key-a');
      server.setKeys([b.jwk('ES256')]);
      const found = await set.keyFor('key-b');
      assert.ok(found.kind === 'key');
      assert.equal(found.key.asymmetricKeyType, 'ec');
      assert.equal(server.fetches, 2);
      assert.equal((await set.keyFor('key-a')).kind, 'unknown-kid', 'the old key is gone, and no refetch for it');
      assert.equal(server.fetches, 2);
    });

    // Regression: lookups arriving while the refetch ran were refused at once
    // (cooldown), though that very fetch brought their key.
    it('lets every concurrent lookup of the new kid find it', async () => {
      const set = keySet();
      await set.keyFor('key-a');
      server.setKeys([a.jwk('RS256'), b.jwk('ES256')]);
      const found = await Promise.all(Array.from({ length: 20 }, () => set.keyFor('key-b')));
      assert.deepEqual(kinds(found), ['key']);
      assert.equal(server.fetches, 2);
    });

    it('picks up new keys in the background once started', async () => {
      const set = keySet({ refreshEveryMs: 50 });
      set.start();
      await until('the first background fetch', () => (set.fetches >= 1 ? true : undefined));
      server.setKeys([b.jwk('ES256')]);
      // Fetches do not overlap (refresh joins one in flight): once the second fetch after
      // the rotation arrives, the first, which served the new keys, has been read.
      const before = server.fetches;
      await until('two background fetches after the rotation', () => (server.fetches > before + 1 ? true : undefined));
      const fetchesNow = server.fetches;
      assert.equal((await set.keyFor('key-b')).kind, 'key');
      assert.equal(server.fetches, fetchesNow, 'found without a fetch of its own');
    });
  });

  describe('when the endpoint goes down', () => {
    it('keeps the last good keys after a failed refresh', async () => {
      const set = keySet();
      await set.keyFor('key-a');
      server.setDown(true);
      await set.refresh();
      assert.equal(server.fetches, 2);
      assert.equal((await set.keyFor('key-a')).kind, 'key');
    });

    it('keeps them through a failed unknown-kid refetch', async () => {
      const set = keySet();
      await set.keyFor('key-a');
      server.setDown(true);
      assert.equal((await set.keyFor('key-new')).kind, 'unknown-kid');
      assert.equal(server.fetches, 2);
      assert.equal((await set.keyFor('key-a')).kind, 'key');
    });
  });
});
