// What a process has cost, from Linux's /proc: CPU time (utime + stime, all its
// threads, in clock ticks) and resident memory.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export { residentBytes } from '../../test/support/proxy-gateway.js';

/** Clock ticks per second (`getconf CLK_TCK`, 100 nearly everywhere). */
export const CLOCK_TICKS = ((): number => {
  const value = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
})();

/** utime + stime of a process so far, in µs. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (15) fields[12].
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`unreadable /proc/${pid}/stat`);
  return (ticks * 1e6) / CLOCK_TICKS;
}
