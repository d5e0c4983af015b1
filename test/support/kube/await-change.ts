import type { EventEmitter } from 'node:events';

/**
 * Resolves with `check()`'s first defined value, re-checked each time
 * `emitter` emits `event` (no polling); rejects after `timeoutMs`, naming `what`.
 */
export function awaitChange<T>(emitter: EventEmitter, event: string, what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      emitter.off(event, attempt);
    };
    const attempt = (): void => {
      try {
        const value = check();
        if (value === undefined) return;
        finish();
        resolve(value);
      } catch (error) {
        finish();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    emitter.on(event, attempt);
    attempt();
  });
}
