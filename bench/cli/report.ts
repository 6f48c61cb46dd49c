/**
 * The human-readable views of results: the stdout table and the markdown
 * summary. Strategies are rows, grouped by workload, profile and interval;
 * runs that differ only in their seed are one row, showing each figure's
 * mean ± 95 % CI over the seeds (Student t; the value alone where every
 * seed gave the same) and each worst-case figure's maximum over them
 * (./figures.ts). Figures are shown in µs (from the cpu
 * frequency each run recorded) and rounded for reading; results.json and
 * results.csv keep them exact. A figure a run lacks (an overhead over a
 * 0-cycle baseline, a fault quantile without faults, a field an older
 * results file does not have) shows as `n/a`, never as 0.
 */
import { halfWidth, type RunResult, type SeedSummary } from '../../src/run/index.ts';
import { markdownTable, type TableColumn, textTable } from '../table.ts';
import type { ResultsDocument } from './document.ts';
import {
  type Configuration,
  extraStallKinds,
  FIGURES,
  type Figure,
  figuresOf,
  groupConfigurations,
  summarizeFigure,
} from './figures.ts';

/**
 * Cycles of `run` in µs. The same conversion as the platform's
 * `cyclesToMicros`, from the `cpuHz` the run recorded, so a results file can
 * be rendered without its profile.
 */
export function micros(run: Pick<RunResult, 'cpuHz'>, cycles: number): number {
  return (cycles * 1e6) / run.cpuHz;
}

/** What a table shows where a figure is undefined. */
export const NOT_AVAILABLE = 'n/a';

/** `ok`, or `FAIL: ` and the reasons. */
export function verificationCell(run: RunResult): string {
  return run.ok ? 'ok' : `FAIL: ${run.failures.join('; ')}`;
}

/** A row's verification over its seeds: `ok`, or how many failed and the first failure's reasons. */
function verificationOfRow(runs: readonly RunResult[]): string {
  const failed = runs.filter((r) => !r.ok);
  if (failed.length === 0) return 'ok';
  if (runs.length === 1) return verificationCell(runs[0]!);
  return `FAIL (${failed.length} of ${runs.length} seeds; seed ${failed[0]!.seed}): ${failed[0]!.failures.join('; ')}`;
}

interface Column {
  header: string;
  /** Numbers align right. */
  right: boolean;
  /** The cell of a row (one configuration, one run per seed). */
  cell(runs: readonly RunResult[]): string;
}

/** A number as shown: µs for cycles, fixed digits. */
function format(figure: Figure, run: RunResult, v: number, digits: number): string {
  return (figure.unit === 'cycles' ? micros(run, v) : v).toFixed(digits);
}

/**
 * The column of a figure: its value with one seed; with several, the mean ±
 * the CI's half-width (the mean alone when every seed agrees), or the
 * maximum for a worst-case figure. A count's mean gets a decimal.
 */
function figureColumn(header: string, figure: Figure, digits: number): Column {
  return {
    header,
    right: true,
    cell(runs) {
      const s: SeedSummary | null = summarizeFigure(figure, runs);
      if (s === null) return NOT_AVAILABLE;
      const r = runs[0]!;
      if (figure.over === 'worst') return format(figure, r, s.max, digits);
      const half = halfWidth(s);
      // One seed, or seeds that all agree: the value alone.
      if (half === null || half === 0) return format(figure, r, s.mean, digits);
      const d = Math.max(digits, figure.unit === 'count' ? 1 : 0);
      return `${format(figure, r, s.mean, d)} ± ${format(figure, r, half, d)}`;
    },
  };
}

/** Columns of figures, each [header, figure name (./figures.ts), digits shown]. */
function figureColumns(specs: readonly (readonly [string, string, number])[]): Column[] {
  return specs.map(([header, name, digits]) => {
    const f = FIGURES.find((x) => x.name === name);
    if (!f) throw new Error(`no figure '${name}'`);
    return figureColumn(header, f, digits);
  });
}

