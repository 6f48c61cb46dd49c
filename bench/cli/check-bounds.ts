/**
 * `check-bounds [--bounds FILE] [--update] [--jobs N]`: runs the scenarios of
 * the bounds file (./bounds-file.ts, `bench/bounds.json` by default) and
 * holds every observed figure to its ceiling, and every run to its analytic
 * bounds — each stall kind's longest stall to its bound, the periodic task's
 * worst-case response time to the analytic one — and to its verification.
 * Every figure is deterministic simulated cycles, so the check is exact: a
 * ceiling breached is a change of the model, never noise.
 *
 * Prints one row per scenario and figure (ceiling, observed, slack %) and
 * per scenario and analytic bound (the tightest run's bound and observed;
 * none for a stall kind whose bound is 0 and which no run had).
 * Exit 0 when all hold; 1 on a breach, each named on stderr; 2 on a
 * malformed file (the scenario and field named) or a scenario that cannot run.
 *
 * `--update` rewrites every ceiling to the observed figure plus the file's
 * `margin.pct` of it (in whole cycles, bytes and counts, the margin rounded
 * down; a percentage rounded up to three decimals) and prints what moved; the diff of the file is then the
 * review record of the change. It refuses (exit 1, the file untouched) while
 * a run breaks an analytic bound or its verification: a ceiling never
 * absorbs a model bug.
 */
import { writeFileAtomic } from '../../src/io/index.ts';
import type { RunConfig, RunResult } from '../../src/run/index.ts';
import { STALL_BOUND_FIELDS } from '../../src/strategies/index.ts';
import { textTable } from '../table.ts';
import {
  type BoundsFile,
  type Ceiling,
  DEFAULT_BOUNDS_FILE,
  loadBoundsFile,
  renderBoundsFile,
  type Scenario,
} from './bounds-file.ts';
import type { CommandCall } from './commands.ts';
import { EXIT_FAILED, EXIT_OK, isInputError, UsageError } from './errors.ts';
import { type Figure, findFigure } from './figures.ts';
import { type Io, noter } from './io.ts';
import { parseOptionNumber } from './numbers.ts';
import { runOptionSpecs } from './options.ts';
import { buildPlan } from './plan.ts';
import { runAll } from './pool.ts';
import { createProgress } from './progress.ts';
import { pointOptions } from './sweep.ts';
import { describePoint, expandSettings } from './sweep-file.ts';
import { validatePlan } from './validate.ts';

/** One row of the report: a ceiling or an analytic bound of a scenario. */
export interface BoundRow {
  scenario: string;
  /** A figure name (`faultMaxCycles`), or `analytic <field>` for an analytic bound. */
  metric: string;
  /** The ceiling, or the analytic bound. */
  limit: number;
  /** The worst observed over the scenario's runs; null when no run has it (no stall of that kind). */
  observed: number | null;
  /** (limit − observed) / limit × 100; null when the limit is 0. */
  slackPct: number | null;
  breached: boolean;
  /** For a breach: what to tell the user. */
  why?: string;
}

/** A scenario's runs, planned, and their results once run. */
export interface Planned {
  scenario: Scenario;
  configs: RunConfig[];
}

/**
 * The scenarios' runs, planned as the command lines of their points would be.
 * @throws UsageError naming the scenario and the bad key or value.
 */
export function planScenarios(file: BoundsFile): Planned[] {
  return file.scenarios.map((scenario) => {
    const where = `bounds ${file.shown}: scenario '${scenario.name}': run`;
    const configs: RunConfig[] = [];
    for (const point of expandSettings(where, file.shown, scenario.run)) {
      try {
        const plan = buildPlan(pointOptions(point));
        configs.push(...plan.configs);
      } catch (e) {
        if (!isInputError(e)) throw e;
        throw new UsageError(`${where} (${describePoint(point)}): ${e.message}`);
      }
    }
    return { scenario, configs };
  });
}

function slack(limit: number, observed: number | null): number | null {
  if (limit <= 0) return null;
  return ((limit - (observed ?? 0)) / limit) * 100;
}

/** The worst value of `figure` over `runs` (null when none has it). */
function worst(figure: Figure, runs: readonly RunResult[]): number | null {
  let w: number | null = null;
  for (const r of runs) {
    const v = figure.read(r);
    if (v !== null && (w === null || v > w)) w = v;
  }
  return w;
}

