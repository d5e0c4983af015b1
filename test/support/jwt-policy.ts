// JWT and API-key policy specs for unit tests, as the config loader would
// produce them (defaults of SPEC §3), with any field overridden.
import type { ApiKeyPolicySpec, JwtPolicySpec } from '../../src/config/types.js';
import type { KeyLookup } from '../../src/auth/jwt/jwks.js';
import type { KeySource } from '../../src/auth/jwt/verifier.js';
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

const POSITION = { file: 'policies/test.yaml', line: 1, col: 1 };

export function jwtSpec(overrides: Partial<JwtPolicySpec> = {}): JwtPolicySpec {
  return {
    type: 'jwt',
    name: 'test',
    position: POSITION,
    algorithms: ['RS256'],
    key: { kind: 'jwks', uri: new URL('http://127.0.0.1:1/jwks.json') },
    issuer: null,
    audience: null,
    clockToleranceMs: 0,
    requireExp: true,
    forwardClaims: {},
    ...overrides,
  };
}

export function apiKeySpec(overrides: Partial<ApiKeyPolicySpec> = {}): ApiKeyPolicySpec {
  return { type: 'apiKey', name: 'partners', position: POSITION, in: 'header', paramName: 'x-api-key', keys: [], keysFile: null, ...overrides };
}

/** A KeySource that always answers `key` (alg: null) and counts its lookups. */
export class CountingKeySource implements KeySource {
  lookups = 0;
  readonly #found: KeyLookup;

  constructor(key: KeyObject, alg: string | null = null) {
    this.#found = { kind: 'key', key, alg };
  }

  keyFor(): KeyLookup {
    this.lookups++;
    return this.#found;
  }
}

/**
 * jsonwebtoken signing that signs exactly `payload`. tokens.ts's `sign` passes
 * `keyid: undefined` when no kid is given, which jsonwebtoken 9 refuses
 * ('"keyid" must be a string'), and its `noTimestamp: true` deletes the payload's
 * own iat. Here a given iat is kept, and none is added when there is none.
 */
export { signJwt } from './tokens.js';
