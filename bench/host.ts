/**
 * The host-speed suite (`npm run bench:host`): how fast this machine runs the
 * harness. It measures the host, never the model; its figures go in closing
 * notes and READMEs, never into CI assertions. Every rate is also given as a
 * ratio to a reference loop measured in the same run (the least a simulator
 * must do per access), so figures from different machines can be compared.
 *
 * Usage: npm run bench:host -- [--export-json FILE] [--synthetic-mib N]
 *                               [--skip-workloads] [--skip-default-bench]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EngineFigure, runLoopBenchmarks, runStrategyBenchmarks } from './host/engine.ts';
import { formatWorkloadFigures, runWorkloadBenchmarks, type WorkloadFigures } from './host/workloads.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  const arg = args[at]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[at + 1];
}
const flag = (name: string) => process.argv.slice(2).includes(name);

const exportJson = option('--export-json');
const syntheticMiB = Number(option('--synthetic-mib') ?? 128);
if (!Number.isInteger(syntheticMiB) || syntheticMiB < 1) {
  console.error('bench:host: --synthetic-mib must be a whole number of MiB >= 1');
  process.exit(2);
}
const log = (line: string) => console.error(`[host] ${line}`);

/** Peak RSS of a probe child process (bench/host/memory-probe.ts). */
function probe(...args: string[]): { maxRssBytes: number; peakGrowthBytes: number } & Record<string, number> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, 'host', 'memory-probe.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`memory probe ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

interface MemoryFigure {
  strategy: string;
  /** Host bytes per emulated page: the peak-RSS slope between 64 Ki and 1 Mi pages. */
  bytesPerPage: number;
  pagesLow: number;
  pagesHigh: number;
}

/**
 * Slope of the probe's peak RSS growth (start-up excluded, see
 * memory-probe.ts) between 256 Ki and 1 Mi emulated pages, the median of
 * three pairs of probes: the garbage collector's timing moves one pair by up
 * to ±10 B/page. Measured over the whole process peak instead, start-up
 * (about 100 MiB with tsx) hid small runs: from 64 Ki pages the slope came
 * out anywhere between 5 and 100 B/page for the same strategy.
 */
function memoryFigures(): MemoryFigure[] {
  const out: MemoryFigure[] = [];
  const low = 1 << 18;
  const high = 1 << 20;
  for (const strategy of ['oracle', 'kernel-log', 'managed-dataspace', 'per-page-rm']) {
    log(`memory: ${strategy} at ${low / 1024} Ki and ${high / 1024} Ki pages, 3 times`);
    const slopes: number[] = [];
    for (let k = 0; k < 3; k++) {
      const a = probe('run', strategy, String(low));
      const b = probe('run', strategy, String(high));
      slopes.push((b.peakGrowthBytes - a.peakGrowthBytes) / (high - low));
    }
    slopes.sort((x, y) => x - y);
    out.push({ strategy, bytesPerPage: slopes[1]!, pagesLow: low, pagesHigh: high });
  }
  return out;
}