/** The rows of one scenario: its ceilings, then its analytic bounds (the run closest to each). */
export function scenarioRows(scenario: Scenario, runs: readonly RunResult[]): BoundRow[] {
  const rows: BoundRow[] = [];
  for (const [name, ceiling] of Object.entries(scenario.ceilings)) {
    const figure = findFigure(name, runs) ?? findFigure(name, []);
    const observed = figure ? worst(figure, runs) : null;
    const breached = observed !== null && observed > ceiling.max;
    rows.push({
      scenario: scenario.name,
      metric: name,
      limit: ceiling.max,
      observed,
      slackPct: slack(ceiling.max, observed),
      breached,
      ...(breached
        ? { why: `${name} ${observed} exceeds its ceiling ${ceiling.max} (${ceiling.reason})` }
        : {}),
    });
  }
  // Each run against its own analytic bounds; the row shows the run that comes closest.
  const analytic: [string, (r: RunResult) => [number, number] | null][] = [
    ...Object.entries(STALL_BOUND_FIELDS).map(
      ([kind, field]): [string, (r: RunResult) => [number, number] | null] => [
        `bounds.${field}`,
        (r) => [r.bounds[field], r.metrics.stallsByKind[kind]?.maxCycles ?? 0],
      ],
    ),
    [
      'realtime.wcrtBoundCycles',
      (r) =>
        r.metrics.realtime ? [r.metrics.realtime.wcrtBoundCycles, r.metrics.realtime.wcrtCycles] : null,
    ],
  ];
  for (const [field, read] of analytic) {
    let closest: { limit: number; observed: number; slack: number } | null = null;
    for (const r of runs) {
      const pair = read(r);
      if (pair === null) continue;
      const [limit, observed] = pair;
      const s = limit > 0 ? (limit - observed) / limit : observed > 0 ? -1 : 1;
      if (closest === null || s < closest.slack) closest = { limit, observed, slack: s };
    }
    // A kind the strategy never causes and no run had says nothing: no row.
    if (closest === null || (closest.limit === 0 && closest.observed === 0)) continue;
    const breached = closest.observed > closest.limit;
    rows.push({
      scenario: scenario.name,
      metric: `analytic ${field}`,
      limit: closest.limit,
      observed: closest.observed,
      slackPct: slack(closest.limit, closest.observed),
      breached,
      ...(breached
        ? { why: `observed ${closest.observed} exceeds the analytic ${field} ${closest.limit}` }
        : {}),
    });
  }
  // Whatever else failed a run (a missed page, a restore that differs).
  for (const r of runs) {
    for (const f of r.failures) {
      if (/exceeds the analytic bound/.test(f)) continue;
      rows.push({
        scenario: scenario.name,
        metric: 'verification',
        limit: 0,
        observed: null,
        slackPct: null,
        breached: true,
        why: `${r.strategy} × ${r.workload}: ${f}`,
      });
    }
  }
  return rows;
}

