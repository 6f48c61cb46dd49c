/**
 * Child process of the host suite: does one thing and prints its peak RSS, so
 * the parent can read how host memory grows with emulated pages or with trace
 * length. Peak RSS (`process.resourceUsage().maxRSS`) covers typed arrays and
 * the heap alike, and a fresh process per probe keeps probes independent.
 *
 * Usage:
 *   tsx bench/host/memory-probe.ts run <strategy> <pages>   one run on `uniform`, 2 accesses per page
 *   tsx bench/host/memory-probe.ts replay <page-trace>       drain a binary page trace
 *   tsx bench/host/memory-probe.ts idle                      nothing (the process's own floor)
 */
import { loadProfile } from '../../src/platform/index.ts';
import { runExperiment } from '../../src/run/index.ts';
import { createWorkload, findWorkload } from '../../src/workloads/index.ts';

const [mode, a, b] = process.argv.slice(2);
let detail: Record<string, number> = {};
if (mode === 'run') {
  const pages = Number(b);
  const r = runExperiment({
    profile: loadProfile('fiasco-oc-x86_64'),
    strategy: a!,
    strategyParams: {},
    workload: 'uniform',
    workloadParams: {},
    common: { pages, accesses: 2 * pages, writeRatio: 0.5, computeCycles: 100 },
    intervalCycles: 50 * pages,
    seed: 1,
  });
  detail = { pages: r.pages, accesses: r.accesses, checkpoints: r.checkpoints };
} else if (mode === 'replay') {
  const stream = createWorkload(
    findWorkload('trace')!,
    { pages: 1, accesses: 0, writeRatio: 0, computeCycles: 0 },
    { file: a },
    1,
  );
  const pages = new Int32Array(4096);
  const writes = new Uint8Array(4096);
  let n = 0;
  for (let k = stream.fill(pages, writes); k > 0; k = stream.fill(pages, writes)) n += k;
  stream.close();
  detail = { accesses: n };
} else if (mode !== 'idle') {
  console.error('memory-probe: usage: run <strategy> <pages> | replay <page-trace> | idle');
  process.exit(2);
}
console.log(JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, ...detail }));
