// Every process the proxy bench starts (upstream, proxies, wrk) goes through here:
// pinned to a core with taskset when there is one (taskset execs the command, so
// the child's pid is the server's own pid, the one /proc/PID/stat is read for),
// remembered until it exits, and killed by that pid at the end, on an error or
// on SIGINT/SIGTERM (killAll). Nothing is ever killed by name.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

export const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

const live = new Set<ChildProcess>();

/** Remember a child until it exits (for children spawned elsewhere, e.g. the gateway's). */
export function track(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** `command args` under `taskset -c core` (or unpinned without taskset), tracked. */
export function spawnPinned(core: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = hasTaskset ? spawn('taskset', ['-c', core, command, ...args], options) : spawn(command, [...args], options);
  track(child);
  return child;
}

/** SIGTERM each live child by its pid, SIGKILL what is left after `graceMs`. */
export async function killAll(graceMs = 3000): Promise<void> {
  const children = [...live];
  await Promise.all(children.map((child) => stopChild(child, graceMs)));
}

export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kill every child synchronously (for a signal handler or process exit). */
export function killAllNow(): void {
  for (const child of live) child.kill('SIGKILL');
}

export interface Server {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** The last lines it printed, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A server process that prints `{"event":"listening","port":P}` (the bench's own
 * scripts) or a line `listening(line)` recognises, pinned to `core`.
 */
export async function startServer(name: string, core: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; listening?: (line: string) => number | undefined; timeoutMs?: number } = {}): Promise<Server> {
  const child = spawnPinned(core, command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
  };
  const output = (): string => lines.join('\n');
  createInterface({ input: child.stderr! }).on('line', keep);
  const recognise = options.listening ?? listeningJson;
  const timeoutMs = options.timeoutMs ?? 20_000;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not listen within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${output()}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      // Read stdout to the end, always: a full pipe would stall the server. Once it
      // listens, bytes are only drained, not split into lines: a gateway with its access
      // log on writes a line per request, and this process shares the machine with it.
      const reader = createInterface({ input: child.stdout! });
      reader.on('line', (line) => {
        keep(line);
        const port = recognise(line);
        if (port !== undefined) {
          clearTimeout(timer);
          reader.close(); // pauses stdout: resumed with a reader that drops the bytes
          child.stdout!.on('data', () => undefined).resume();
          resolve(port);
        }
      });
    });
    return { name, pid: child.pid as number, port, output, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child, 500);
    throw error;
  }
}

function listeningJson(line: string): number | undefined {
  if (!line.includes('"event":"listening"')) return undefined;
  try {
    const parsed = JSON.parse(line) as { port?: unknown };
    return typeof parsed.port === 'number' ? parsed.port : undefined;
  } catch {
    return undefined;
  }
}