/** A figure's value as the table shows it: whole numbers exact, percentages to three decimals. */
function cell(v: number | null): string {
  if (v === null) return 'none';
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

export function renderRows(rows: readonly BoundRow[]): string {
  const lines = textTable(
    [
      { header: 'scenario' },
      { header: 'metric' },
      { header: 'ceiling', align: 'right' },
      { header: 'observed', align: 'right' },
      { header: 'slack %', align: 'right' },
      { header: '' },
    ],
    rows.map((r) => [
      r.scenario,
      r.metric,
      cell(r.limit),
      cell(r.observed),
      r.slackPct === null ? '' : r.slackPct.toFixed(1),
      r.breached ? 'BREACH' : '',
    ]),
    { rule: true },
  );
  return `${lines.join('\n')}\n`;
}

/**
 * The ceiling `--update` writes for `observed`: plus `pct` % of it, in whole
 * units (cycles, bytes, counts: the margin rounded down, so a small count
 * keeps its exact value) or, for a percentage, rounded up to three decimals;
 * never below the observed figure.
 */
export function updatedCeiling(figure: Figure | undefined, observed: number | null, pct: number): number {
  const v = observed ?? 0;
  if (figure?.unit === 'pct' || figure?.unit === 'ratio') return Math.ceil(v * (1 + pct / 100) * 1000) / 1000;
  return Math.ceil(v) + Math.floor((Math.ceil(v) * pct) / 100);
}

/** The bounds file with every ceiling at the observed figure plus the margin, and what moved. */
function update(
  file: BoundsFile,
  planned: readonly Planned[],
  results: readonly RunResult[][],
): { file: BoundsFile; moved: string[] } {
  const moved: string[] = [];
  const scenarios = planned.map(({ scenario }, i) => {
    const runs = results[i]!;
    const ceilings: Record<string, Ceiling> = {};
    for (const [name, c] of Object.entries(scenario.ceilings)) {
      const figure = findFigure(name, runs) ?? findFigure(name, []);
      const max = updatedCeiling(figure, figure ? worst(figure, runs) : null, file.margin.pct);
      ceilings[name] = { max, reason: c.reason };
      if (max !== c.max) {
        const change =
          c.max > 0 ? ` (${max > c.max ? '+' : ''}${(((max - c.max) / c.max) * 100).toFixed(1)} %)` : '';
        moved.push(`${scenario.name}: ${name} ${cell(c.max)} → ${cell(max)}${change}`);
      }
    }
    return { ...scenario, ceilings };
  });
  return { file: { ...file, scenarios }, moved };
}

/**
 * Plans, validates and runs every scenario of `file` over `jobs` threads;
 * returns each scenario's runs in the file's order.
 * @throws UsageError naming the scenario whose run options are bad.
 */
export async function runScenarios(
  file: BoundsFile,
  jobs: number,
  progress?: (total: number) => { update(done: number): void; finish(): void },
): Promise<{ planned: Planned[]; results: RunResult[][] }> {
  const planned = planScenarios(file);
  for (const p of planned) {
    try {
      await validatePlan(p);
    } catch (e) {
      if (!isInputError(e)) throw e;
      throw new UsageError(`bounds ${file.shown}: scenario '${p.scenario.name}': run: ${e.message}`);
    }
  }
  const configs = planned.flatMap((p) => p.configs);
  const bar = progress?.(configs.length);
  let all: RunResult[];
  try {
    all = await runAll(configs, jobs, (done) => bar?.update(done));
  } finally {
    bar?.finish();
  }
  const results: RunResult[][] = [];
  let at = 0;
  for (const p of planned) {
    results.push(all.slice(at, at + p.configs.length));
    at += p.configs.length;
  }
  return { planned, results };
}

/** Runs `check-bounds` and returns the exit code. */
export async function checkBounds(call: CommandCall<'check-bounds'>, io: Io): Promise<number> {
  const o = call.options;
  const note = noter(o.quiet, io);
  const jobs =
    o.jobs === undefined
      ? runOptionSpecs.jobs.default
      : parseOptionNumber('jobs', runOptionSpecs.jobs, o.jobs);
  const file = loadBoundsFile(o.bounds ?? DEFAULT_BOUNDS_FILE);
  const progress = (total: number) => createProgress(total, io.stderr, !o.quiet);
  const { planned, results } = await runScenarios(file, jobs, progress);
  const configs = planned.flatMap((p) => p.configs);

  const rows = planned.flatMap((p, i) => scenarioRows(p.scenario, results[i]!));
  io.stdout.write(renderRows(rows));
  const modelBreaches = rows.filter((r) => r.breached && isModelRow(r));

  if (o.update) {
    if (modelBreaches.length > 0) {
      for (const r of modelBreaches) io.stderr.write(`check-bounds: ${r.scenario}: ${r.why}\n`);
      io.stderr.write(
        `check-bounds: not updating ${file.shown}: ${modelBreaches.length} run${modelBreaches.length === 1 ? '' : 's'} broke an analytic bound or the verification, which a ceiling must not absorb\n`,
      );
      return EXIT_FAILED;
    }
    const { file: next, moved } = update(file, planned, results);
    if (moved.length === 0) {
      note(`check-bounds: nothing moved; ${file.shown} unchanged`);
      return EXIT_OK;
    }
    writeFileAtomic(file.path, renderBoundsFile(next));
    io.stderr.write(
      `check-bounds: ${moved.length} ceiling${moved.length === 1 ? '' : 's'} moved to the observed figure + ${file.margin.pct} % in ${file.shown}:\n${moved.map((m) => `  ${m}\n`).join('')}`,
    );
    return EXIT_OK;
  }

  const breaches = rows.filter((r) => r.breached);
  for (const r of breaches) io.stderr.write(`check-bounds: BREACH ${r.scenario}: ${r.why}\n`);
  if (breaches.length > 0) {
    io.stderr.write(
      `check-bounds: ${breaches.length} breach${breaches.length === 1 ? '' : 'es'} in ${file.shown}; a deliberate change: check-bounds --update, and the diff of the file is its review record\n`,
    );
    return EXIT_FAILED;
  }
  note(
    `check-bounds: ${rows.length} figures of ${file.scenarios.length} scenarios (${configs.length} runs) within their ceilings and analytic bounds`,
  );
  return EXIT_OK;
}

/** A row no ceiling governs: an analytic bound or the verification. */
function isModelRow(r: BoundRow): boolean {
  return r.metric.startsWith('analytic ') || r.metric === 'verification';
}
