// Reload on a change to the routes or policies directories, or to any file the
// config was read from (SPEC §2). fs.watch events come in bursts (an editor's
// write is several), so they are debounced into one reload.
import { statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

const DEBOUNCE_MS = 100;

interface Watched {
  readonly watcher: FSWatcher;
  /** The directory's inode when the watch began: a watch follows the inode, not the path. */
  readonly ino: number;
}

export class ConfigWatcher {
  #watchers = new Map<string, Watched>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly onChange: () => void) {}

  /** Watch these directories and the directories of these files (replacing the old set). */
  watchPaths(directories: readonly string[], files: readonly string[]): void {
    if (this.#closed) return;
    const wanted = new Set([...directories.map((d) => path.resolve(d)), ...files.map((f) => path.dirname(path.resolve(f)))]);
    for (const dir of this.#watchers.keys()) if (!wanted.has(dir)) this.#unwatch(dir);
    for (const dir of wanted) {
      const ino = inodeOf(dir);
      // Same path, another directory (`mv routes.new routes`): the old watch would
      // keep following the moved-away one and never fire again.
      if (this.#watchers.get(dir)?.ino === ino) continue;
      this.#unwatch(dir);
      // A directory that vanished is reported by the next load; nothing to watch.
      if (ino !== null) this.#watch(dir, ino);
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const dir of [...this.#watchers.keys()]) this.#unwatch(dir);
  }

  #watch(dir: string, ino: number): void {
    try {
      const watcher = watch(dir, { persistent: false }, () => this.#changed());
      // Forgotten on error, so the next watchPaths() starts a fresh one.
      watcher.on('error', () => this.#watchers.get(dir)?.watcher === watcher && this.#unwatch(dir));
      this.#watchers.set(dir, { watcher, ino });
    } catch {
      // Gone between the stat and the watch: the next load reports it.
    }
  }

  #unwatch(dir: string): void {
    this.#watchers.get(dir)?.watcher.close();
    this.#watchers.delete(dir);
  }

  #changed(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.onChange(), DEBOUNCE_MS);
    this.#timer.unref();
  }
}

function inodeOf(dir: string): number | null {
  try {
    return statSync(dir).ino;
  } catch {
    return null;
  }
}
