// The negative corpus of the auth issue, as rows: a named request → 200 (a
// positive control) or a refusal with its reason and challenge. Requests are
// built when the row runs, so timestamps are fresh whenever the suite gets here.
import { AUDIENCE, claims, claimsWithout, INVALID_TOKEN, REALM, segment, signJwt as sign, signSegments, signWith, withHeader, withPayload, type AuthMint, type Refusal, type RefusalReason } from './auth-fixture.js';
import { hs256With, nowS, rawToken, signEdDsa } from './tokens.js';

export interface CorpusRequest {
  readonly target: string;
  readonly headers: readonly string[];
}

export interface CorpusCase {
  readonly name: string;
  readonly request: (m: AuthMint) => CorpusRequest;
  /** 200: a positive control, which must reach the upstream; else the refusal. */
  readonly expect: 200 | Refusal;
}

const ADMIT = 200;
/** A JWT route's refusal: the bare challenge when no token came, invalid_token when one was refused. */
const jwt = (reason: RefusalReason): Refusal => ({ status: 401, reason, challenge: reason === 'missing' ? REALM : INVALID_TOKEN });
/** An API-key route's refusal: no Bearer challenge. */
const key = (reason: RefusalReason): Refusal => ({ status: 401, reason, challenge: null });
const SCOPE: Refusal = { status: 403, reason: 'scope', challenge: `${REALM}, error="insufficient_scope", scope="orders:read"` };

const bearer = (name: string, target: string, token: (m: AuthMint) => string, expect: 200 | Refusal): CorpusCase => ({
  name,
  request: (m) => ({ target, headers: [`Authorization: Bearer ${token(m)}`] }),
  expect,
});
const raw = (name: string, target: string, headers: (m: AuthMint) => string[], expect: 200 | Refusal): CorpusCase => ({ name, request: (m) => ({ target, headers: headers(m) }), expect });
const query = (name: string, target: (m: AuthMint) => string, expect: 200 | Refusal): CorpusCase => ({ name, request: (m) => ({ target: target(m), headers: [] }), expect });

const rs = (m: AuthMint, payload = claims()): string => sign(payload, m.rs.privateKey, 'RS256');
const unsigned = (alg: string, signature = ''): string => rawToken({ alg, typ: 'JWT' }, claims(), signature);
const parts = (token: string): [string, string, string] => token.split('.') as [string, string, string];

