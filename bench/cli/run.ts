/**
 * The comparison (the default command): plan, check the output targets and
 * validate (bad input stops here: exit 2, nothing written), run, write the
 * result files, print the chosen format on stdout and where the files went
 * on stderr. Exit codes: ./errors.ts.
 */
import { settleSignals, signalExitCode } from '../../src/io/index.ts';
import type { RunResult } from '../../src/run/index.ts';
import { renderCsv } from './csv.ts';
import { buildDocument, renderJson, type SweepInfo } from './document.ts';
import { EXIT_USAGE, exitCodeForRuns, UsageError } from './errors.ts';
import { groupConfigurations } from './figures.ts';
import {
  checkOutputTargets,
  keepForRecovery,
  type OutputTargets,
  type ResultFiles,
  type SetExtras,
  type SetFile,
  timestampName,
  writeResults,
} from './files.ts';
import { type Io, noter, oneLine } from './io.ts';
import { type CliOptions, type Format, fieldName, OPTIONS, type OptionDecl } from './options.ts';
import { resultsRoot, shownPath } from './paths.ts';
import { buildPlan } from './plan.ts';
import { runAll } from './pool.ts';
import { createProgress } from './progress.ts';
import { formatInterval, micros, renderSummary, renderTable } from './report.ts';
import { runSweep } from './sweep.ts';
import { validatePlan } from './validate.ts';

/** Runs the comparison `o` asks for (`args` are recorded in the results) and returns the exit code. */
export async function runComparison(o: CliOptions, args: readonly string[], io: Io): Promise<number> {
  if (o.sweep !== undefined) return runSweep(o, args, io);
  if (o.shard !== undefined) throw new UsageError('--shard needs --sweep FILE: it selects runs of a sweep');
  const note = noter(o.quiet, io);
  const plan = buildPlan(o);
  const targets = outputTargets(o, io);
  await validatePlan(plan);
  for (const s of plan.skipped) note(s);

  const createdAt = new Date();
  const progress = createProgress(plan.configs.length, io.stderr, !o.quiet);
  let runs: RunResult[];
  try {
    runs = await runAll(plan.configs, plan.jobs, (done) => progress.update(done));
  } finally {
    progress.finish();
  }
  return publish(runs, { options: o, targets, args, description: plan.description, createdAt }, io);
}

/** The output targets of `o` (a command's parsed options) — every option the table marks as written — checked. */
export function outputTargets(o: object, io: Pick<Io, 'env'>): OutputTargets {
  const paths = Object.entries(OPTIONS as Record<string, OptionDecl>).filter(
    ([, d]) => d.writes !== undefined,
  );
  const value = (name: string) => (o as unknown as Record<string, string | undefined>)[fieldName(name)];
  const out = paths.find(([, d]) => d.writes === 'set');
  return checkOutputTargets(
    {
      out: out ? value(out[0]) : undefined,
      exports: paths
        .filter(([, d]) => d.writes !== 'set')
        .map(([name, d]) => ({ option: `--${name}`, path: value(name), file: d.writes as SetFile })),
    },
    resultsRoot(io.env),
  );
}

/**
 * One sentence per configuration whose checkpoint pause reached its time
 * interval: its timer then skipped slots (grid) or B ran less than half the
 * time (from the end), so its overhead and pauses describe a different
 * checkpoint rate than the one asked for. Printed even with --quiet: it says
 * the figures are not what they seem.
 */