/** The columns of every group, in order (real-time and idle ones added where they apply). */
const HEAD: readonly Column[] = [
  { header: 'strategy', right: false, cell: (runs) => runs[0]!.strategy },
  ...figureColumns([['overhead %', 'overheadPct', 2]]),
];
const BUSY = figureColumns([['busy overhead %', 'busyOverheadPct', 2]]);
const BODY = figureColumns([
  ['faults', 'faults', 0],
  ['fault p50 µs', 'faultP50Cycles', 2],
  ['fault p99 µs', 'faultP99Cycles', 2],
  ['fault max µs', 'faultMaxCycles', 2],
]);
const TAIL = figureColumns([
  ['max pause µs', 'pauseMaxCycles', 2],
  ['pages/ckpt', 'checkpointPagesMean', 1],
  ['ckpts', 'checkpoints', 0],
  ['skipped', 'skippedSlots', 0],
  ['precision', 'precision', 3],
  ['peak metadata B', 'peakMetadataBytes', 0],
  ['quota B', 'quotaBytes', 0],
]);
/** How A reached B's memory (`--copy-via`): a setting, the same for every seed. */
const COPY_VIA_COLUMN: Column = { header: 'copy via', right: false, cell: (runs) => runs[0]!.copyVia };
/** When A copied (`--copy`): `stop`, or `cow` with the copier's priority against B; shown where a group has cow runs. */
const COPY_COLUMN: Column = {
  header: 'copy',
  right: false,
  cell: (runs) => (runs[0]!.copy === 'cow' ? `cow (${runs[0]!.copier!.priority})` : 'stop'),
};
const REALTIME = figureColumns([
  ['wcrt µs', 'wcrtCycles', 2],
  ['deadline misses', 'deadlineMisses', 0],
]);
const VERIFICATION: Column = { header: 'verification', right: false, cell: verificationOfRow };

/** The table's columns for runs without idle time, real-time jobs or other stall kinds. */
export const COLUMNS: readonly Column[] = [...HEAD, ...BODY, ...TAIL, VERIFICATION];

/** The longest stall of each other kind a group's runs record (`ringFull max µs`). */
function stallKindColumns(runs: readonly RunResult[]): Column[] {
  return extraStallKinds(runs).map((kind) => {
    const f = figuresOf(runs).find((x) => x.name === `${kind}MaxCycles`)!;
    return figureColumn(`${kind} max µs`, f, 2);
  });
}

/** The columns of a group: busy overhead where B idles, real-time ones where runs have jobs. */
function columnsOf(g: Group): readonly Column[] {
  const runs = g.rows.flatMap((r) => r.runs);
  const idles = runs.some((r) => (r.metrics.breakdownCycles['idle'] ?? 0) > 0);
  const jobs = runs.some((r) => r.metrics.realtime !== null);
  const cow = runs.some((r) => r.copy === 'cow');
  return [
    ...HEAD,
    ...(idles ? BUSY : []),
    ...BODY,
    ...stallKindColumns(runs),
    ...TAIL,
    ...(cow ? [COPY_COLUMN] : []),
    COPY_VIA_COLUMN,
    ...(jobs ? REALTIME : []),
    VERIFICATION,
  ];
}

/** Runs that share a workload (with its parameters), a profile and an interval: one row per configuration. */
export interface Group {
  title: string;
  rows: Configuration[];
}

