// `npm run bench [-- --quick] [-- --json]`: measures Lockstep's interpreter, QEMU, FT overhead and chaos throughput; prints one table or one JSON object.

import { runBench } from './bench/run';
import { formatReport } from './bench/table';

function main(argv: string[]): number {
  const unknown = argv.filter((a) => a !== '--quick' && a !== '--json');
  if (unknown.length > 0) {
    process.stderr.write(`unknown option ${unknown[0]}\nusage: node dist/bench.js [--quick] [--json]\n`);
    return 2;
  }
  const report = runBench({ quick: argv.includes('--quick'), log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(argv.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  if (report.failures.length > 0) process.stderr.write(`\nBENCH FAILED: ${report.failures.length} problem(s), see above\n`);
  return report.failures.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
