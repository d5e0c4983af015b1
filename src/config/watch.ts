// Reload on a change to the routes or policies directories, or to any file the
// config was read from (SPEC §2). fs.watch events come in bursts (an editor's
// write is several), so they are debounced into one reload.
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

const DEBOUNCE_MS = 100;

export class ConfigWatcher {
  #watchers = new Map<string, FSWatcher>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly onChange: () => void) {}

  /** Watch these directories and the directories of these files (replacing the old set). */
  watchPaths(directories: readonly string[], files: readonly string[]): void {
    if (this.#closed) return;
    const wanted = new Set([...directories.map((d) => path.resolve(d)), ...files.map((f) => path.dirname(path.resolve(f)))]);
    for (const [dir, watcher] of this.#watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        this.#watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.#watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, () => this.#changed());
        watcher.on('error', () => watcher.close());
        this.#watchers.set(dir, watcher);
      } catch {
        // A directory that vanished is reported by the next load; nothing to watch.
      }
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  #changed(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.onChange(), DEBOUNCE_MS);
    this.#timer.unref();
  }
}
