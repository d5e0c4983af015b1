// Reload on a change to the config's own files (SPEC §2): the `*.yaml`/`*.yml`
// files directly in the routes and policies directories, the functions file, and
// the files policies name. fs.watch watches directories (a file's watch follows
// its inode, which an editor's atomic rename replaces), so each event's file name
// is checked against what the config reads: a log file written beside
// functions.yaml, an editor's swap or backup file, or a new subfolder is no change
// (a gateway logging into its config folder reloaded ~10 times a second, forever).
// Events come in bursts (an editor's write is several) and are debounced into one reload.
import { statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { isConfigYamlName } from './file-names.js';

const DEBOUNCE_MS = 100;

/** What the config reads: whole directories of YAML, and single files. */
export interface WatchedConfig {
  /** Directories whose YAML files (not subfolders) are config: routes, policies. */
  readonly yamlDirectories: readonly string[];
  /** Single files: the functions file, key and public-key files named by policies. */
  readonly files: readonly string[];
}

/** Per directory, which entry names count as a change. */
interface Interest {
  anyYaml: boolean;
  readonly names: Set<string>;
}

interface Watched {
  readonly watcher: FSWatcher;
  /** The directory's inode when the watch began: a watch follows the inode, not the path. */
  readonly ino: number;
  interest: Interest;
}

export class ConfigWatcher {
  #watchers = new Map<string, Watched>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly onChange: () => void) {}

  /** Watch what this config reads (replacing the old set). */
  watchPaths(config: WatchedConfig): void {
    if (this.#closed) return;
    const wanted = interestsOf(config);
    for (const dir of this.#watchers.keys()) if (!wanted.has(dir)) this.#unwatch(dir);
    for (const [dir, interest] of wanted) {
      const ino = inodeOf(dir);
      const known = this.#watchers.get(dir);
      // Same path, another directory (`mv routes.new routes`): the old watch would
      // keep following the moved-away one and never fire again.
      if (known?.ino === ino) {
        known.interest = interest;
        continue;
      }
      this.#unwatch(dir);
      // A directory that vanished is reported by the next load; nothing to watch.
      if (ino !== null) this.#watch(dir, ino, interest);
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const dir of [...this.#watchers.keys()]) this.#unwatch(dir);
  }

  #watch(dir: string, ino: number, interest: Interest): void {
    try {
      const self = path.basename(dir);
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        const entry = this.#watchers.get(dir);
        if (entry?.watcher === watcher && counts(entry.interest, self, name)) this.#changed();
      });
      // Forgotten on error, so the next watchPaths() starts a fresh one.
      watcher.on('error', () => this.#watchers.get(dir)?.watcher === watcher && this.#unwatch(dir));
      this.#watchers.set(dir, { watcher, ino, interest });
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

function interestsOf(config: WatchedConfig): Map<string, Interest> {
  const wanted = new Map<string, Interest>();
  const interestIn = (dir: string): Interest => {
    let interest = wanted.get(dir);
    if (!interest) wanted.set(dir, (interest = { anyYaml: false, names: new Set() }));
    return interest;
  };
  for (const dir of config.yamlDirectories) interestIn(path.resolve(dir)).anyYaml = true;
  for (const file of config.files) {
    const abs = path.resolve(file);
    interestIn(path.dirname(abs)).names.add(path.basename(abs));
  }
  return wanted;
}

/**
 * Whether an event for `name` in a watched directory is a config change. No name
 * (some platforms give none) might be anything, so it counts; so does the
 * directory's own name, the event of the watched directory itself being moved
 * or deleted (the next load finds what replaced it).
 */
function counts(interest: Interest, self: string, name: string | Buffer | null): boolean {
  if (name === null) return true;
  const entry = typeof name === 'string' ? name : name.toString();
  if (entry === self || interest.names.has(entry)) return true;
  return interest.anyYaml && isConfigYamlName(entry);
}

function inodeOf(dir: string): number | null {
  try {
    return statSync(dir).ino;
  } catch {
    return null;
  }
}
