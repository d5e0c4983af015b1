// `node --import ./bench/cpu-profile-preload.mjs …` (through NODE_OPTIONS, where Node 20
// refuses --cpu-prof): profiles the process's first GATEHOUSE_CPU_PROFILE_MS ms (its
// start-up) with the inspector's sampling profiler and writes a .cpuprofile, which
// Chrome DevTools opens, into GATEHOUSE_CPU_PROFILE_DIR. bench/scale.ts uses it.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.GATEHOUSE_CPU_PROFILE_DIR ?? '.';
const session = new Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.start', () => {
  setTimeout(() => session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(path.join(dir, `gateway-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    session.disconnect();
  }), Number(process.env.GATEHOUSE_CPU_PROFILE_MS ?? 30_000)).unref();
}));