function timeDefaultBench(): number | null {
  const out = mkdtempSync(join(tmpdir(), 'dirtybench-host-'));
  try {
    log('timing the default comparison (npm run bench)');
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench', 'cli.ts'), '--quiet', '--out', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) {
      log(`default comparison exited ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
      return null;
    }
    return seconds;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const loops = await runLoopBenchmarks();
log('end-to-end runs of every strategy');
const endToEnd = runStrategyBenchmarks(loops.reference, log);
const memory = memoryFigures();
const workloadFigures: WorkloadFigures | null = flag('--skip-workloads')
  ? null
  : await runWorkloadBenchmarks({ syntheticMiB, log });
const defaultBenchSeconds = flag('--skip-default-bench') ? null : timeDefaultBench();

/** Peak RSS of replaying the synthetic page trace whole, over a process that does nothing. */
function replayMemory(): { accesses: number; traceBytes: number; rssGrowthBytes: number } | null {
  const file = join(tmpdir(), 'dirtybench-bench', `synthetic-${syntheticMiB}MiB.pgtrace`);
  if (!existsSync(file)) return null;
  log('memory: replaying the synthetic page trace whole');
  const idle = probe('idle');
  const replay = probe('replay', file);
  return {
    accesses: replay['accesses']!,
    traceBytes: statSync(file).size,
    rssGrowthBytes: replay.peakGrowthBytes - idle.peakGrowthBytes,
  };
}
const replay = workloadFigures ? replayMemory() : null;

const fastPath = loops.figures.find((f) => f.name.startsWith('MMU fast path'))!;
const oracleE2E = endToEnd.find((f) => f.name.startsWith('oracle'))!;
const fastTarget = Math.min(100e6, loops.reference / 3);
const targets = [
  {
    target: 'MMU fast path >= min(100 M/s, reference / 3)',
    observed: `${(fastPath.accessesPerSecond / 1e6).toFixed(1)} M/s (${fastPath.ratioToReference.toFixed(2)}x reference; target ${(fastTarget / 1e6).toFixed(1)} M/s)`,
    met: fastPath.accessesPerSecond >= fastTarget,
  },
  {
    target: 'oracle end to end (uniform, 64 Ki pages, 10 M accesses) within 5x of reference',
    observed: `${oracleE2E.ratioToReference.toFixed(2)}x`,
    met: oracleE2E.ratioToReference <= 5,
  },
  {
    target: 'default npm run bench under 20 s on this machine',
    observed: defaultBenchSeconds === null ? 'not measured' : `${defaultBenchSeconds.toFixed(1)} s`,
    met: defaultBenchSeconds !== null && defaultBenchSeconds < 20,
  },
  ...(replay
    ? [
        {
          target: 'trace replay in bounded memory',
          observed: `${(replay.rssGrowthBytes / 2 ** 20).toFixed(1)} MiB peak RSS over an idle process to replay ${replay.accesses} accesses (${(replay.traceBytes / 2 ** 20).toFixed(1)} MiB page trace)`,
          met: replay.rssGrowthBytes < 16 * 2 ** 20,
        },
      ]
    : []),
  ...memory.map((m) => ({
    target: `host memory of ${m.strategy} <= 64 B per emulated page`,
    observed: `${m.bytesPerPage.toFixed(1)} B/page`,
    met: m.bytesPerPage <= 64,
  })),
];

const row = (f: EngineFigure) =>
  `  ${f.name.padEnd(96)} ${(f.accessesPerSecond / 1e6).toFixed(1).padStart(8)} ${f.ratioToReference.toFixed(2).padStart(8)}x`;
const lines = [
  `node ${process.version}, ${process.arch}, ${cpus()[0]?.model ?? 'cpu'} x ${availableParallelism()}`,
  '',
  `Engine (simulated accesses per second of host time; ratio = reference rate / rate):`,
  `  ${'benchmark'.padEnd(96)} ${'M acc/s'.padStart(8)} ${'ratio'.padStart(9)}`,
  ...loops.figures.map(row),
  ...endToEnd.map(row),
  '',
  'Targets (issue 6):',
  ...targets.map((t) => `  [${t.met ? 'met' : 'MISSED'}] ${t.target}: ${t.observed}`),
];
if (workloadFigures) lines.push('', formatWorkloadFigures(workloadFigures));
console.log(lines.join('\n'));

if (exportJson) {
  const json = {
    schema: 'dirtybench/host@1',
    env: {
      node: process.version,
      arch: process.arch,
      cpu: cpus()[0]?.model ?? null,
      cores: availableParallelism(),
    },
    referenceAccessesPerSecond: loops.reference,
    engine: [...loops.figures, ...endToEnd],
    memory,
    replay,
    defaultBenchSeconds,
    targets,
    workloads: workloadFigures,
  };
  const temp = `${exportJson}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(json, null, 2)}\n`);
  renameSync(temp, exportJson);
  log(`wrote ${exportJson}`);
}
