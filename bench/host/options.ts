/**
 * The host suite's command line (`npm run bench:host -- …`), parsed by yargs
 * like the bench CLI's.
 */
import yargs from 'yargs';
import { SWEEP_SETUP } from './scaling.ts';

export interface HostOptions {
  /** Also write the JSON document here. */
  exportJson: string | undefined;
  /** Size of the synthetic lackey trace, MiB. */
  syntheticMib: number;
  skipWorkloads: boolean;
  skipDefaultBench: boolean;
  /** Accesses of the sweep timed with --jobs 1 and 2. */
  sweepAccesses: number;
  skipSweep: boolean;
}

/**
 * Parses the arguments (without `node` and the script).
 * @returns the options, or the text `--help` asked for.
 * @throws Error with one line for bad usage.
 */
export function parseHostArgs(args: readonly string[]): HostOptions | { help: string } {
  let failure: string | undefined;
  let printed = '';
  const argv = yargs(args)
    .scriptName('npm run bench:host --')
    .usage(
      'Usage: npm run bench:host -- [options]\n\nMeasures how fast this machine runs the harness (never the model) and writes the figures to results/host/<UTC time>.json and .md.',
    )
    .option('export-json', {
      type: 'string',
      requiresArg: true,
      describe: 'Also write the JSON document to this file.',
    })
    .option('synthetic-mib', {
      type: 'number',
      requiresArg: true,
      default: 128,
      describe:
        'Size of the synthetic lackey trace the import is measured on, in MiB (at least 100 shows the bounded memory).',
    })
    .option('skip-workloads', {
      type: 'boolean',
      describe: 'Skip the workload generation and lackey import figures.',
    })
    .option('skip-default-bench', { type: 'boolean', describe: 'Skip timing the default npm run bench.' })
    .option('sweep-accesses', {
      type: 'number',
      requiresArg: true,
      default: SWEEP_SETUP.accesses,
      describe: `Accesses of the sweep of every strategy on uniform (${SWEEP_SETUP.pages} pages) timed with --jobs 1 and --jobs 2.`,
    })
    .option('skip-sweep', { type: 'boolean', describe: 'Skip timing the sweep with --jobs 1 and 2.' })
    .help()
    .alias('help', 'h')
    .version(false)
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      failure = msg ?? err?.message;
    })
    .parse(args as string[], {}, (_err, _argv, output) => {
      printed = output;
    }) as Record<string, unknown>;
  if (failure !== undefined) throw new Error(failure);
  if (printed !== '') return { help: printed };
  const mib = argv['synthetic-mib'] as number;
  if (!Number.isInteger(mib) || mib < 1)
    throw new Error('--synthetic-mib must be a whole number of MiB >= 1');
  const sweepAccesses = argv['sweep-accesses'] as number;
  if (!Number.isSafeInteger(sweepAccesses) || sweepAccesses < 1)
    throw new Error('--sweep-accesses must be a whole number >= 1');
  const exportJson = argv['export-json'] as string | undefined;
  return {
    exportJson,
    syntheticMib: mib,
    skipWorkloads: argv['skip-workloads'] === true,
    skipDefaultBench: argv['skip-default-bench'] === true,
    sweepAccesses,
    skipSweep: argv['skip-sweep'] === true,
  };
}
