// When a reloaded local function spec is "the same" (SPEC §2: a reload that changes
// nothing a function depends on leaves it as it was). Its position in the file is
// not something it depends on: an edit above it moves it without changing it.
import type { LocalFunctionSpec } from '../../config/types.js';

type Setting = Exclude<keyof LocalFunctionSpec, 'position'>;

/** Every setting, listed, so a new field of LocalFunctionSpec must be listed here too. */
const SETTINGS: Record<Setting, true> = {
  name: true,
  command: true,
  cwd: true,
  env: true,
  readinessPath: true,
  maxInstances: true,
  coldStartTimeoutMs: true,
  maxPending: true,
  maxPendingBytes: true,
  concurrency: true,
  idleTimeoutMs: true,
};
const SETTING_NAMES = Object.keys(SETTINGS) as Setting[];

export function sameLocalFunction(a: LocalFunctionSpec, b: LocalFunctionSpec): boolean {
  // Config is frozen plain data (strings, numbers, arrays, string maps), compiled in one
  // key order, so comparing the JSON of each setting is exact. Runs once per reload.
  return SETTING_NAMES.every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}
