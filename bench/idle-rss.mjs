// Idle RSS of `npm start` (the team's budget: <= 70 MB). After `npm run build`:
//   node bench/idle-rss.mjs [RUNS=7]
// Each run spawns `node dist/cli.js serve` on the example config (ports 0), reads
// VmRSS from /proc/PID/status 3 s after the {"event":"listening"} line, then
// sends SIGTERM. Prints every run (sorted) and the median, in MB (MiB).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const runs = Number(process.argv[2] ?? 7);
const megabytes = [];
for (let i = 0; i < runs; i++) {
  const child = spawn(process.execPath, ['dist/cli.js', 'serve', '--port=0', '--admin-port=0', '--host=127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, GATEHOUSE_ADMIN_TOKEN: 'idle-rss-bench' },
  });
  await new Promise((resolve) => createInterface({ input: child.stdout }).on('line', (line) => line.includes('"event":"listening"') && resolve()));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
  megabytes.push(kb / 1024);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}
megabytes.sort((a, b) => a - b);
console.log(JSON.stringify({ runs: megabytes.map((mb) => Number(mb.toFixed(1))), medianMB: Number(megabytes[Math.floor(megabytes.length / 2)].toFixed(1)) }));
