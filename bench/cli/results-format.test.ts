/**
 * What scripts rely on (shared/contract.md): the results JSON names, integer
 * cycle figures, the CSV columns, determinism, and options that reach the runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, SMALL, tempDir } from './testing.ts';

/** Every key path shared/contract.md lists for results.json. */
const CONTRACT_TOP = ['schema', 'env', 'runs', 'summaries'];
const CONTRACT_ENV = ['node', 'harness', 'gitCommit', 'createdAt'];
const CONTRACT_RUN = [
  'strategy',
  'workload',
  'profile',
  'params.strategy',
  'params.workload',
  'seed',
  'pages',
  'accesses',
  'intervalCycles',
  'checkpoints',
  'cpuHz',
  'metrics.runtimeCycles',
  'metrics.baselineCycles',
  'metrics.overheadPct',
  'metrics.breakdownCycles',
  'metrics.faults',
  'metrics.stalls.count',
  'metrics.stalls.maxCycles',
  'metrics.stalls.p50Cycles',
  'metrics.stalls.p99Cycles',
  'metrics.stalls.meanCycles',
  'metrics.pause.maxCycles',
  'metrics.pause.meanCycles',
  'metrics.checkpointPages.mean',
  'metrics.checkpointPages.max',
  'metrics.checkpointPages.falsePositiveMean',
  'metrics.precision',
  'metrics.memory.metadataBytes',
  'metrics.memory.quotaBytes',
  'metrics.memory.checkpointBytes',
  'metrics.memory.byKind',
  'metrics.realtime',
  'metrics.verification.missedPages',
  'metrics.verification.restoreOk',
  'bounds.maxStallCycles',
  'bounds.maxPauseCycles',
  // Added (issue 19).
  'intervalAccesses',
  'intervalFrom',
  'skippedSlots',
  'metrics.busyOverheadPct',
  'metrics.stallsByKind.fault.p99Cycles',
  'metrics.stallsByKind.checkpoint.maxCycles',
  'metrics.finalCheckpoint.pages',
  'metrics.finalCheckpoint.pauseCycles',
  'metrics.memory.peakMetadataBytes',
  // Added (issue 13): one bound per stall kind, its slack, the timer's phase.
  'bounds.maxFaultStallCycles',
  'metrics.boundSlackPct.fault',
  'metrics.boundSlackPct.checkpoint',
  'phaseCycles',
];
const CONTRACT_REALTIME = ['wcrtCycles', 'deadlineMisses', 'wcrtBoundCycles'];
/** The CSV columns of shared/contract.md, in order, with the ones it added after them. */
const CONTRACT_CSV = [
  ...'strategy,workload,profile,pages,accesses,seed,overhead_pct,faults,max_stall_us,p99_stall_us,max_pause_us,mean_pause_us,checkpoint_pages_mean,precision,metadata_bytes,quota_bytes,missed_pages,restore_ok'.split(
    ',',
  ),
  ...'interval_cycles,checkpoints,skipped_slots,wcrt_us,deadline_misses,fault_p50_us,fault_p99_us,fault_max_us'.split(
    ',',
  ),
];
/** Columns added here after the contract's, before the parameters. */
const ADDED_CSV = [
  'interval_accesses',
  'interval_from',
  'busy_overhead_pct',
  'peak_metadata_bytes',
  'final_checkpoint_pages',
  'copy_via',
  'phase_cycles',
  'fault_bound_slack_pct',
  'pause_bound_slack_pct',
  'wcrt_bound_us',
  'copy',
  'copier_priority',
  'cow_faults',
  'cow_fault_max_us',
  'cow_paused_us',
  'cow_concurrent_copy_us',
  'cow_overruns',
  'cow_bound_slack_pct',
];

function has(obj: unknown, path: string): boolean {
  let x: unknown = obj;
  for (const k of path.split('.')) {
    if (typeof x !== 'object' || x === null || !Object.hasOwn(x, k)) return false;
    x = (x as Record<string, unknown>)[k];
  }
  return true;
}

/** Every number under a key ending in `Cycles`, with its path. */
function cycleFigures(x: unknown, path = '', inCycles = false): [string, unknown][] {
  if (typeof x === 'number') return inCycles ? [[path, x]] : [];
  if (typeof x !== 'object' || x === null) return [];
  return Object.entries(x).flatMap(([k, v]) =>
    cycleFigures(v, `${path}.${k}`, inCycles || k.endsWith('Cycles')),
  );
}

type Doc = { runs: unknown[]; env: Record<string, unknown>; schema: string };

const MIX = ['--strategy=oracle,managed-dataspace,fault-notify', '--workload=zipf,periodic', ...SMALL];

