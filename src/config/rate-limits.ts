// Rate-limit policies (SPEC §3): the bucket key and GCRA limits, in canonical units.
import { duration, TOKEN } from './fields.js';
import { withKeyPosition, type Path, type YamlSource } from './positions.js';
import type { RawLimit, RawRateLimit } from './raw.js';
import type { RateLimitKey, RateLimitPolicySpec, RateLimitSpec } from './types.js';

export function compileRateLimit(src: YamlSource, at: Path, name: string, raw: RawRateLimit): RateLimitPolicySpec {
  return withKeyPosition(
    {
      name,
      key: compileKey(src, [...at, 'key'], raw.key),
      limits: raw.limits.map((l, i) => compileLimit(src, [...at, 'limits', i], l)),
      onStoreError: raw.onStoreError ?? 'local',
    },
    src,
    at,
  );
}

function compileKey(src: YamlSource, at: Path, key: string): RateLimitKey {
  if (key === 'ip' || key === 'consumer' || key === 'route') return { kind: key };
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon);
  const name = key.slice(colon + 1);
  if (colon > 0 && kind === 'header' && TOKEN.test(name)) return { kind, name: name.toLowerCase() };
  if (colon > 0 && kind === 'claim' && name !== '') return { kind, name };
  src.report(at, `key "${key}" must be ip, consumer, route, header:NAME or claim:NAME`);
  return { kind: 'ip' };
}

function compileLimit(src: YamlSource, at: Path, raw: RawLimit): RateLimitSpec {
  return {
    requests: raw.requests,
    perMs: duration(src, [...at, 'per'], raw.per, 1000, { positive: true }),
    burst: raw.burst ?? 0,
  };
}
