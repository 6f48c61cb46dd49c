/**
 * `npm run bench -- export-trace --workload=NAME [workload options] --out FILE`:
 * writes the workload's exact access sequence — the stream a run with the same
 * options replays, same seed, same order — as a binary page trace with page
 * numbers (src/workloads/export.ts). The native replayer (scripts/native)
 * replays it on real memory; `--workload=trace --trace=FILE` replays it in the
 * model with identical results.
 *
 * The options are the run command's (parsed by the same parser and planned by
 * the same code, so a workload option means here what it means there); the
 * ones that choose strategies, profiles, intervals or outputs of a run do not
 * apply and are refused. `--out` names the trace file.
 */
import { resolve } from 'node:path';
import { prepareRun } from '../../src/run/index.ts';
import { createWorkload, exportPageTrace } from '../../src/workloads/index.ts';
import { harnessVersion } from './document.ts';
import { EXIT_OK, UsageError } from './errors.ts';
import { checkWritableFile } from './files.ts';
import type { Io } from './main.ts';
import { parseCommandLine } from './options.ts';
import { buildPlan } from './plan.ts';

/** The command word after `npm run bench --`. */
export const EXPORT_TRACE_COMMAND = 'export-trace';

/** A strategy the plan needs to exist; one with no parameters and no capabilities, so it changes nothing. */
const NEUTRAL_STRATEGY = 'oracle';

const HELP = `Usage: npm run bench -- export-trace --workload=NAME [workload options] --out FILE

Writes the workload's exact access sequence (the stream a run with the same options
replays: same seed, same order) as a binary page trace with page numbers, for the
native replayer (npm run native) and for --workload=trace --trace=FILE, which then
gives the same results as the generator (give --compute-cycles again; a periodic
workload's job structure is not kept).

Workload options, as for a run: --workload (one name), --trace, --pages, --accesses,
--write-ratio, --compute-cycles, --seed, --set KEY=VALUE (workload parameters), --quiet.
`;

/** Options of a run that have no meaning for an export, by the flag that sets them. */
const NOT_FOR_EXPORT = [
  'strategy',
  'profile',
  'interval',
  'format',
  'export-json',
  'export-csv',
  'export-markdown',
  'jobs',
];

/**
 * Runs `export-trace` with the arguments after the command word; returns the exit code.
 * @throws UsageError, ParamError, WorkloadError (exit 2) for bad input; nothing is written then.
 */
export async function exportTrace(args: readonly string[], io: Io): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(HELP);
    return EXIT_OK;
  }
  for (const name of NOT_FOR_EXPORT) {
    if (
      args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`) || (name === 'jobs' && a === '-j'))
    ) {
      throw new UsageError(
        `export-trace writes a workload's accesses; --${name} does not apply (see export-trace --help)`,
      );
    }
  }
  const command = parseCommandLine(args, harnessVersion());
  if (command.kind !== 'run')
    throw new UsageError('export-trace takes options only (see export-trace --help)');
  const o = command.options;
  if (o.out === undefined) throw new UsageError('export-trace needs --out FILE, the page trace to write');
  if (o.workload === undefined && o.trace === undefined) {
    throw new UsageError('export-trace needs --workload=NAME (one workload) or --trace FILE');
  }
  if (o.workload !== undefined && (o.workload.includes(',') || o.workload.trim() === 'all')) {
    throw new UsageError(`export-trace writes one workload, got --workload=${o.workload}`);
  }
  const out = resolve(o.out);
  checkWritableFile('--out', out);

  const plan = buildPlan({ ...o, strategy: NEUTRAL_STRATEGY, out: undefined });
  const config = plan.configs[0]!;
  const prepared = prepareRun(config);
  const params = (await prepared.workload.prepare?.(prepared.workloadParams)) ?? prepared.workloadParams;
  const stream = createWorkload(prepared.workload, config.common, params, config.seed);
  const jobs = stream.jobs;
  const instructions = prepared.workload.name === 'trace' && params['instructions'] === true;
  const header = exportPageTrace(stream, out, { instructions });
  if (!o.quiet) {
    io.stderr.write(
      `export-trace: ${o.out}: ${header.accesses} accesses (${header.records} records) over ${header.pages} pages, ${header.writtenPages} written\n`,
    );
    if (jobs !== null) {
      io.stderr.write(
        `export-trace: note: ${prepared.workload.name}'s job structure (period ${jobs.periodCycles} cycles, ${jobs.accessesPerJob} accesses per job) is not in the trace; a replay runs the jobs back to back\n`,
      );
    }
  }
  return EXIT_OK;
}