const JWT_RS: CorpusCase[] = [
  bearer('RS256 policy: a valid token (control)', '/rs', (m) => rs(m), ADMIT),
  raw('RS256 policy: lower-case "bearer" scheme (control, RFC 6750 §2.1)', '/rs', (m) => [`authorization: bearer ${rs(m)}`], ADMIT),
  bearer('RS256 policy: aud list holding one accepted audience (control)', '/rs', (m) => rs(m, claims({ aud: ['other-api', AUDIENCE[1]] })), ADMIT),
  bearer('RS256 policy: iat 2 s ahead, within the 5 s tolerance (control)', '/rs', (m) => rs(m, claims({ iat: nowS() + 2 })), ADMIT),
  raw('no Authorization header', '/rs', () => [], jwt('missing')),
  raw('Authorization: Basic instead of Bearer', '/rs', () => ['Authorization: Basic dXNlcjpwYXNz'], jwt('missing')),
  raw('"Bearer" with no token', '/rs', () => ['Authorization: Bearer'], { status: 401, reason: 'malformed', challenge: /^Bearer realm="gatehouse"/ }),
  raw('two Authorization headers, both valid', '/rs', (m) => [`Authorization: Bearer ${rs(m)}`, `Authorization: Bearer ${rs(m)}`], jwt('malformed')),
  query('a valid token in the query string only', (m) => `/rs?access_token=${rs(m)}`, jwt('missing')),
  bearer('alg none, no signature', '/rs', () => unsigned('none'), jwt('algorithm')),
  bearer('alg none with a signature', '/rs', (m) => unsigned('none', parts(rs(m))[2]), jwt('algorithm')),
  bearer('alg None, no signature', '/rs', () => unsigned('None'), jwt('algorithm')),
  bearer('alg NONE with a signature', '/rs', () => unsigned('NONE', 'c2lnbmF0dXJl'), jwt('algorithm')),
  bearer('alg nOnE, no signature', '/rs', () => unsigned('nOnE'), jwt('algorithm')),
  bearer('HS256 signed with the RSA public key PEM as the secret', '/rs', (m) => hs256With(m.rs.publicPem, { alg: 'HS256', typ: 'JWT' }, claims()), jwt('algorithm')),
  bearer('PS256 (the policy says RS256), same RSA key', '/rs', (m) => sign(claims(), m.rs.privateKey, 'PS256'), jwt('algorithm')),
  bearer('ES256 (the policy says RS256)', '/rs', (m) => sign(claims(), m.es.privateKey, 'ES256'), jwt('algorithm')),
  bearer('signed by a key no policy trusts', '/rs', (m) => sign(claims(), m.attackerRsa.privateKey, 'RS256'), jwt('signature')),
  bearer("the JWKS policy's key and kid", '/rs', (m) => sign(claims(), m.jwksRsa.privateKey, 'RS256', m.jwksRsa.kid), jwt('signature')),
  bearer('its own public key embedded as a jwk header', '/rs', (m) => signWith('RS256', m.attackerRsa.privateKey, { jwk: m.attackerRsa.jwk('RS256') }, claims()), jwt('signature')),
  bearer('a crit header', '/rs', (m) => signWith('RS256', m.rs.privateKey, { crit: ['b64'], b64: true }, claims()), jwt('algorithm')),
  bearer('a numeric kid', '/rs', (m) => signWith('RS256', m.rs.privateKey, { kid: 7 }, claims()), jwt('malformed')),
  bearer('expired an hour ago', '/rs', (m) => rs(m, claims({ iat: nowS() - 7200, exp: nowS() - 3600 })), jwt('expired')),
  bearer('expired 10 s ago (beyond the 5 s tolerance)', '/rs', (m) => rs(m, claims({ exp: nowS() - 10 })), jwt('expired')),
  bearer('no exp (requireExp defaults to true)', '/rs', (m) => rs(m, claimsWithout('exp')), jwt('expired')),
  bearer('nbf a minute in the future', '/rs', (m) => rs(m, claims({ nbf: nowS() + 60 })), jwt('not-yet-valid')),
  bearer('iat a minute in the future', '/rs', (m) => rs(m, claims({ iat: nowS() + 60 })), jwt('not-yet-valid')),
  bearer('wrong iss', '/rs', (m) => rs(m, claims({ iss: 'https://id.evil.test/' })), jwt('claims')),
  bearer('no iss', '/rs', (m) => rs(m, claimsWithout('iss')), jwt('claims')),
  bearer('wrong aud', '/rs', (m) => rs(m, claims({ aud: 'admin-api' })), jwt('claims')),
  bearer('no sub', '/rs', (m) => rs(m, claimsWithout('sub')), jwt('claims')),
  bearer('tampered payload (sub changed, signature kept)', '/rs', (m) => withPayload(rs(m), claims({ sub: 'admin' })), jwt('signature')),
  bearer('tampered header (kid added, signature kept)', '/rs', (m) => withHeader(rs(m), { alg: 'RS256', typ: 'JWT', kid: m.rs.kid }), jwt('signature')),
  bearer('truncated signature', '/rs', (m) => rs(m).slice(0, -8), jwt('signature')),
  bearer('truncated to two segments', '/rs', (m) => parts(rs(m)).slice(0, 2).join('.'), jwt('malformed')),
  bearer('an empty signature', '/rs', (m) => `${parts(rs(m)).slice(0, 2).join('.')}.`, jwt('malformed')),
  bearer('four segments', '/rs', (m) => `${rs(m)}.${parts(rs(m))[2]}`, jwt('malformed')),
  bearer('base64 padding after the signature', '/rs', (m) => `${rs(m)}==`, jwt('malformed')),
  bearer('standard-base64 characters (+ and /) in a segment', '/rs', (m) => `${rs(m).replace(/-/g, '+').replace(/_/g, '/')}+/`, jwt('malformed')),
  bearer('a character outside base64 (!)', '/rs', (m) => `${rs(m)}!`, jwt('malformed')),
  bearer('a header that is not JSON', '/rs', (m) => signSegments('RS256', m.rs.privateKey, segment('not json'), segment(claims())), jwt('malformed')),
  bearer('a payload that is not JSON', '/rs', (m) => signSegments('RS256', m.rs.privateKey, segment({ alg: 'RS256', typ: 'JWT' }), segment('not json')), jwt('malformed')),
  bearer('a 10 KiB token, honestly signed', '/rs', (m) => rs(m, claims({ pad: 'x'.repeat(10 * 1024) })), jwt('malformed')),
];

