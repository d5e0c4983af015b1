// Why a credential was refused: a small fixed set, so the metric
// gatehouse_auth_failures_total{policy,reason} stays bounded and no detail that
// helps an attacker reaches a response beyond this code.
export type AuthFailureReason =
  | 'missing' // no credential of this policy's kind
  | 'malformed' // not a well-formed token or key (segments, encoding, size, duplicates)
  | 'algorithm' // alg not allowed for the policy (none, HS/RS confusion, crit)
  | 'unknown-key' // kid not in the key set, or several keys and no kid
  | 'signature' // the signature does not verify
  | 'expired' // exp passed, or missing with requireExp
  | 'not-yet-valid' // nbf or iat in the future beyond the tolerance
  | 'claims' // issuer or audience mismatch
  | 'unknown-api-key' // no key with that hash
  | 'keys-unavailable' // JWKS never fetched successfully
  | 'scope'; // authenticated, but a route scope is missing (403)

export type Verdict<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: AuthFailureReason };

export const refuse = <T>(reason: AuthFailureReason): Verdict<T> => ({ ok: false, reason });
