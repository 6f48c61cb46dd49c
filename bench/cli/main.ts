/**
 * The bench command from arguments to exit code: parse, plan, validate
 * (bad input stops here: exit 2, nothing written), run, write the result
 * files, print the chosen format on stdout and where the files went on
 * stderr. Exit codes: ./errors.ts.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { RunResult } from '../../src/run/index.ts';
import { renderCsv } from './csv.ts';
import { buildDocument, harnessVersion, renderJson } from './document.ts';
import { EXIT_OK, exitCodeForError, exitCodeForRuns, UsageError } from './errors.ts';
import { EXPORT_TRACE_COMMAND, exportTrace } from './export-trace.ts';
import {
  checkOutDir,
  checkWritableFile,
  withSignalsHeld,
  writeFileAtomic,
  writeFilesInto,
  writeResultsDir,
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
    if (args[0] === EXPORT_TRACE_COMMAND) return await exportTrace(args.slice(1), io);
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
  if (o.out !== undefined) checkOutDir(o.out);
  if (o.exportJson !== undefined) checkWritableFile('--export-json', o.exportJson);
  if (o.exportCsv !== undefined) checkWritableFile('--export-csv', o.exportCsv);
  if (o.exportMarkdown !== undefined) checkWritableFile('--export-markdown', o.exportMarkdown);
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
  return publish(runs, { options: o, args, description: plan.description, createdAt }, io);
}

/** What {@link publish} needs besides the runs. */
export interface Publication {
  options: CliOptions;
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
 * verification or a bound (its files are still written), else 0.
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
  const files = { 'results.json': json, 'results.csv': csv, 'summary.md': markdown };

  const written = await withSignalsHeld(() => writeAll(o, p.description, createdAt, io, files)).catch((e) => {
    // A file system refusing the writes (EACCES, ENOSPC …) is bad input: say which and exit 2.
    if (typeof (e as NodeJS.ErrnoException).code === 'string') {
      throw new UsageError(`cannot write the results: ${(e as Error).message}`);
    }
    throw e;
  });

  const stdout = { table: renderTable(runs), json, csv, markdown }[o.format];
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
  return exitCodeForRuns(runs);
}

/** Writes the result files (results directory or --out, then the exports); returns where they went. */
function writeAll(
  o: CliOptions,
  description: string,
  createdAt: Date,
  io: Io,
  files: { 'results.json': string; 'results.csv': string; 'summary.md': string },
): string[] {
  const where: string[] = [];
  if (o.out !== undefined) {
    writeFilesInto(resolve(o.out), files);
    where.push(resolve(o.out));
  } else {
    where.push(writeResultsDir(resultsRoot(io.env), description, createdAt, files));
  }
  for (const [path, data] of [
    [o.exportJson, files['results.json']],
    [o.exportCsv, files['results.csv']],
    [o.exportMarkdown, files['summary.md']],
  ] as const) {
    if (path !== undefined) {
      writeFileAtomic(resolve(path), data);
      where.push(resolve(path));
    }
  }
  return where;
}
