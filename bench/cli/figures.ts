/**
 * The figures of a run by name, and runs grouped into configurations over
 * seeds: what the tables, `summaries` in results.json and `compare` share.
 *
 * Each figure says where a run (as results.json stores it) keeps it, whether
 * lower or higher is better, and how several seeds combine: `mean` figures
 * show their mean ± 95 % CI (Student t, src/run/seeds.ts), `worst` figures
 * (the longest stall of a kind, the peak memory, the WCRT) the maximum over
 * seeds — a worst case averaged over seeds would be none. A figure a run
 * does not have (an older results file, a stall kind that never occurred,
 * an overhead over a 0-cycle baseline) reads as null, never 0.
 */
import { type RunResult, type SeedSummary, summarizeSeeds } from '../../src/run/index.ts';

/** How a figure combines over seeds. */
export type Aggregate = 'mean' | 'worst';

/** One figure of a run. */
export interface Figure {
  /** Its name in `summaries`, `compare` and `--fail-on` (`overheadPct`, `faultMaxCycles`). */
  name: string;
  /** What it is, one line. */
  doc: string;
  /** `lower` or `higher` is better; null when neither is (`checkpoints`). */
  better: 'lower' | 'higher' | null;
  over: Aggregate;
  /** Its unit, for display: cycles are shown in µs. */
  unit: 'pct' | 'cycles' | 'count' | 'pages' | 'ratio' | 'bytes';
  read(run: RunResult): number | null;
}

/** The value at a dot-separated path of `run`, when it is a finite number. */
function at(run: unknown, path: string): number | null {
  let v: unknown = run;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null) return null;
    v = (v as Record<string, unknown>)[key];
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A figure read at `path`. */
function field(
  name: string,
  path: string,
  unit: Figure['unit'],
  over: Aggregate,
  doc: string,
  better: Figure['better'] = 'lower',
): Figure {
  return { name, doc, better, over, unit, read: (r) => at(r, path) };
}

/**
 * A quantile or the max of one stall kind: null for a run without a stall
 * of that kind (a p50 of no faults is undefined, not 0).
 */
function stallFigure(kind: string, stat: 'p50' | 'p99' | 'max'): Figure {
  const label = stat === 'max' ? 'longest' : `${stat} (nearest rank) of the`;
  return {
    name: `${kind}${stat === 'max' ? 'Max' : stat === 'p50' ? 'P50' : 'P99'}Cycles`,
    doc: `${label} ${kind} stalls`,
    better: 'lower',
    over: stat === 'max' ? 'worst' : 'mean',
    unit: 'cycles',
    read: (r) => {
      const base = `metrics.stallsByKind.${kind}`;
      const count = at(r, `${base}.count`);
      return count === null || count === 0 ? null : at(r, `${base}.${stat}Cycles`);
    },
  };
}

/** The stall kinds every run has; others (`ringFull`, …) are found in the runs. */
const FIXED_KINDS = ['fault', 'checkpoint'];

/** The figures every run has, in the order tables and `compare` show them. */
export const FIGURES: readonly Figure[] = [
  field('overheadPct', 'metrics.overheadPct', 'pct', 'mean', 'runtime over the baseline, %'),
  field(
    'busyOverheadPct',
    'metrics.busyOverheadPct',
    'pct',
    'mean',
    "runtime minus idle over the baseline's, %",
  ),
  field('runtimeCycles', 'metrics.runtimeCycles', 'cycles', 'mean', 'runtime'),
  field('faults', 'metrics.faults', 'count', 'mean', 'tracking faults'),
  stallFigure('fault', 'p50'),
  stallFigure('fault', 'p99'),
  stallFigure('fault', 'max'),
  field(
    'pauseMeanCycles',
    'metrics.pause.meanCycles',
    'cycles',
    'mean',
    'mean pause of a regular checkpoint',
  ),
  field('pauseMaxCycles', 'metrics.pause.maxCycles', 'cycles', 'worst', 'longest checkpoint pause'),
  field('checkpoints', 'checkpoints', 'count', 'mean', 'checkpoints (the final one included)', null),
  field('skippedSlots', 'skippedSlots', 'count', 'mean', 'timer slots a checkpoint overran'),
  field(
    'checkpointPagesMean',
    'metrics.checkpointPages.mean',
    'pages',
    'mean',
    'pages copied per regular checkpoint',
  ),
  field('precision', 'metrics.precision', 'ratio', 'mean', 'written / copied pages', 'higher'),
  field('metadataBytes', 'metrics.memory.metadataBytes', 'bytes', 'mean', 'tracking metadata at the end'),
  field('peakMetadataBytes', 'metrics.memory.peakMetadataBytes', 'bytes', 'worst', 'peak tracking metadata'),
  field('quotaBytes', 'metrics.memory.quotaBytes', 'bytes', 'mean', 'RM-session quota'),
  field('wcrtCycles', 'metrics.realtime.wcrtCycles', 'cycles', 'worst', 'worst-case response time of a job'),
  field('deadlineMisses', 'metrics.realtime.deadlineMisses', 'count', 'mean', 'jobs past their deadline'),
];