const JWT_OTHERS: CorpusCase[] = [
  bearer('PS256 policy: a valid token (control)', '/ps', (m) => sign(claims(), m.ps.privateKey, 'PS256'), ADMIT),
  bearer('PS256 policy: RS256 with its own key', '/ps', (m) => sign(claims(), m.ps.privateKey, 'RS256'), jwt('algorithm')),
  bearer('PS256 policy: signed by an untrusted key', '/ps', (m) => signWith('PS256', m.attackerRsa.privateKey, {}, claims()), jwt('signature')),
  bearer('ES256 policy: a valid token (control)', '/es', (m) => sign(claims(), m.es.privateKey, 'ES256'), ADMIT),
  bearer('ES256 policy: RS256', '/es', (m) => rs(m), jwt('algorithm')),
  bearer('ES256 policy: ES384 on a P-384 key', '/es', (m) => sign(claims(), m.es384.privateKey, 'ES384'), jwt('algorithm')),
  bearer('ES256 policy: signed by an untrusted P-256 key', '/es', (m) => sign(claims(), m.attackerEc.privateKey, 'ES256'), jwt('signature')),
  bearer('HS256 policy: a valid token (control)', '/hs', (m) => sign(claims(), m.hsSecret, 'HS256'), ADMIT),
  bearer('HS256 policy: another secret', '/hs', (m) => sign(claims(), `${m.hsSecret}-but-not-quite`, 'HS256'), jwt('signature')),
  bearer('HS256 policy: signed with an RSA public key PEM', '/hs', (m) => hs256With(m.rs.publicPem, { alg: 'HS256', typ: 'JWT' }, claims()), jwt('signature')),
  bearer('HS256 policy: HS512 with the right secret', '/hs', (m) => sign(claims(), m.hsSecret, 'HS512'), jwt('algorithm')),
  bearer('HS256 policy: RS256', '/hs', (m) => rs(m), jwt('algorithm')),
  bearer('JWKS policy: RSA key by kid (control)', '/jwks', (m) => sign(claims(), m.jwksRsa.privateKey, 'RS256', m.jwksRsa.kid), ADMIT),
  bearer('JWKS policy: EC key by kid (control)', '/jwks', (m) => sign(claims(), m.jwksEc.privateKey, 'ES256', m.jwksEc.kid), ADMIT),
  bearer('JWKS policy: unknown kid', '/jwks', (m) => sign(claims(), m.jwksRsa.privateKey, 'RS256', 'rotated-away'), jwt('unknown-key')),
  bearer("JWKS policy: the kid of another policy's key", '/jwks', (m) => sign(claims(), m.rs.privateKey, 'RS256', m.rs.kid), jwt('unknown-key')),
  bearer('JWKS policy: no kid with two keys in the set', '/jwks', (m) => sign(claims(), m.jwksRsa.privateKey, 'RS256'), jwt('unknown-key')),
  bearer("JWKS policy: ES256 naming the RSA key's kid", '/jwks', (m) => sign(claims(), m.jwksEc.privateKey, 'ES256', m.jwksRsa.kid), jwt('algorithm')),
  bearer('JWKS policy: the right kid, an untrusted key', '/jwks', (m) => sign(claims(), m.attackerRsa.privateKey, 'RS256', m.jwksRsa.kid), jwt('signature')),
  bearer('JWKS policy: a jku header pointing elsewhere', '/jwks', (m) => signWith('RS256', m.attackerRsa.privateKey, { kid: m.attackerRsa.kid, jku: 'http://127.0.0.1:9/jwks.json' }, claims()), jwt('unknown-key')),
  bearer('EdDSA policy: a valid token (control)', '/ed', (m) => signEdDsa(claims(), m.ed.privateKey), ADMIT),
  bearer('EdDSA policy: signed by an untrusted key', '/ed', (m) => signEdDsa(claims(), m.attackerEd.privateKey), jwt('signature')),
  bearer('EdDSA policy: tampered payload', '/ed', (m) => withPayload(signEdDsa(claims(), m.ed.privateKey), claims({ sub: 'admin' })), jwt('signature')),
  bearer('EdDSA policy: truncated signature', '/ed', (m) => signEdDsa(claims(), m.ed.privateKey).slice(0, -8), jwt('signature')),
  bearer('EdDSA policy: alg none', '/ed', () => unsigned('none'), jwt('algorithm')),
  bearer('EdDSA policy: expired', '/ed', (m) => signEdDsa(claims({ exp: nowS() - 60 }), m.ed.privateKey), jwt('expired')),
  bearer('EdDSA policy: no exp', '/ed', (m) => signEdDsa(claimsWithout('exp'), m.ed.privateKey), jwt('expired')),
  bearer('EdDSA policy: nbf in the future', '/ed', (m) => signEdDsa(claims({ nbf: nowS() + 60 }), m.ed.privateKey), jwt('not-yet-valid')),
  bearer('EdDSA policy: iat in the future', '/ed', (m) => signEdDsa(claims({ iat: nowS() + 60 }), m.ed.privateKey), jwt('not-yet-valid')),
  bearer('EdDSA policy: wrong aud', '/ed', (m) => signEdDsa(claims({ aud: 'admin-api' }), m.ed.privateKey), jwt('claims')),
  bearer('scoped route: scope orders:read among others (control)', '/scoped', (m) => rs(m, claims({ scope: 'profile orders:read' })), ADMIT),
  bearer('scoped route: scp array holding orders:read (control)', '/scoped', (m) => rs(m, claims({ scp: ['orders:read'] })), ADMIT),
  raw('scoped route: no token', '/scoped', () => [], jwt('missing')),
  bearer('scoped route: expired token with the scope', '/scoped', (m) => rs(m, claims({ scope: 'orders:read', exp: nowS() - 60 })), jwt('expired')),
  bearer('scoped route: no scope claim', '/scoped', (m) => rs(m), SCOPE),
  bearer('scoped route: another scope', '/scoped', (m) => rs(m, claims({ scope: 'orders:write' })), SCOPE),
  bearer('scoped route: a scope that merely starts with orders:read', '/scoped', (m) => rs(m, claims({ scope: 'orders:read-all' })), SCOPE),
  bearer('scoped route: scp array without orders:read', '/scoped', (m) => rs(m, claims({ scp: ['orders:write'] })), SCOPE),
];

