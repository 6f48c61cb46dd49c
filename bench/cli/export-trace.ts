/**
 * `npm run bench -- export-trace --workload=NAME [workload options] --out FILE`:
 * writes the workload's exact access sequence — the stream a run with the same
 * options replays, same seed, same order — as a binary page trace with page
 * numbers (src/workloads/export.ts). The native replayer (scripts/native)
 * replays it on real memory; `--workload=trace --trace=FILE` replays it in the
 * model with identical results.
 *
 * The options are the run command's workload options (declared once in
 * ./options.ts and planned by the same code, so a workload option means here
 * what it means there); the ones that choose strategies, profiles, intervals
 * or outputs of a run do not apply and the parser refuses them. `--out`
 * names the trace file.
 */
import { prepareRun } from '../../src/run/index.ts';
import { createWorkload, exportPageTrace } from '../../src/workloads/index.ts';
import type { CommandCall } from './commands.ts';
import { EXIT_OK, UsageError } from './errors.ts';
import { checkFileTarget } from './files.ts';
import type { Io } from './io.ts';
import { buildPlan } from './plan.ts';

/** A strategy the plan needs to exist; one with no parameters and no capabilities, so it changes nothing. */
const NEUTRAL_STRATEGY = 'oracle';

/**
 * Runs `export-trace` (the options are the table's, ./options.ts: a run's
 * workload options and `--out`; run options such as `--strategy` are refused
 * by the parser); returns the exit code.
 * @throws UsageError, ParamError, WorkloadError (exit 2) for bad input; nothing is written then.
 */
export async function exportTrace(call: CommandCall<'export-trace'>, io: Io): Promise<number> {
  const o = call.options;
  if (o.out === undefined) throw new UsageError('export-trace needs --out FILE, the page trace to write');
  if (o.workload === undefined && o.trace === undefined) {
    throw new UsageError('export-trace needs --workload=NAME (one workload) or --trace FILE');
  }
  if (o.workload !== undefined && (o.workload.includes(',') || o.workload.trim() === 'all')) {
    throw new UsageError(`export-trace writes one workload, got --workload=${o.workload}`);
  }
  const out = checkFileTarget('--out', o.out);

  // Only the workload options: what a run would replay, whatever strategy, profile or interval it had.
  const plan = buildPlan({
    common: o.common,
    strategy: NEUTRAL_STRATEGY,
    workload: o.workload,
    trace: o.trace,
    seed: o.seed,
    set: o.set,
  });
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
