// `npm run bench`: each bench module in turn, results as Markdown tables for
// BENCHMARKS.md. Pin it to one core (`taskset -c 1`) so runs compare.
import { formatRows, runAuthBench } from './auth.js';

const benches: ReadonlyArray<[string, () => Promise<Parameters<typeof formatRows>[0]>]> = [['Authentication', runAuthBench]];

console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
for (const [title, run] of benches) {
  console.log(`\n## ${title}\n`);
  console.log(formatRows(await run()));
}