function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${v === '' ? "''" : String(v)}`)
    .join(' ');
}

/** The interval as a time, e.g. `10 ms`, `500 µs`. */
export function formatInterval(run: RunResult): string {
  const us = micros(run, run.intervalCycles);
  const [value, unit] = us >= 1e6 ? [us / 1e6, 's'] : us >= 1e3 ? [us / 1e3, 'ms'] : [us, 'µs'];
  return `${Number(value.toPrecision(6))} ${unit}`;
}

/** How a run's checkpoints were placed, in words. */
export function describeInterval(run: RunResult): string {
  if (run.intervalAccesses) return `checkpoint after every ${run.intervalAccesses} accesses`;
  const from = run.intervalFrom === 'end' ? ' after the previous one ended' : '';
  const phase = run.phaseCycles ? `, phase ${run.phaseCycles} cycles` : '';
  return `checkpoint every ${formatInterval(run)} (${run.intervalCycles} cycles)${from}${phase}`;
}

/** `seed 1`, or `seeds 1..10` for a run of consecutive ones, else the list. */
export function describeSeeds(seeds: readonly number[]): string {
  const distinct = [...new Set(seeds)];
  if (distinct.length === 1) return `seed ${distinct[0]}`;
  const sorted = [...distinct].sort((a, b) => a - b);
  const consecutive = sorted.every((s, i) => i === 0 || s === sorted[i - 1]! + 1);
  return `seeds ${consecutive ? `${sorted[0]}..${sorted.at(-1)}` : sorted.join(',')}`;
}

/** Groups runs in the order they first appear; a group's rows are its configurations over seeds. */
export function groupRuns(runs: readonly RunResult[]): Group[] {
  const groups = new Map<string, { first: RunResult; runs: RunResult[] }>();
  for (const r of runs) {
    const key = JSON.stringify([
      r.workload,
      r.profile,
      r.params.workload,
      r.pages,
      r.accesses,
      r.intervalCycles,
      r.intervalAccesses ?? null,
      r.intervalFrom ?? null,
      r.phaseCycles ?? 0,
    ]);
    let g = groups.get(key);
    if (!g) {
      g = { first: r, runs: [] };
      groups.set(key, g);
    }
    g.runs.push(r);
  }
  return [...groups.values()].map(({ first: r, runs: rs }) => {
    const rows = groupConfigurations(rs);
    const seeds = describeSeeds(rs.map((x) => x.seed));
    const several = rows.some((row) => row.runs.length > 1);
    const title =
      `${r.workload} on ${r.profile}: ${r.pages} pages, ${r.accesses} accesses, ${formatParams(r.params.workload)}; ` +
      `${describeInterval(r)}; ${seeds}` +
      (several
        ? ` (each row: mean ± 95 % CI over its seeds, Student t; fault max, max pause, peak metadata and wcrt: the maximum over them)`
        : '');
    return { title, rows };
  });
}

/** A group's columns for the renderer, and its cells. */
function layout(g: Group): { columns: TableColumn[]; rows: string[][] } {
  const columns = columnsOf(g);
  return {
    columns: columns.map((c) => ({ header: c.header, align: c.right ? 'right' : 'left' })),
    rows: g.rows.map((row) => columns.map((c) => c.cell(row.runs))),
  };
}

/** The plain-text table for stdout. */
export function renderTable(runs: readonly RunResult[]): string {
  const out: string[] = [];
  for (const g of groupRuns(runs)) {
    const { columns, rows } = layout(g);
    if (out.length > 0) out.push('');
    out.push(g.title, ...textTable(columns, rows, { rule: true }));
  }
  return `${out.join('\n')}\n`;
}

/** The tables in markdown, one `###` section per group. */
export function renderMarkdownTables(runs: readonly RunResult[]): string {
  const out: string[] = [];
  for (const g of groupRuns(runs)) {
    const { columns, rows } = layout(g);
    out.push(`### ${g.title}`, '', ...markdownTable(columns, rows), '');
  }
  return out.join('\n');
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** summary.md: the configuration, then the tables, then the failures. */
export function renderSummary(doc: ResultsDocument): string {
  const { env, runs } = doc;
  const strategyLines = distinct(
    runs.map((r) => {
      const p = formatParams(r.params.strategy);
      return `${r.strategy} (${p ? `${p}; ` : ''}copy via ${r.copyVia})`;
    }),
  );
  const out = [
    '# dirtybench results',
    '',
    `- command: \`${['npm run bench --', ...env.command].join(' ')}\``,
    `- created: ${env.createdAt}, harness ${env.harness}, git ${env.gitCommit ?? 'unknown'}, node ${env.node}`,
    `- profiles: ${distinct(runs.map((r) => `${r.profile} (${r.cpuHz / 1e9} GHz)`)).join(', ')}`,
    `- strategies: ${strategyLines.join(', ')}`,
    `- workloads: ${distinct(runs.map((r) => r.workload)).join(', ')}`,
    `- checkpoint interval: ${distinct(runs.map((r) => describeInterval(r).replace(/^checkpoint (every |after every )?/, ''))).join(', ')}`,
    `- ${describeSeeds(runs.map((r) => r.seed)).replace(' ', ': ')}`,
    `- runs: ${runs.length}, ${runs.filter((r) => !r.ok).length} failed`,
    '',
    '## Results',
    '',
    'Overhead is runtime over the untracked, checkpoint-free baseline (n/a when the baseline took 0 cycles);',
    "busy overhead, shown where B idles between jobs, is runtime minus idle time over the baseline's.",
    'Fault p50/p99/max are the stalls of tracking faults alone, quantiles by nearest rank (an observed stall);',
    'max pause is the longest checkpoint pause. pages/ckpt is the mean of pages copied per regular checkpoint',
    '(the final, partial one is reported apart in results.json, `finalCheckpoint`); ckpts counts every checkpoint,',
    'skipped the timer slots a checkpoint overran; precision = truly written / copied; peak metadata is the',
    'high-water mark of tracking state, quota the RM-session quota; wcrt is the worst-case response time of a',
    'real-time job (deadline = period). With several seeds a cell is the mean ± the half-width of its 95 %',
    'confidence interval (Student t), and the worst-case figures are the maximum over the seeds.',
    '',
    renderMarkdownTables(runs),
  ];
  const failed = runs.filter((r) => !r.ok);
  if (failed.length > 0) {
    out.push('## Failures', '');
    for (const r of failed)
      out.push(`- ${r.strategy} × ${r.workload} on ${r.profile} (seed ${r.seed}): ${r.failures.join('; ')}`);
    out.push('');
  }
  return out.join('\n');
}
