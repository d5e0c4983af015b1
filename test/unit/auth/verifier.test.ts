// One JWT policy's verifier with static keys (SPEC §3): each algorithm family
// verifies, the cache answers a repeated token without a second check, and the
// refusals carry the reason the metric and the 401 report.
import assert from 'node:assert/strict';
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { KeyLookup } from '../../../src/auth/jwt/jwks.js';
import { JwtVerifier, type KeySource } from '../../../src/auth/jwt/verifier.js';
import { CountingKeySource, jwtSpec, signJwt as sign } from '../../support/jwt-policy.js';
import { ecKeyPair, edKeyPair, hs256With, rawToken, rsaKeyPair, signEdDsa, type TestKeyPair } from '../../support/tokens.js';

const NOW = 1_700_000_000;
const SECRET = 'an-hs256-secret-of-at-least-32-bytes-0123';
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ sub: 'user-42', iat: NOW, exp: NOW + 600, ...extra });
const reasonOf = async (verifier: JwtVerifier, token: string): Promise<string> => {
  const verdict = await verifier.verify(token);
  return verdict.ok ? `ok ${verdict.value.subject}` : verdict.reason;
};

describe('JWT verifier (static keys)', () => {
  let rsa: TestKeyPair;
  let p256: TestKeyPair;
  let p384: TestKeyPair;
  let ed: TestKeyPair;
  const secret = createSecretKey(Buffer.from(SECRET, 'utf8'));

  before(() => {
    rsa = rsaKeyPair('rsa');
    p256 = ecKeyPair('p256');
    p384 = ecKeyPair('p384', 'secp384r1');
    ed = edKeyPair('ed');
  });

  /** A verifier for one algorithm with the key that fits it, and a token signer. */
  function setup(alg: string): { verifier: JwtVerifier; keys: CountingKeySource; token: (payload: Record<string, unknown>) => string } {
    const pairs: Record<string, () => [KeyObject, (p: Record<string, unknown>) => string]> = {
      RS256: () => [rsa.publicKey, (p) => sign(p, rsa.privateKey, 'RS256')],
      PS256: () => [rsa.publicKey, (p) => sign(p, rsa.privateKey, 'PS256')],
      ES256: () => [p256.publicKey, (p) => sign(p, p256.privateKey, 'ES256')],
      ES384: () => [p384.publicKey, (p) => sign(p, p384.privateKey, 'ES384')],
      HS256: () => [secret, (p) => sign(p, secret, 'HS256')],
      EdDSA: () => [ed.publicKey, (p) => signEdDsa(p, ed.privateKey)],
    };
    const [key, token] = (pairs[alg] as () => [KeyObject, (p: Record<string, unknown>) => string])();
    const keys = new CountingKeySource(key);
    return { verifier: new JwtVerifier(jwtSpec({ algorithms: [alg] }), keys, () => NOW), keys, token };
  }

  describe('a good token', () => {
    for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'HS256', 'EdDSA']) {
      it(`verifies ${alg} and names the subject, claims and scopes`, async () => {
        const { verifier, token } = setup(alg);
        const verdict = await verifier.verify(token(claims({ scope: 'orders:read profile:read' })));
        assert.ok(verdict.ok, `refused: ${verdict.ok ? '' : verdict.reason}`);
        assert.equal(verdict.value.subject, 'user-42');
        assert.equal(verdict.value.claims.exp, NOW + 600);
        assert.deepEqual([...verdict.value.scopes], ['orders:read', 'profile:read']);
        verifier.close();
      });

      it(`refuses ${alg} whose signature was made over another payload`, async () => {
        const { verifier, token } = setup(alg);
        const [head, body] = token(claims()).split('.');
        const otherSignature = token(claims({ sub: 'someone-else' })).split('.')[2] as string;
        assert.equal(await reasonOf(verifier, `${head}.${body}.${otherSignature}`), 'signature');
        verifier.close();
      });
    }
  });

  describe('the token cache', () => {
    it('answers a repeated token with the same identity without looking up a key again', async () => {
      const { verifier, keys, token } = setup('RS256');
      const t = token(claims());
      const first = await verifier.verify(t);
      const second = await verifier.verify(t);
      assert.ok(first.ok && second.ok);
      assert.equal(second.value, first.value, 'the very same identity object');
      assert.equal(keys.lookups, 1);
      verifier.close();
    });

    it('does not cache an expired token', async () => {
      const { verifier, keys, token } = setup('ES256');
      const t = token(claims({ exp: NOW - 1 }));
      assert.equal(await reasonOf(verifier, t), 'expired');
      assert.equal(await reasonOf(verifier, t), 'expired');
      assert.equal(keys.lookups, 2);
      verifier.close();
    });

    it('does not cache a token without exp (requireExp: false)', async () => {
      const keys = new CountingKeySource(secret);
      const verifier = new JwtVerifier(jwtSpec({ algorithms: ['HS256'], requireExp: false }), keys, () => NOW);
      const t = sign({ sub: 'u' }, secret, 'HS256');
      assert.equal(await reasonOf(verifier, t), 'ok u');
      assert.equal(await reasonOf(verifier, t), 'ok u');
      assert.equal(keys.lookups, 2);
      verifier.close();
    });

    // Regression: node-cache's TTL is whole seconds from Date.now(), so a cached
    // token was served for up to a second after its exp.
    it('refuses a cached token once its exp is reached', async () => {
      let now = NOW;
      const keys = new CountingKeySource(secret);
      const verifier = new JwtVerifier(jwtSpec({ algorithms: ['HS256'] }), keys, () => now);
      const t = sign(claims({ exp: NOW + 2 }), secret, 'HS256');
      assert.equal(await reasonOf(verifier, t), 'ok user-42');
      now = NOW + 1;
      assert.equal(await reasonOf(verifier, t), 'ok user-42');
      assert.equal(keys.lookups, 1, 'answered from the cache before exp');
      now = NOW + 2;
      assert.equal(await reasonOf(verifier, t), 'expired');
      verifier.close();
    });
  });

  describe('refusals', () => {
    it('requires a subject: none, empty or not a string', async () => {
      const { verifier, token } = setup('HS256');
      const { sub: _ignored, ...noSub } = claims();
      assert.deepEqual(
        [await reasonOf(verifier, token(noSub)), await reasonOf(verifier, token(claims({ sub: '' }))), await reasonOf(verifier, token(claims({ sub: 42 })))],
        ['claims', 'claims', 'claims'],
      );
      verifier.close();
    });

    // Regression: such a signed token was answered 502 'upstream failed' (node refused
    // the X-Gatehouse-Consumer value) though no upstream was asked.
    it('refuses a subject that cannot be a header value: CR LF, NUL, DEL, past U+00FF', async () => {
      const { verifier, token } = setup('HS256');
      const reasons = [];
      for (const sub of ['a\r\nX-Evil: 1', 'a\u0000b', 'a\u007fb', 'user-日本']) reasons.push(await reasonOf(verifier, token(claims({ sub }))));
      assert.deepEqual(reasons, ['claims', 'claims', 'claims', 'claims']);
      assert.equal(await reasonOf(verifier, token(claims({ sub: 'auth0|tab\there-ünï' }))), 'ok auth0|tab\there-ünï');
      verifier.close();
    });

    it("refuses an algorithm the policy does not list, and 'none' even if listed", async () => {
      const keys = new CountingKeySource(rsa.publicKey);
      const verifier = new JwtVerifier(jwtSpec({ algorithms: ['RS256', 'none', 'NONE'] }), keys, () => NOW);
      const reasons = [];
      for (const alg of ['none', 'NONE', 'nOnE', 'RS384']) reasons.push(await reasonOf(verifier, rawToken({ alg }, claims(), 'c2ln')));
      assert.deepEqual(reasons, ['algorithm', 'algorithm', 'algorithm', 'algorithm']);
      assert.equal(keys.lookups, 0, 'refused before any key is chosen');
      verifier.close();
    });

    it('refuses the HS/RS confusion: an HS256 token MACed with the public PEM', async () => {
      const verifier = new JwtVerifier(jwtSpec({ algorithms: ['RS256', 'HS256'] }), new CountingKeySource(rsa.publicKey), () => NOW);
      assert.equal(await reasonOf(verifier, hs256With(rsa.publicPem, { alg: 'HS256', typ: 'JWT' }, claims())), 'algorithm');
      verifier.close();
    });

    it("refuses a token whose alg differs from its JWK's alg", async () => {
      const verifier = new JwtVerifier(jwtSpec({ algorithms: ['RS256', 'PS256'] }), new CountingKeySource(rsa.publicKey, 'PS256'), () => NOW);
      assert.equal(await reasonOf(verifier, sign(claims(), rsa.privateKey, 'RS256')), 'algorithm');
      verifier.close();
    });

    it('refuses a header with crit before any key is chosen', async () => {
      const { verifier, keys } = setup('HS256');
      assert.equal(await reasonOf(verifier, hs256With(SECRET, { alg: 'HS256', crit: ['exp'] }, claims())), 'algorithm');
      assert.equal(keys.lookups, 0);
      verifier.close();
    });

    const lookups: Array<[KeyLookup['kind'], string]> = [
      ['unknown-kid', 'unknown-key'],
      ['kid-required', 'unknown-key'],
      ['unavailable', 'keys-unavailable'],
    ];
    for (const [kind, reason] of lookups) {
      it(`answers ${reason} when the key source says ${kind}`, async () => {
        const source: KeySource = { keyFor: () => ({ kind }) as KeyLookup };
        const verifier = new JwtVerifier(jwtSpec({ algorithms: ['RS256'] }), source, () => NOW);
        assert.equal(await reasonOf(verifier, sign(claims(), rsa.privateKey, 'RS256', 'k1')), reason);
        verifier.close();
      });
    }

    it('passes the kid of the header to the key source', async () => {
      const asked: Array<string | null> = [];
      const source: KeySource = { keyFor: (kid) => (asked.push(kid), { kind: 'key', key: rsa.publicKey, alg: null }) };
      const verifier = new JwtVerifier(jwtSpec({ algorithms: ['RS256'] }), source, () => NOW);
      await verifier.verify(sign(claims(), rsa.privateKey, 'RS256', 'key-7'));
      await verifier.verify(sign(claims({ n: 2 }), rsa.privateKey, 'RS256'));
      assert.deepEqual(asked, ['key-7', null]);
      verifier.close();
    });
  });
});