const API_KEYS: CorpusCase[] = [
  raw('header key policy: a valid key (control)', '/key-header', (m) => [`X-API-Key: ${m.apiKeys.acme}`], ADMIT),
  raw('header key policy: optional whitespace around the value, stripped by HTTP (control, RFC 9110 §5.5)', '/key-header', (m) => [`x-api-key: \t ${m.apiKeys.acme} \t`], ADMIT),
  raw('header key policy: no key', '/key-header', () => [], key('missing')),
  raw('header key policy: an unknown key', '/key-header', () => ['X-API-Key: gh_unknown_000000000000000000000000'], key('unknown-api-key')),
  raw('header key policy: an empty key', '/key-header', () => ['X-API-Key:'], key('malformed')),
  raw('header key policy: a 2 KiB key', '/key-header', () => [`X-API-Key: ${'k'.repeat(2048)}`], key('malformed')),
  raw('header key policy: two key headers, both valid', '/key-header', (m) => [`X-API-Key: ${m.apiKeys.acme}`, `X-API-Key: ${m.apiKeys.acme}`], key('malformed')),
  raw('header key policy: a tab inside the key', '/key-header', (m) => [`X-API-Key: ${m.apiKeys.acme.slice(0, 8)}\t${m.apiKeys.acme.slice(8)}`], key('unknown-api-key')),
  raw('header key policy: a trailing garbage character', '/key-header', (m) => [`X-API-Key: ${m.apiKeys.acme}~`], key('unknown-api-key')),
  raw('header key policy: the key upper-cased', '/key-header', (m) => [`X-API-Key: ${m.apiKeys.acme.toUpperCase()}`], key('unknown-api-key')),
  raw("header key policy: the query policy's key", '/key-header', (m) => [`X-API-Key: ${m.apiKeys.initech}`], key('unknown-api-key')),
  raw('header key policy: a valid JWT instead of a key', '/key-header', (m) => [`Authorization: Bearer ${rs(m)}`], key('missing')),
  query('header key policy: the key in the query as api_key', (m) => `/key-header?api_key=${m.apiKeys.acme}`, key('missing')),
  query('header key policy: the key in the query as X-API-Key', (m) => `/key-header?X-API-Key=${m.apiKeys.acme}`, key('missing')),
  query('query key policy: a valid key (control)', (m) => `/key-query?api_key=${m.apiKeys.initech}`, ADMIT),
  query('query key policy: no key', () => '/key-query?other=1', key('missing')),
  query('query key policy: spaces around the key (%20)', (m) => `/key-query?api_key=%20${m.apiKeys.initech}%20`, key('unknown-api-key')),
  query('query key policy: spaces around the key (+)', (m) => `/key-query?api_key=+${m.apiKeys.initech}+`, key('unknown-api-key')),
  query('query key policy: a tab before the key', (m) => `/key-query?api_key=%09${m.apiKeys.initech}`, key('unknown-api-key')),
  query('query key policy: an empty key', () => '/key-query?api_key=', key('malformed')),
  query('query key policy: the parameter twice', (m) => `/key-query?api_key=${m.apiKeys.initech}&api_key=${m.apiKeys.initech}`, key('malformed')),
  query('query key policy: the parameter name in another case', (m) => `/key-query?API_KEY=${m.apiKeys.initech}`, key('missing')),
  query("query key policy: the header policy's key", (m) => `/key-query?api_key=${m.apiKeys.acme}`, key('unknown-api-key')),
  raw('query key policy: the key in a header', '/key-query', (m) => [`X-API-Key: ${m.apiKeys.initech}`, `api_key: ${m.apiKeys.initech}`], key('missing')),
];

export const CORPUS: readonly CorpusCase[] = [...JWT_RS, ...JWT_OTHERS, ...API_KEYS];