describe('--format json', () => {
  const dir = tempDir();
  it('prints results.json with every name of the contract and integer cycle figures', async () => {
    const r = await runCli([...MIX, '--format=json', '--jobs=1', '--quiet'], dir);
    expect(r.code).toBe(0);
    // --quiet keeps the one line that matters: a warning that rtcr's pause outlasts the interval.
    expect(r.stderr).not.toMatch(/dirtybench: (?!warning: managed-dataspace)/);
    const doc = JSON.parse(r.stdout) as Doc;
    for (const k of CONTRACT_TOP) expect(has(doc, k), k).toBe(true);
    expect(doc.schema).toBe('dirtybench/results@1');
    for (const k of CONTRACT_ENV) expect(has(doc.env, k), `env.${k}`).toBe(true);
    expect(doc.env['harness']).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(doc.runs).toHaveLength(6);
    for (const run of doc.runs) {
      for (const k of CONTRACT_RUN) expect(has(run, k), k).toBe(true);
      const figures = cycleFigures(run);
      expect(figures.length).toBeGreaterThan(10);
      for (const [path, v] of figures) expect(Number.isInteger(v), `${path} = ${v}`).toBe(true);
    }
    const periodic = doc.runs.filter((run) => (run as { workload: string }).workload === 'periodic');
    for (const run of periodic) {
      for (const k of CONTRACT_REALTIME) expect(has(run, `metrics.realtime.${k}`), k).toBe(true);
    }
  });
});

describe('determinism', () => {
  const dir = tempDir();
  it('gives identical runs for identical invocations, and --jobs 2 equals --jobs 1', async () => {
    const [a, b, c] = await Promise.all([
      runCli([...MIX, '--format=json', '--jobs=1', '-q'], dir),
      runCli([...MIX, '--format=json', '--jobs=1', '-q'], dir),
      runCli([...MIX, '--format=json', '--jobs=2', '-q'], dir),
    ]);
    for (const r of [a, b, c]) expect(r.code).toBe(0);
    const runs = (r: { stdout: string }) => (JSON.parse(r.stdout) as Doc).runs;
    expect(runs(b)).toEqual(runs(a));
    expect(runs(c)).toEqual(runs(a));
    // The table is a pure function of the runs too.
    expect(JSON.stringify(runs(a))).toBe(JSON.stringify(runs(c)));
  });
});

describe('results.csv', () => {
  const dir = tempDir();
  it('has the contract columns in order, then the added ones, then param_ columns, blank where a run lacks one', async () => {
    const r = await runCli(
      ['--strategy=managed-dataspace,fault-notify', '--workload=zipf', ...SMALL, '--format=csv', '-j1', '-q'],
      dir,
    );
    expect(r.code).toBe(0);
    // No field here needs quoting, so a split reads it.
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split(','));
    const header = rows[0]!;
    expect(header.slice(0, CONTRACT_CSV.length)).toEqual(CONTRACT_CSV);
    expect(header.slice(CONTRACT_CSV.length, CONTRACT_CSV.length + ADDED_CSV.length)).toEqual(ADDED_CSV);
    expect(header.slice(CONTRACT_CSV.length + ADDED_CSV.length)).toEqual([
      'param_granularity',
      'param_managedPages',
      'param_lookup',
      'param_readOnlyFirst',
      'param_writeRatio',
      'param_computeCycles',
      'param_theta',
      'param_scatter',
      'param_rearm', // fault-notify's: columns in order of first appearance over the runs
    ]);
    const col = (name: string) => header.indexOf(name);
    const [md, fn] = [rows[1]!, rows[2]!];
    expect(md[col('strategy')]).toBe('managed-dataspace');
    expect(md[col('param_granularity')]).toBe('1');
    expect(md[col('param_readOnlyFirst')]).toBe('false');
    expect(md[col('restore_ok')]).toBe('true');
    expect(md[col('copy_via')]).toBe('attach'); // rtcr's way, the region-map trackers' default
    expect(fn[col('copy_via')]).toBe('mapped');
    expect(fn[col('strategy')]).toBe('fault-notify');
    expect(fn[col('param_granularity')]).toBe('');
    expect(fn[col('param_theta')]).toBe('0.99');
    // Not periodic: the real-time columns are blank; a fault figure is there where faults were.
    expect([md[col('wcrt_us')], md[col('deadline_misses')]]).toEqual(['', '']);
    expect(Number(fn[col('fault_max_us')])).toBeGreaterThan(0);
    expect(fn[col('interval_from')]).toBe('start');
    expect(fn[col('phase_cycles')]).toBe('0');
    // Slack per stall kind: fault-notify's fault path meets its bound exactly; a pause stays below.
    expect(Number(fn[col('fault_bound_slack_pct')])).toBe(0);
    expect(Number(fn[col('pause_bound_slack_pct')])).toBeGreaterThan(0);
    expect(fn[col('wcrt_bound_us')]).toBe('');
  });
});

