/**
 * The host-speed suite (`npm run bench:host`): how fast this machine runs
 * the harness's hot parts. It measures the host, never the model; the
 * figures go in closing notes and READMEs, not in CI assertions.
 *
 * Usage: npx tsx bench/host.ts [--synthetic-mib N] [--json]
 */
import { formatWorkloadFigures, runWorkloadBenchmarks } from './host/workloads.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const mibAt = args.indexOf('--synthetic-mib');
const syntheticMiB = mibAt >= 0 ? Number(args[mibAt + 1]) : 128;
if (!Number.isInteger(syntheticMiB) || syntheticMiB < 1) {
  console.error('bench/host.ts: --synthetic-mib must be a whole number of MiB >= 1');
  process.exit(2);
}

const log = json ? () => {} : (line: string) => console.error(`[host] ${line}`);
const workloads = await runWorkloadBenchmarks({ syntheticMiB, log });
if (json) {
  console.log(JSON.stringify({ node: process.version, workloads }, null, 2));
} else {
  console.log(`node ${process.version}, ${process.arch}`);
  console.log(formatWorkloadFigures(workloads));
}
