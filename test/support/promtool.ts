// `promtool check metrics` (Debian's prometheus package): Prometheus's own
// parser and linter for the text exposition, the strictest reader /metrics has.
import { spawn } from 'node:child_process';
import { installHint } from './test-tools.js';

export interface PromtoolVerdict {
  readonly exitCode: number;
  /** One line per problem promtool found (its stdout and stderr). */
  readonly problems: string[];
}

export async function promtoolCheckMetrics(text: string): Promise<PromtoolVerdict> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') return reject(error);
      installHint('promtool').then((hint) => reject(new Error(`promtool is not on PATH. ${hint}`)), reject);
    });
    child.once('close', (code) => resolve({ exitCode: code ?? -1, problems: output.split('\n').filter((line) => line.trim() !== '') }));
    child.stdin.end(text);
  });
}
