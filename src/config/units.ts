// Durations and sizes as written in config (SPEC §1: `250ms`, `30s`, `5m`, `1h`, `1d`;
// sizes like `10MiB`). Parsed once at load; nothing downstream sees the strings.

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

// A number (integer or decimal with digits on both sides of the dot) and a unit.
// No sign, so negatives are refused; no bare numbers, so `30` is never guessed.
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Milliseconds, or null when `s` is not a duration. Fractions of a ms are rounded. */
export function parseDuration(s: string): number | null {
  const m = DURATION.exec(s);
  if (m === null) return null;
  const ms = Math.round(Number(m[1]) * (DURATION_UNIT_MS[m[2] ?? ''] ?? NaN));
  return Number.isSafeInteger(ms) ? ms : null;
}

const SIZE_UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1000,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

const SIZE = /^(\d+(?:\.\d+)?)(B|kB|KB|MB|GB|KiB|MiB|GiB)?$/;

/**
 * Bytes, or null when `s` is not a size. A bare number is bytes; a decimal is
 * allowed with a multiple unit (`1.5MiB`) and rounded to whole bytes, but a byte
 * count itself must be whole (`1.5` and `1.5B` are refused).
 */
export function parseSize(s: string): number | null {
  const m = SIZE.exec(s);
  if (m === null) return null;
  const unit = SIZE_UNIT_BYTES[m[2] ?? 'B'] ?? NaN;
  const n = Number(m[1]);
  if (unit === 1 && !Number.isInteger(n)) return null;
  const bytes = Math.round(n * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
