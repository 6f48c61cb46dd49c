/**
 * The human-readable views of results: the stdout table and the markdown
 * summary. Strategies are rows, grouped by workload and profile. Figures are
 * shown in µs (from the cpu frequency each run recorded) and rounded for
 * reading; results.json and results.csv keep them exact.
 */
import type { RunResult } from '../../src/run/index.ts';
import { markdownTable, type TableColumn, textTable } from '../table.ts';
import type { ResultsDocument } from './document.ts';

/**
 * Cycles of `run` in µs. The same conversion as the platform's
 * `cyclesToMicros`, from the `cpuHz` the run recorded, so a results file can
 * be rendered without its profile.
 */
export function micros(run: Pick<RunResult, 'cpuHz'>, cycles: number): number {
  return (cycles * 1e6) / run.cpuHz;
}

/** `ok`, or `FAIL: ` and the reasons. */
export function verificationCell(run: RunResult): string {
  return run.ok ? 'ok' : `FAIL: ${run.failures.join('; ')}`;
}

interface Column {
  header: string;
  /** Numbers align right. */
  right: boolean;
  cell(run: RunResult): string;
}

/** The table's columns, in order. */
export const COLUMNS: readonly Column[] = [
  { header: 'strategy', right: false, cell: (r) => r.strategy },
  { header: 'overhead %', right: true, cell: (r) => r.metrics.overheadPct.toFixed(2) },
  { header: 'faults', right: true, cell: (r) => String(r.metrics.faults) },
  { header: 'max stall µs', right: true, cell: (r) => micros(r, r.metrics.stalls.maxCycles).toFixed(2) },
  { header: 'p99 stall µs', right: true, cell: (r) => micros(r, r.metrics.stalls.p99Cycles).toFixed(2) },
  { header: 'max pause µs', right: true, cell: (r) => micros(r, r.metrics.pause.maxCycles).toFixed(2) },
  { header: 'pages/ckpt', right: true, cell: (r) => r.metrics.checkpointPages.mean.toFixed(1) },
  { header: 'precision', right: true, cell: (r) => r.metrics.precision.toFixed(3) },
  { header: 'metadata B', right: true, cell: (r) => String(r.metrics.memory.metadataBytes) },
  { header: 'quota B', right: true, cell: (r) => String(r.metrics.memory.quotaBytes) },
  { header: 'copy via', right: false, cell: (r) => r.copyVia },
  { header: 'verification', right: false, cell: verificationCell },
];

/** Shown before `verification` for workloads with real-time jobs (`periodic`). */
const REALTIME_COLUMNS: readonly Column[] = [
  {
    header: 'wcrt µs',
    right: true,
    cell: (r) => (r.metrics.realtime ? micros(r, r.metrics.realtime.wcrtCycles).toFixed(2) : ''),
  },
  { header: 'deadline misses', right: true, cell: (r) => String(r.metrics.realtime?.deadlineMisses ?? '') },
];

/** The columns of a group: the real-time ones only where runs have jobs. */
function columnsOf(g: Group): readonly Column[] {
  if (!g.runs.some((r) => r.metrics.realtime !== null)) return COLUMNS;
  return [...COLUMNS.slice(0, -1), ...REALTIME_COLUMNS, COLUMNS[COLUMNS.length - 1]!];
}

/** Runs that share a workload (with its parameters), a profile, an interval and a seed. */
export interface Group {
  title: string;
  runs: RunResult[];
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

/** Groups runs in the order they first appear. */
export function groupRuns(runs: readonly RunResult[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of runs) {
    const key = JSON.stringify([
      r.workload,
      r.profile,
      r.params.workload,
      r.pages,
      r.accesses,
      r.intervalCycles,
      r.seed,
    ]);
    let g = groups.get(key);
    if (!g) {
      const title =
        `${r.workload} on ${r.profile}: ${r.pages} pages, ${r.accesses} accesses, ${formatParams(r.params.workload)}; ` +
        `checkpoint every ${formatInterval(r)} (${r.intervalCycles} cycles); seed ${r.seed}`;
      g = { title, runs: [] };
      groups.set(key, g);
    }
    g.runs.push(r);
  }
  return [...groups.values()];
}

/** A group's columns for the renderer, and its cells. */
function layout(g: Group): { columns: TableColumn[]; rows: string[][] } {
  const columns = columnsOf(g);
  return {
    columns: columns.map((c) => ({ header: c.header, align: c.right ? 'right' : 'left' })),
    rows: g.runs.map((r) => columns.map((c) => c.cell(r))),
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
    `- checkpoint interval: ${distinct(runs.map((r) => `${formatInterval(r)} (${r.intervalCycles} cycles)`)).join(', ')}`,
    `- seed: ${distinct(runs.map((r) => String(r.seed))).join(', ')}`,
    `- runs: ${runs.length}, ${runs.filter((r) => !r.ok).length} failed`,
    '',
    '## Results',
    '',
    'Overhead is runtime over the untracked, checkpoint-free baseline. Stalls are every interval B could not run',
    '(fault resolutions and checkpoint pauses); pages/ckpt is the mean of pages copied per checkpoint;',
    'precision = truly written / copied; metadata and quota are bytes of tracking state and RM-session quota;',
    'wcrt is the worst-case response time of a real-time job (deadline = period).',
    '',
    renderMarkdownTables(runs),
  ];
  const failed = runs.filter((r) => !r.ok);
  if (failed.length > 0) {
    out.push('## Failures', '');
    for (const r of failed)
      out.push(`- ${r.strategy} × ${r.workload} on ${r.profile}: ${r.failures.join('; ')}`);
    out.push('');
  }
  return out.join('\n');
}
