/**
 * Child process of the host suite: does one thing and prints how much its
 * resident set grew at the peak while doing it, so the parent can read how
 * host memory grows with emulated pages or with trace length. RSS covers
 * typed arrays and the heap alike, and a fresh process per probe keeps probes
 * independent.
 *
 * The peak is taken from the work alone: after start-up (Node and the
 * modules reach tens of MiB, more than a small run needs) the probe
 * resets the kernel's high-water mark (`echo 5 > /proc/self/clear_refs`,
 * Linux ≥ 4.0, proc(5)) and reports VmHWM − VmRSS-before (`peakGrowthBytes`).
 * Elsewhere it falls back to getrusage's peak, start-up included.
 *
 * Usage (compiled, as the suite starts it; or `tsx bench/host/memory-probe.ts …`):
 *   node dist/bench/host/memory-probe.js run <strategy> <pages>   one run on `uniform`, 2 accesses per page
 *   node dist/bench/host/memory-probe.js replay <page-trace>       drain a binary page trace
 *   node dist/bench/host/memory-probe.js idle                      nothing (the process's own floor)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadProfile } from '../../src/platform/index.ts';
import { runExperiment } from '../../src/run/index.ts';
import { createWorkload, findWorkload } from '../../src/workloads/index.ts';

/** VmRSS and VmHWM of this process in bytes, or null without /proc. */
function procMemory(): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const rss = kib('VmRSS');
    const hwm = kib('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(hwm) ? { rss: rss * 1024, hwm: hwm * 1024 } : null;
  } catch {
    return null;
  }
}

/** Resets the peak-RSS mark to the current RSS; false where the kernel does not offer it. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const [mode, a, b] = process.argv.slice(2);
let detail: Record<string, number> = {};
const reset = resetPeak();
const before = procMemory();
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
const after = procMemory();
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
const peakGrowthBytes = reset && before && after ? after.hwm - before.rss : maxRssBytes;
console.log(JSON.stringify({ maxRssBytes, peakGrowthBytes, ...detail }));
