/**
 * The command line: yargs declarations generated from the registries and the
 * parameter declarations (gem5-style: `--help`, `list` and validation come
 * from the same data, never written twice), and the parse into
 * {@link CliOptions}. Numbers stay words here; {@link ./plan.ts} parses them
 * against their declarations so errors can say what is accepted.
 */
import { availableParallelism } from 'node:os';
import yargs from 'yargs';
import { describeRange, type IntegerParam } from '../../src/params/params.ts';
import { PROFILE_NAMES } from '../../src/platform/index.ts';
import { strategies } from '../../src/strategies/index.ts';
import { commonParamSpecs, workloads } from '../../src/workloads/index.ts';
import { DEFAULT_COMPARISON, DEFAULT_PROFILE, DEFAULT_WORKLOADS } from './defaults.ts';
import { UsageError } from './errors.ts';
import { INTERVAL_SYNTAX, NUMBER_SYNTAX } from './numbers.ts';
import { RESULTS_DIR_ENV } from './paths.ts';

/** What goes to stdout. */
export const FORMATS = ['table', 'json', 'csv', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

/** Declarations of the run options that are not workload parameters. */
export const runOptionSpecs = {
  seed: {
    type: 'integer',
    default: 1,
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
    doc: "Seed of the workloads' PRNG; the same seed gives identical runs.",
  },
  jobs: {
    type: 'integer',
    default: availableParallelism(),
    min: 1,
    max: 1024,
    unit: 'threads',
    doc: 'Worker threads the runs are spread over; the results are identical to --jobs 1, in the same order.',
  },
} as const satisfies Record<string, IntegerParam>;

/** `writeRatio` → `write-ratio`: the option name of a common workload parameter. */
export function optionName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The common workload parameters, keyed by their option names. */
export const commonOptions = Object.fromEntries(
  Object.entries(commonParamSpecs).map(([key, spec]) => [optionName(key), { key, spec }]),
) as Record<
  string,
  { key: keyof typeof commonParamSpecs; spec: (typeof commonParamSpecs)[keyof typeof commonParamSpecs] }
>;

/** The parsed `run` command, every value as typed (undefined when not given). */
export interface CliOptions {
  strategy: string | undefined;
  workload: string | undefined;
  profile: string | undefined;
  /** Common workload parameters by key (`writeRatio`), as words. */
  common: Partial<Record<keyof typeof commonParamSpecs, string>>;
  interval: string | undefined;
  seed: string | undefined;
  set: string[];
  trace: string | undefined;
  out: string | undefined;
  format: Format;
  exportJson: string | undefined;
  exportCsv: string | undefined;
  exportMarkdown: string | undefined;
  quiet: boolean;
  jobs: string | undefined;
}

/** What the command line asks for. */
export type Command =
  | { kind: 'run'; options: CliOptions }
  | { kind: 'list' }
  /** `--help` or `--version`: print the text and exit 0. */
  | { kind: 'print'; text: string };

/** The `--set` keys of every strategy and workload, for `--help`. */
function setKeysHelp(): string {
  const owners = [...strategies, ...workloads]
    .filter((o) => Object.keys(o.params).length > 0)
    .map((o) => `${o.name}: ${Object.keys(o.params).join(', ')}`);
  return `Keys by strategy/workload — ${owners.join('; ')}. Types, defaults and ranges: \`list\`.`;
}

function specHelp(spec: IntegerParam | (typeof commonParamSpecs)[keyof typeof commonParamSpecs]): string {
  return `${spec.doc} Accepts ${describeRange(spec)}${spec.unit ? ` ${spec.unit}` : ''}.`;
}

/** The last value of an option given more than once (yargs then makes an array). */
function last(v: unknown): string | undefined {
  const x = Array.isArray(v) ? v[v.length - 1] : v;
  return x === undefined ? undefined : String(x);
}

function all(v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function build(args: readonly string[], version: string) {
  const strategyNames = strategies.map((s) => s.name).join(', ');
  const workloadNames = workloads.map((w) => w.name).join(', ');
  const d = DEFAULT_COMPARISON;
  let parser = yargs(args)
    .scriptName('npm run bench --')
    .usage(
      [
        'Usage: npm run bench -- [list] [options]',
        '',
        'Runs every selected strategy on every selected workload and profile, in simulated cycles, and compares them.',
        `With no --strategy and --workload: the default comparison, every strategy on ${DEFAULT_WORKLOADS.join(', ')} on ${DEFAULT_PROFILE}` +
          (Object.keys(d).length > 0
            ? `, with ${Object.entries(d)
                .map(([k, v]) => `--${optionName(k)}=${v}`)
                .join(
                  ' ',
                )} unless given (smaller than the workloads' own defaults, so it finishes in seconds).`
            : '.') +
          ' Without --strategy, strategies the profile lacks a capability for are skipped with a note.',
      ].join('\n'),
    )
    .command('$0', 'run the comparison (default)')
    .command('list', 'list strategies, workloads and profiles with parameters, defaults and docs')
    .command('export-trace', "write a workload's exact access sequence as a page trace (export-trace --help)")
    .option('strategy', {
      type: 'string',
      requiresArg: true,
      group: 'Selection:',
      describe: `Strategies, comma-separated, or all: ${strategyNames}.`,
      defaultDescription: 'every strategy the profile supports',
    })
    .option('workload', {
      type: 'string',
      requiresArg: true,
      group: 'Selection:',
      describe: `Workloads, comma-separated, or all: ${workloadNames}.`,
      defaultDescription: `${DEFAULT_WORKLOADS.join(',')} (trace with --trace)`,
    })
    .option('profile', {
      type: 'string',
      requiresArg: true,
      group: 'Selection:',
      describe: `Platform cost profiles, comma-separated: ${PROFILE_NAMES.join(', ')}, all, or a path to a JSON profile.`,
      defaultDescription: DEFAULT_PROFILE,
    })
    .option('trace', {
      type: 'string',
      requiresArg: true,
      group: 'Selection:',
      describe:
        'Trace file for the trace workload (valgrind lackey, plain or gzip, or a page trace); alone it selects --workload=trace.',
    });
  for (const [name, { key, spec }] of Object.entries(commonOptions)) {
    const given = (d as Record<string, number>)[key];
    parser = parser.option(name, {
      type: 'string',
      requiresArg: true,
      group: 'Workload:',
      describe: specHelp(spec),
      defaultDescription:
        given !== undefined
          ? `${given} in the default comparison, else ${spec.default}`
          : String(spec.default),
    });
  }
  parser = parser
    .option('interval', {
      type: 'string',
      requiresArg: true,
      group: 'Run:',
      describe: `Checkpoint interval in target time: ${INTERVAL_SYNTAX} (converted with the profile's cpu.hz).`,
      defaultDescription: '10ms',
    })
    .option('seed', {
      type: 'string',
      requiresArg: true,
      group: 'Run:',
      describe: specHelp(runOptionSpecs.seed),
      defaultDescription: String(runOptionSpecs.seed.default),
    })
    .option('set', {
      type: 'string',
      requiresArg: true,
      group: 'Run:',
      describe: `KEY=VALUE: a parameter of every selected strategy or workload that declares KEY; repeatable. ${setKeysHelp()}`,
    })
    .option('jobs', {
      alias: 'j',
      type: 'string',
      requiresArg: true,
      group: 'Run:',
      describe: specHelp(runOptionSpecs.jobs),
      defaultDescription: `${runOptionSpecs.jobs.default} (available parallelism)`,
    })
    .option('format', {
      type: 'string',
      choices: FORMATS,
      requiresArg: true,
      group: 'Output:',
      describe: 'What goes to stdout.',
      default: 'table',
    })
    .option('out', {
      type: 'string',
      requiresArg: true,
      group: 'Output:',
      describe: `Write results.json, results.csv and summary.md into this directory instead of results/<UTC time>-<description>/ (the results root is $${RESULTS_DIR_ENV}, default <repo>/results; results/latest points at the newest).`,
    })
    .option('export-json', {
      type: 'string',
      requiresArg: true,
      group: 'Output:',
      describe: 'Also write the results JSON (schema dirtybench/results@1) to this file.',
    })
    .option('export-csv', {
      type: 'string',
      requiresArg: true,
      group: 'Output:',
      describe: 'Also write the results CSV (one row per run, units in column names) to this file.',
    })
    .option('export-markdown', {
      type: 'string',
      requiresArg: true,
      group: 'Output:',
      describe: 'Also write the markdown summary (configuration and tables) to this file.',
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      group: 'Output:',
      describe: 'No progress bar and no notes on stderr (errors are still reported; stdout is unchanged).',
    })
    .example([
      ['npm run bench', 'the default comparison'],
      ['npm run bench -- --strategy=fault-notify,kernel-log --workload=zipf --set theta=0.8', ''],
      ['npm run bench -- --strategy=managed-dataspace --set granularity=16 --interval=500us', ''],
      ['npm run bench -- --trace=app.lackey.gz --format=json', ''],
      ['npm run bench -- --profile=fiasco-oc-armv7 --pages=64Ki --accesses=2M', ''],
    ])
    .epilog(
      `Numbers: ${NUMBER_SYNTAX}. Exit codes: 0 success; 1 a run failed verification or a bound (the result files are still written); 2 bad usage or bad input (nothing is written).`,
    )
    .version(version)
    .help()
    .alias('help', 'h')
    .strict()
    .strictCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false);
  return parser;
}

/**
 * Parses the arguments (without `node` and the script).
 * @throws UsageError for an unknown option or command, a missing value, or a bad choice.
 */
export function parseCommandLine(args: readonly string[], version: string): Command {
  let failure: Error | undefined;
  let printed = '';
  const argv = build(args, version)
    .fail((msg, err) => {
      failure = err ?? new UsageError(msg);
    })
    .parse(args as string[], {}, (err, _argv, output) => {
      if (err && !failure) failure = err;
      printed = output;
    }) as Record<string, unknown>;
  if (failure) throw failure instanceof UsageError ? failure : new UsageError(failure.message);
  if (printed !== '') return { kind: 'print', text: printed };
  const positional = (argv['_'] as unknown[]).map(String);
  if (positional[0] === 'list') {
    if (positional.length > 1) throw new UsageError(`list takes no arguments, got '${positional[1]}'`);
    return { kind: 'list' };
  }
  if (positional.length > 0) {
    throw new UsageError(`unexpected argument '${positional[0]}' (commands: list; options: --help)`);
  }
  const common: CliOptions['common'] = {};
  for (const [name, { key }] of Object.entries(commonOptions)) {
    const v = last(argv[name]);
    if (v !== undefined) common[key] = v;
  }
  return {
    kind: 'run',
    options: {
      strategy: last(argv['strategy']),
      workload: last(argv['workload']),
      profile: last(argv['profile']),
      common,
      interval: last(argv['interval']),
      seed: last(argv['seed']),
      set: all(argv['set']),
      trace: last(argv['trace']),
      out: last(argv['out']),
      format: (last(argv['format']) ?? 'table') as Format,
      exportJson: last(argv['export-json']),
      exportCsv: last(argv['export-csv']),
      exportMarkdown: last(argv['export-markdown']),
      quiet: argv['quiet'] === true,
      jobs: last(argv['jobs']),
    },
  };
}
