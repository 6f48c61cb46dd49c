/**
 * The bench command from arguments to exit code: parse, plan, validate
 * (bad input stops here: exit 2, nothing written), run, write the result
 * files, print the chosen format on stdout and where the files went on
 * stderr. Exit codes: ./errors.ts.
 */
import { isAbsolute, relative } from 'node:path';
import { settleSignals, signalExitCode } from '../../src/io/index.ts';
import type { RunResult } from '../../src/run/index.ts';
import { renderCsv } from './csv.ts';
import { buildDocument, harnessVersion, renderJson } from './document.ts';
import { EXIT_OK, EXIT_USAGE, exitCodeForError, exitCodeForRuns } from './errors.ts';
import {
  checkOutputTargets,
  keepForRecovery,
  type OutputTargets,
  type ResultFiles,
  timestampName,
  writeResults,
} from './files.ts';
import { renderList } from './list.ts';
import { type CliOptions, parseCommandLine } from './options.ts';
import { resultsRoot } from './paths.ts';
import { buildPlan } from './plan.ts';
import { runAll } from './pool.ts';
import { createProgress } from './progress.ts';
import { renderSummary, renderTable } from './report.ts';
import { validatePlan } from './validate.ts';

/** Where the command reads its environment and writes its output. */
export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
}

/** The part of a stream the command uses. */
export type OutStream = Pick<NodeJS.WriteStream, 'write' | 'isTTY'>;

/** Writes `text` to stderr as a line, unless `--quiet`. */
function noter(o: CliOptions, io: Io): (text: string) => void {
  return (text) => {
    if (!o.quiet) io.stderr.write(`${text}\n`);
  };
}

const processIo: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** Runs the command for `args` (what follows `npm run bench --`) and returns the exit code. */
export async function main(args: readonly string[], io: Io = processIo): Promise<number> {
  try {
    const command = parseCommandLine(args, harnessVersion());
    switch (command.kind) {
      case 'print':
        io.stdout.write(`${command.text}\n`);
        return EXIT_OK;
      case 'list':
        io.stdout.write(renderList());
        return EXIT_OK;
      case 'run':
        return await run(command.options, args, io);
    }
  } catch (e) {
    const code = exitCodeForError(e);
    if (code === undefined) throw e; // a bug: crash with the stack
    io.stderr.write(`dirtybench: ${oneLine((e as Error).message)}\n`);
    return code;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** A path as the user would type it from the working directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function run(o: CliOptions, args: readonly string[], io: Io): Promise<number> {
  const note = noter(o, io);
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

/** The output targets of `o`, checked. */
export function outputTargets(o: CliOptions, io: Pick<Io, 'env'>): OutputTargets {
  return checkOutputTargets(
    {
      out: o.out,
      exports: [
        { option: '--export-json', path: o.exportJson, file: 'results.json' },
        { option: '--export-csv', path: o.exportCsv, file: 'results.csv' },
        { option: '--export-markdown', path: o.exportMarkdown, file: 'summary.md' },
      ],
    },
    resultsRoot(io.env),
  );
}

/** What {@link publish} needs besides the runs. */
export interface Publication {
  options: CliOptions;
  /** Where the files go (checked before the runs). */
  targets: OutputTargets;
  /** The arguments, recorded in env.command. */
  args: readonly string[];
  /** Short description for the results directory name. */
  description: string;
  /** When the runs started. */
  createdAt: Date;
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
  const note = noter(o, io);
  const doc = buildDocument(runs, {
    command: [...args],
    createdAt,
    wallSeconds: (Date.now() - createdAt.getTime()) / 1000,
  });
  const json = renderJson(doc);
  const csv = renderCsv(runs);
  const markdown = renderSummary(doc);
  const files: ResultFiles = { 'results.json': json, 'results.csv': csv, 'summary.md': markdown };
  const stdout = { table: renderTable(runs), json, csv, markdown }[o.format];

  let written: string[];
  try {
    written = await writeResults(p.targets, files, `${timestampName(createdAt)}-${p.description}`, note);
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
  note(`results: ${written.map(shown).join(', ')}`);
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
