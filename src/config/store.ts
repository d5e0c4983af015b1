// Reload = build beside, swap one reference (STYLE §6). Reloads are serialised:
// a reload asked for while one runs is folded into one more run after it.
import type { ConfigProblem } from './types.js';

export type BuildResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export interface ConfigStoreHooks<T> {
  swapped(value: T, reason: string): void;
  refused(problems: readonly ConfigProblem[], reason: string): void;
}

export class ConfigStore<T> {
  #current: T;
  #running: Promise<BuildResult<T>> | null = null;
  #again: Promise<BuildResult<T>> | null = null;

  constructor(
    initial: T,
    private readonly build: () => Promise<BuildResult<T>>,
    private readonly hooks: ConfigStoreHooks<T>,
  ) {
    this.#current = initial;
  }

  get current(): T {
    return this.#current;
  }

  reload(reason: string): Promise<BuildResult<T>> {
    if (this.#running === null) {
      this.#running = this.#run(reason);
      return this.#running;
    }
    // One is running: everything asked for meanwhile is one more run after it.
    this.#again ??= this.#running.then(() => {
      this.#again = null;
      this.#running = this.#run(reason);
      return this.#running;
    });
    return this.#again;
  }

  async #run(reason: string): Promise<BuildResult<T>> {
    try {
      const result = await this.build();
      if (result.ok) {
        this.#current = result.value;
        this.hooks.swapped(result.value, reason);
      } else {
        this.hooks.refused(result.problems, reason);
      }
      return result;
    } catch (error) {
      const problems = [{ file: '(config)', line: 1, col: 1, message: error instanceof Error ? error.message : String(error) }];
      this.hooks.refused(problems, reason);
      return { ok: false, problems };
    } finally {
      this.#running = null;
    }
  }
}