export function pauseWarnings(runs: readonly RunResult[]): string[] {
  const out: string[] = [];
  for (const { runs: rs } of groupConfigurations(runs)) {
    const r = rs[0]!;
    if (r.intervalAccesses || r.intervalCycles <= 0) continue;
    const longest = Math.max(...rs.map((x) => x.metrics.pause.maxCycles));
    if (longest < r.intervalCycles) continue;
    const skipped = rs.reduce((n, x) => n + x.skippedSlots, 0);
    out.push(
      `${r.strategy} × ${r.workload} on ${r.profile}: a checkpoint pause of ${micros(r, longest).toFixed(2)} µs reached the interval (${formatInterval(r)})` +
        (r.intervalFrom === 'end'
          ? '; B ran less than half the time'
          : `; ${skipped} timer slot${skipped === 1 ? '' : 's'} skipped${rs.length > 1 ? ` over ${rs.length} seeds` : ''} (skippedSlots), so it took fewer checkpoints than asked`) +
        ' — consider a longer --interval, --interval-from=end or --interval-accesses',
    );
  }
  return out;
}

/** What {@link publish} needs besides the runs. */
export interface Publication {
  options: { quiet: boolean; format: Format };
  /** Where the files go (checked before the runs). */
  targets: OutputTargets;
  /** The arguments, recorded in env.command. */
  args: readonly string[];
  /** Short description for the results directory name. */
  description: string;
  /** When the runs started. */
  createdAt: Date;
  /** For a sweep: `env.sweep`, and what its set carries besides the three files. */
  sweep?: { info: SweepInfo; extras?: SetExtras };
}

/**
 * Writes the result files, prints the chosen format on stdout and where the
 * files went on stderr, and returns the exit code: 1 when a run failed
 * verification or a bound (its files are still written), else 0; 130 or 143
 * when SIGINT or SIGTERM arrived during the write (which finished first).
 * A write that fails (a full disk …) exits 2 with the files kept in a
 * recovery directory, or the results JSON on stdout when even that fails.
 */
export async function publish(runs: RunResult[], p: Publication, io: Io): Promise<number> {
  const { options: o, args, createdAt } = p;
  const note = noter(o.quiet, io);
  const doc = buildDocument(runs, {
    command: [...args],
    createdAt,
    wallSeconds: (Date.now() - createdAt.getTime()) / 1000,
    ...(p.sweep ? { sweep: p.sweep.info } : {}),
  });
  const json = renderJson(doc);
  const csv = renderCsv(runs);
  const markdown = renderSummary(doc);
  const files: ResultFiles = { 'results.json': json, 'results.csv': csv, 'summary.md': markdown };
  const stdout = { table: renderTable(runs), json, csv, markdown }[o.format];

  let written: string[];
  try {
    written = await writeResults(
      p.targets,
      files,
      `${timestampName(createdAt)}-${p.description}`,
      note,
      p.sweep?.extras,
    );
  } catch (e) {
    if (typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
    const kept = keepForRecovery(files);
    const where = kept
      ? `the runs are kept in ${kept} (with results.csv and summary.md beside it)`
      : o.format === 'json'
        ? 'the runs are in the results JSON on stdout'
        : 'the runs are printed on stdout as results JSON instead of the chosen format';
    io.stdout.write(kept || o.format === 'json' ? stdout : json);
    io.stderr.write(`dirtybench: cannot write the results (${oneLine((e as Error).message)}); ${where}\n`);
    const signal = await settleSignals();
    return signal ? signalExitCode(signal) : EXIT_USAGE;
  }
  const signal = await settleSignals();

  io.stdout.write(stdout);
  note(`results: ${written.map(shownPath).join(', ')}`);
  for (const w of pauseWarnings(runs)) io.stderr.write(`dirtybench: warning: ${w}\n`);
  const failed = runs.filter((r) => !r.ok);
  if (failed.length > 0) {
    io.stderr.write(
      `dirtybench: ${failed.length} of ${runs.length} runs failed verification or a bound: ${failed
        .map((r) => `${r.strategy} × ${r.workload} on ${r.profile}: ${r.failures.join('; ')}`)
        .join(' | ')}\n`,
    );
  }
  if (signal) {
    io.stderr.write(`dirtybench: interrupted (${signal}) while writing: the results were written first\n`);
    return signalExitCode(signal);
  }
  return exitCodeForRuns(runs);
}