/** The stall kinds of `runs` beyond `fault` and `checkpoint`, in the order first seen. */
export function extraStallKinds(runs: readonly RunResult[]): string[] {
  const kinds = new Set<string>();
  for (const r of runs) {
    const byKind = (r.metrics as Partial<RunResult['metrics']>).stallsByKind ?? {};
    for (const k of Object.keys(byKind)) if (!FIXED_KINDS.includes(k)) kinds.add(k);
  }
  return [...kinds];
}

/** Every figure of `runs`: {@link FIGURES}, then p99 and max of each other stall kind they record. */
export function figuresOf(runs: readonly RunResult[]): Figure[] {
  const extra = extraStallKinds(runs).flatMap((k) => [stallFigure(k, 'p99'), stallFigure(k, 'max')]);
  return [...FIGURES, ...extra];
}

/** The figure named `name` among those of `runs`, or undefined. */
export function findFigure(name: string, runs: readonly RunResult[]): Figure | undefined {
  return figuresOf(runs).find((f) => f.name === name);
}

/** The settings that make a configuration, by name: everything that determines a run but its seed. */
export function settingsOf(run: RunResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    strategy: run.strategy,
    workload: run.workload,
    profile: run.profile,
    pages: run.pages,
    accesses: run.accesses,
    intervalCycles: run.intervalCycles,
    intervalAccesses: run.intervalAccesses ?? null,
    intervalFrom: run.intervalFrom ?? (run.intervalAccesses ? null : 'start'),
    phaseCycles: run.phaseCycles ?? (run.intervalAccesses ? null : 0),
    copyVia: run.copyVia ?? null,
  };
  for (const [k, v] of Object.entries(run.params.strategy)) out[`strategy.${k}`] = v;
  for (const [k, v] of Object.entries(run.params.workload)) out[`workload.${k}`] = v;
  return out;
}

/** A configuration's key: its settings but those named in `without`. */
export function configKey(run: RunResult, without: ReadonlySet<string> = new Set()): string {
  const s = settingsOf(run);
  return JSON.stringify(
    Object.keys(s)
      .filter((k) => !without.has(k))
      .sort()
      .map((k) => [k, s[k]]),
  );
}

/** One configuration: its runs over seeds, in the order given. */
export interface Configuration {
  key: string;
  runs: RunResult[];
}

/** Runs grouped by configuration (all settings but the seed, and those in `without`), in the order first seen. */
export function groupConfigurations(
  runs: readonly RunResult[],
  without: ReadonlySet<string> = new Set(),
): Configuration[] {
  const groups = new Map<string, Configuration>();
  for (const r of runs) {
    const key = configKey(r, without);
    let g = groups.get(key);
    if (!g) {
      g = { key, runs: [] };
      groups.set(key, g);
    }
    g.runs.push(r);
  }
  return [...groups.values()];
}

/** A figure over the seeds of one configuration: null when no run has it. */
export function summarizeFigure(figure: Figure, runs: readonly RunResult[]): SeedSummary | null {
  const values = runs.map((r) => figure.read(r)).filter((v): v is number => v !== null);
  return values.length > 0 ? summarizeSeeds(values) : null;
}

/** `summaries[i]` of results.json: one configuration over its seeds. */
export interface ConfigurationSummary {
  strategy: string;
  workload: string;
  profile: string;
  params: RunResult['params'];
  pages: number;
  accesses: number;
  intervalCycles: number;
  intervalAccesses: number | null;
  intervalFrom: RunResult['intervalFrom'];
  cpuHz: number;
  /** The seeds of its runs, in run order. */
  seeds: number[];
  /** Every run passed verification and its bounds. */
  ok: boolean;
  /**
   * Each figure over the seeds (n, mean, sd, 95 % CI, min, max; the CI null
   * with one seed); null when no run has the figure. Worst-case figures
   * (the `worst` of {@link FIGURES}) are read as their `max`.
   */
  metrics: Record<string, SeedSummary | null>;
}

/** The per-configuration summaries of `runs`, in the order first seen. */
export function summarizeConfigurations(runs: readonly RunResult[]): ConfigurationSummary[] {
  const figures = figuresOf(runs);
  return groupConfigurations(runs).map(({ runs: rs }) => {
    const r = rs[0]!;
    return {
      strategy: r.strategy,
      workload: r.workload,
      profile: r.profile,
      params: r.params,
      pages: r.pages,
      accesses: r.accesses,
      intervalCycles: r.intervalCycles,
      intervalAccesses: r.intervalAccesses ?? null,
      intervalFrom: r.intervalFrom ?? null,
      cpuHz: r.cpuHz,
      seeds: rs.map((x) => x.seed),
      ok: rs.every((x) => x.ok),
      metrics: Object.fromEntries(figures.map((f) => [f.name, summarizeFigure(f, rs)])),
    };
  });
}