describe('options reach the runs', () => {
  const dir = tempDir();
  it('routes --set to whoever declares the key, converts --interval times, and replays --trace', async () => {
    // A small valgrind lackey trace: 3 pages, writes to 2 of them.
    const trace = join(dir, 'tiny.lackey');
    const lines = ['==1== Lackey, an example Valgrind tool'];
    for (let i = 0; i < 300; i++) {
      lines.push(
        `I  0040${(i % 16).toString(16)}000,4`,
        ` S 7ff0001${(i % 4).toString(16)}0,8`,
        ` L 0060${(i % 2) * 4}000,4`,
      );
    }
    writeFileSync(trace, `${lines.join('\n')}\n`);
    const [set, traced] = await Promise.all([
      runCli(
        [
          '--strategy=managed-dataspace,fault-notify',
          '--workload=zipf',
          ...SMALL,
          '--set',
          'theta=0.8',
          '--set=granularity=4',
          '--interval=500us',
          '--profile=fiasco-oc-armv7',
          '--copy-via=mapped',
          '--format=json',
          '-j1',
        ],
        dir,
      ),
      runCli(['--trace', trace, '--strategy=oracle,kernel-log', '--format=json', '-j1', '-q'], dir),
    ]);
    expect(set.code).toBe(0);
    const runs = (JSON.parse(set.stdout) as Doc).runs as {
      params: { strategy: Record<string, unknown>; workload: Record<string, unknown> };
      intervalCycles: number;
      pages: number;
      copyVia: string;
    }[];
    expect(runs[0]!.params.strategy['granularity']).toBe(4);
    expect(runs[1]!.params.strategy).toEqual({ rearm: 'pages' }); // fault-notify: only its own parameter, at its default
    for (const run of runs) {
      expect(run.params.workload['theta']).toBe(0.8);
      expect(run.intervalCycles).toBe(850_000); // 500 µs at 1.7 GHz (fiasco-oc-armv7: Exynos 5250)
      expect(run.pages).toBe(256);
      expect(run.copyVia).toBe('mapped');
    }
    expect(traced.code).toBe(0);
    const traceRuns = (JSON.parse(traced.stdout) as Doc).runs as {
      workload: string;
      params: { workload: Record<string, unknown> };
      accesses: number;
      ok: boolean;
    }[];
    expect(traceRuns.map((run) => run.workload)).toEqual(['trace', 'trace']);
    for (const run of traceRuns) {
      expect(run.params.workload['file']).toBe(trace);
      expect(run.accesses).toBeGreaterThanOrEqual(900); // the whole trace by default
      expect(run.ok).toBe(true);
    }
  });
});

describe('where checkpoints fall', () => {
  const dir = tempDir();
  it('takes --interval-accesses and --interval-from=end into the runs, and warns when a pause reaches the interval', async () => {
    const one = ['--strategy=full-copy', '--workload=uniform', ...SMALL, '--format=json', '-j1'];
    const [accesses, fromEnd, grid] = await Promise.all([
      runCli([...one, '--interval-accesses=1000', '-q'], dir),
      runCli([...one, '--interval=10us', '--interval-from=end', '-q'], dir),
      runCli([...one, '--interval=10us', '-q'], dir),
    ]);
    type R = {
      intervalCycles: number;
      intervalAccesses: number | null;
      intervalFrom: string | null;
      checkpoints: number;
      skippedSlots: number;
    };
    const run = (r: { stdout: string }) => (JSON.parse(r.stdout) as Doc).runs[0] as R;
    expect(accesses.code).toBe(0);
    // After accesses 1000, 2000 and 3000 of 4000, then the final one.
    expect(run(accesses)).toMatchObject({
      intervalCycles: 0,
      intervalAccesses: 1000,
      intervalFrom: null,
      checkpoints: 4,
      skippedSlots: 0,
    });
    expect(accesses.stderr).toBe('');
    // A full copy of 256 pages takes about 85 µs: far past a 10 µs interval.
    expect(run(fromEnd)).toMatchObject({
      intervalCycles: 34_000,
      intervalAccesses: null,
      intervalFrom: 'end',
      skippedSlots: 0,
    });
    expect(fromEnd.stderr).toMatch(
      /^dirtybench: warning: full-copy × uniform on fiasco-oc-x86_64: a checkpoint pause of [\d.]+ µs reached the interval \(10 µs\); B ran less than half the time/m,
    );
    expect(run(grid).intervalFrom).toBe('start');
    expect(run(grid).skippedSlots).toBeGreaterThan(run(grid).checkpoints);
    // Printed even with --quiet: the figures are not what they seem.
    expect(grid.stderr).toMatch(
      new RegExp(
        `^dirtybench: warning: .*reached the interval \\(10 µs\\); ${run(grid).skippedSlots} timer slots skipped \\(skippedSlots\\)`,
        'm',
      ),
    );
  });
});
