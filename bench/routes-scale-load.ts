// `gatehouse validate` on generated configs (test/support/route-corpus.ts) of
// 10,000 and 100,000 routes, as a user runs it: a fresh `node dist/cli.js validate`
// each time, under /usr/bin/time for the wall time, CPU time and maximum RSS.
// Not pinned: V8 collects garbage on helper threads, which a user's machine has
// (pinned to one core, the same 10,000 routes took ~0.3 s more CPU, measured).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { writeRouteCorpus } from '../test/support/route-corpus.js';

export interface ValidateRun {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMb: number;
}

const hasTime = spawnSync('/usr/bin/time', ['-f', '%e', 'true']).status === 0;

export function canTimeValidate(): boolean {
  return hasTime;
}

/** One `validate` of a fresh corpus of `routes` routes; throws unless it says the config is valid. */
export function timeValidate(dirs: { routesDir: string; policiesDir: string; functionsFile: string }): ValidateRun {
  const cli = [process.execPath, path.resolve('dist/cli.js'), 'validate', `--routes=${dirs.routesDir}`, `--policies=${dirs.policiesDir}`, `--functions=${dirs.functionsFile}`];
  const command = ['-f', 'gatehouse-time %e %U %S %M', ...cli];
  const run = spawnSync('/usr/bin/time', command, { encoding: 'utf8', timeout: 120_000 });
  if (!run.stdout.startsWith('config is valid')) throw new Error(`validate failed: ${run.stdout}${run.stderr}`);
  const line = run.stderr.split('\n').find((l) => l.startsWith('gatehouse-time '));
  const [wall, user, sys, rssKb] = (line ?? '').split(' ').slice(1).map(Number);
  return { wallSeconds: wall ?? NaN, cpuSeconds: (user ?? NaN) + (sys ?? NaN), maxRssMb: Math.round((rssKb ?? NaN) / 1024) };
}

export interface ValidateRow {
  readonly routes: number;
  readonly files: number;
  readonly runs: readonly ValidateRun[];
}

export function validateRows(sizes: ReadonlyArray<readonly [number, number]>): ValidateRow[] {
  const rows: ValidateRow[] = [];
  for (const [routes, repeats] of sizes) {
    const corpus = writeRouteCorpus({ routes });
    try {
      const runs: ValidateRun[] = [];
      for (let k = 0; k < repeats; k++) runs.push(timeValidate(corpus));
      rows.push({ routes, files: Math.max(1, Math.ceil(routes / 500)), runs });
    } finally {
      corpus.remove();
    }
  }
  return rows;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

export function formatValidateRows(rows: readonly ValidateRow[]): string {
  const lines = ['| routes (files) | wall s, median | CPU s (user+sys), median | max RSS MB, median | runs (wall s / max RSS MB) |', '|---|---:|---:|---:|---|'];
  for (const { routes, files, runs } of rows) {
    const each = runs.map((r) => `${r.wallSeconds.toFixed(2)} / ${r.maxRssMb}`).join(', ');
    lines.push(
      `| ${routes.toLocaleString('en-US')} (${files}) | ${median(runs.map((r) => r.wallSeconds)).toFixed(2)} | ${median(runs.map((r) => r.cpuSeconds)).toFixed(2)} | ${median(runs.map((r) => r.maxRssMb))} | ${each} |`,
    );
  }
  return lines.join('\n');
}
