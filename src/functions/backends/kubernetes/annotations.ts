// Service annotations → how a function is held, woken and put to sleep (SPEC §5).
// Pure. A bad value is reported and its default used: one typo must not make a
// function unreachable.
import { DEFAULTS, type WakeSettings } from '../../../config/types.js';
import { parseDuration, parseSize } from '../../../config/units.js';

export const ANNOTATION = {
  idleTimeout: 'gatehouse.io/idle-timeout',
  wakeReplicas: 'gatehouse.io/wake-replicas',
  coldStartTimeout: 'gatehouse.io/cold-start-timeout',
  maxPending: 'gatehouse.io/max-pending',
  maxPendingBytes: 'gatehouse.io/max-pending-bytes',
  readinessPath: 'gatehouse.io/readiness-path',
  concurrency: 'gatehouse.io/concurrency',
  wakeHook: 'gatehouse.io/wake-hook',
  scaleTarget: 'gatehouse.io/scale-target',
  lastRequestAt: 'gatehouse.io/last-request-at',
} as const;

export interface ServiceFunction {
  readonly settings: WakeSettings;
  readonly wakeReplicas: number;
  readonly readinessPath: string | null;
  readonly wakeHook: URL | null;
  /** The Deployment to scale: the Service's name unless the annotation names another. */
  readonly scaleTarget: string;
  readonly problems: readonly string[];
}

type Annotations = Readonly<Record<string, string>> | undefined;

export function functionFromService(name: string, annotations: Annotations): ServiceFunction {
  const problems: string[] = [];
  const read = <T>(key: string, parse: (value: string) => T | null, fallback: T, rule: string): T => {
    const raw = annotations?.[key];
    if (raw === undefined) return fallback;
    const parsed = parse(raw.trim());
    if (parsed !== null) return parsed;
    problems.push(`${key}: "${raw}" is not ${rule}; using the default`);
    return fallback;
  };
  const count = (min: number) => (value: string): number | null => (/^\d+$/.test(value) && Number(value) >= min ? Number(value) : null);
  const positiveDuration = (value: string): number | null => {
    const ms = parseDuration(value);
    return ms !== null && ms > 0 ? ms : null;
  };
  const settings: WakeSettings = {
    idleTimeoutMs: read(ANNOTATION.idleTimeout, positiveDuration, null as number | null, 'a duration like 10m'),
    coldStartTimeoutMs: read(ANNOTATION.coldStartTimeout, positiveDuration, DEFAULTS.coldStartTimeoutMs, 'a duration like 30s'),
    maxPending: read(ANNOTATION.maxPending, count(1), DEFAULTS.maxPending, 'an integer ≥ 1'),
    maxPendingBytes: read(ANNOTATION.maxPendingBytes, parseSize, DEFAULTS.maxPendingBytes, 'a size like 64MiB'),
    concurrency: read(ANNOTATION.concurrency, count(0), DEFAULTS.concurrency, 'an integer ≥ 0'),
  };
  return {
    settings,
    wakeReplicas: read(ANNOTATION.wakeReplicas, count(1), 1, 'an integer ≥ 1'),
    readinessPath: read(ANNOTATION.readinessPath, (v) => (v.startsWith('/') ? v : null), null as string | null, 'a path starting with /'),
    wakeHook: read(ANNOTATION.wakeHook, httpUrl, null as URL | null, 'an http(s) URL'),
    scaleTarget: read(ANNOTATION.scaleTarget, (v) => (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? v : null), name, 'a Deployment name'),
    problems,
  };
}

function httpUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
