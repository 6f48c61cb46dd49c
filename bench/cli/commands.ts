/**
 * The subcommands, declared once in {@link COMMANDS}, and the parse of a
 * command line against them and the option table (./options.ts): yargs is
 * configured from the two tables, so `--help`, strictness (an option the
 * command does not take is an error) and the parsed values all follow them.
 *
 * To add a subcommand: a line in {@link COMMANDS} (name, one-line doc,
 * positional arguments, handler), and `commands: [..., 'name']` on each
 * option of ./options.ts it takes.
 */
import yargs, { type Argv } from 'yargs';
import { checkBounds } from './check-bounds.ts';
import { compareCommand } from './compare.ts';
import { DEFAULT_COMPARISON, DEFAULT_PROFILE, DEFAULT_WORKLOADS } from './defaults.ts';
import { EXIT_OK, UsageError } from './errors.ts';
import { exportTrace } from './export-trace.ts';
import type { Io } from './io.ts';
import { renderList } from './list.ts';
import { mergeCommand } from './merge.ts';
import { NUMBER_SYNTAX } from './numbers.ts';
import {
  COMMON_OPTIONS,
  type CommonWords,
  extractOption,
  fieldName,
  OPTION_GROUPS,
  OPTIONS,
  type OptionDecl,
  optionName,
  type ParsedOptions,
} from './options.ts';
import { runComparison } from './run.ts';

/** A positional argument of a subcommand (`compare <base> <new>`, `merge <dirs..>`). */
export interface PositionalDecl {
  name: string;
  describe: string;
  /** Takes every remaining argument (only the last may). */
  variadic?: boolean;
}

/** What a handler is called with. */
export interface CommandCall<C extends string> {
  /** The options the command takes, parsed (./options.ts). */
  options: ParsedOptions<C>;
  /** The positional arguments by name (a variadic one has every value, the others one). */
  positionals: Record<string, string[]>;
  /** The arguments as given (recorded in results). */
  args: readonly string[];
}

/** One subcommand. */
export interface CommandDecl<C extends string = string> {
  /** What the user types (`list`); `run` is the default command, typed as nothing. */
  name: C;
  /** One line for `--help`. */
  describe: string;
  positionals?: readonly PositionalDecl[];
  /** Runs the command; returns the exit code. */
  handle(call: CommandCall<C>, io: Io): Promise<number> | number;
}

function command<const C extends string>(decl: CommandDecl<C>): CommandDecl<C> {
  return decl;
}

/** The default command's name. */
export const DEFAULT_COMMAND = 'run';

export const COMMANDS: readonly CommandDecl[] = [
  command({
    name: 'run',
    describe: 'run the comparison (default)',
    handle: (c, io) => runComparison(c.options, c.args, io),
  }),
  command({
    name: 'list',
    describe: 'list strategies, workloads and profiles with parameters, defaults and docs',
    handle: (_c, io) => {
      io.stdout.write(renderList());
      return EXIT_OK;
    },
  }),
  command({
    name: 'merge',
    describe:
      "join the shards of a sweep (--sweep FILE --shard I/N --out DIR, for I = 0 … N-1) into the sweep's results, as the unsharded sweep writes them",
    positionals: [{ name: 'dirs', describe: 'the shard directories, one per shard', variadic: true }],
    handle: (c, io) => mergeCommand(c, io),
  }),
  command({
    name: 'export-trace',
    describe:
      "write a workload's exact access sequence (same seed, same order as a run) as a page trace: --workload=NAME [workload options] --out FILE",
    handle: (c, io) => exportTrace(c, io),
  }),
  command({
    name: 'check-bounds',
    describe:
      "run the scenarios of the bounds file (bench/bounds.json) and hold every figure to its ceiling and every run to its analytic bounds: a table of ceiling, observed and slack %; exit 1 on a breach, 2 on a malformed file; --update rewrites the ceilings to the observed figures plus the file's margin",
    handle: (c, io) => checkBounds(c, io),
  }),
  command({
    name: 'compare',
    describe:
      'compare two result sets (results.json files or results directories) figure by figure: base, new, change, and a 95 % CI of the change where both have several seeds; --fail-on METRIC>PCT exits 1 on a worsening past PCT %',
    positionals: [
      { name: 'base', describe: 'the result set to compare against (results.json or its directory)' },
      { name: 'new', describe: 'the result set to compare (results.json or its directory)' },
    ],
    handle: (c, io) => compareCommand(c, io),
  }),
];

/** Every option declaration with its name: the table's and the common workload options. */
function allOptions(): [string, OptionDecl][] {
  return [...Object.entries(OPTIONS as Record<string, OptionDecl>), ...Object.entries(COMMON_OPTIONS)];
}

/** The options command `name` takes, by help group, in the table's order within a group. */
export function optionsOf(name: string): [string, OptionDecl][] {
  const group = (d: OptionDecl) => OPTION_GROUPS.indexOf(d.group);
  return allOptions()
    .filter(([, d]) => d.commands.includes(name))
    .sort(([, a], [, b]) => group(a) - group(b));
}

function declare(y: Argv, name: string): Argv {
  let parser = y;
  for (const [option, d] of optionsOf(name)) {
    parser = parser.option(option, {
      type: d.kind === 'flag' ? 'boolean' : 'string',
      group: d.group,
      describe: d.describe,
      ...(d.kind !== 'flag' ? { requiresArg: true } : {}),
      ...(d.alias !== undefined ? { alias: d.alias } : {}),
      ...(d.choices !== undefined ? { choices: d.choices } : {}),
      ...(d.default !== undefined ? { default: d.default } : {}),
      ...(d.defaultDescription !== undefined ? { defaultDescription: d.defaultDescription } : {}),
    });
  }
  return parser;
}

function usage(): string {
  const d = DEFAULT_COMPARISON;
  return [
    'Usage: npm run bench -- [command] [options]',
    '',
    'Runs every selected strategy on every selected workload and profile, in simulated cycles, and compares them.',
    `With no --strategy and --workload: the default comparison, every strategy on ${DEFAULT_WORKLOADS.join(', ')} on ${DEFAULT_PROFILE}` +
      (Object.keys(d).length > 0
        ? `, with ${Object.entries(d)
            .map(([k, v]) => `--${optionName(k)}=${v}`)
            .join(' ')} unless given (smaller than the workloads' own defaults, so it finishes in seconds).`
        : '.') +
      ' Without --strategy, strategies the profile lacks a capability for are skipped with a note.',
  ].join('\n');
}

function commandString(c: CommandDecl): string {
  const head = c.name === DEFAULT_COMMAND ? '$0' : c.name;
  const args = (c.positionals ?? []).map((p) => (p.variadic ? `<${p.name}..>` : `<${p.name}>`));
  return [head, ...args].join(' ');
}

function build(args: readonly string[], version: string, chosen: (c: CommandDecl) => void): Argv {
  let parser = yargs(args).scriptName('npm run bench --').usage(usage());
  for (const c of COMMANDS) {
    parser = parser.command(
      commandString(c),
      c.describe,
      (y) => {
        let p = declare(y, c.name);
        for (const pos of c.positionals ?? [])
          p = p.positional(pos.name, { type: 'string', describe: pos.describe });
        return p;
      },
      () => chosen(c),
    );
  }
  return parser
    .example([
      ['npm run bench', 'the default comparison'],
      ['npm run bench -- --strategy=fault-notify,kernel-log --workload=zipf --set theta=0.8', ''],
      ['npm run bench -- --strategy=managed-dataspace --set granularity=16 --interval=500us', ''],
      ['npm run bench -- --trace=app.lackey.gz --format=json', ''],
      ['npm run bench -- --profile=fiasco-oc-armv7 --pages=64Ki --accesses=2M', ''],
    ])
    .epilog(
      `Numbers: ${NUMBER_SYNTAX}. Exit codes: 0 success; 1 a run failed verification or a bound (the result files are still written); 2 bad usage or bad input (nothing is written); 130/143 interrupted by SIGINT/SIGTERM (a result write in progress finishes first).`,
    )
    .version(version)
    .help()
    .alias('help', 'h')
    .strict()
    .strictCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false);
}

/** What the command line asks for. */
export type Parsed =
  | { kind: 'command'; command: CommandDecl; call: CommandCall<string> }
  /** `--help` or `--version`: print the text and exit 0. */
  | { kind: 'print'; text: string };

/**
 * Parses the arguments (without `node` and the script).
 * @throws UsageError for an unknown option or command, a missing value, or a bad choice.
 */
export function parseCommandLine(args: readonly string[], version: string): Parsed {
  let failure: Error | undefined;
  let printed = '';
  let chosen: CommandDecl | undefined;
  const argv = build(args, version, (c) => {
    chosen = c;
  })
    .fail((msg, err) => {
      failure = err ?? new UsageError(msg);
    })
    .parse(args as string[], {}, (err, _argv, output) => {
      if (err && !failure) failure = err;
      printed = output;
    }) as Record<string, unknown>;
  if (failure) throw failure instanceof UsageError ? failure : new UsageError(failure.message);
  if (printed !== '') return { kind: 'print', text: printed };
  if (!chosen)
    throw new UsageError(`unexpected argument '${String((argv['_'] as unknown[])[0])}' (options: --help)`);

  const options: Record<string, unknown> & { common: CommonWords } = { common: {} };
  for (const [name, d] of optionsOf(chosen.name)) {
    const v = extractOption(d, argv[name]);
    if ('key' in d) {
      if (v !== undefined) options.common[(d as (typeof COMMON_OPTIONS)[string]).key] = v as string;
    } else options[fieldName(name)] = v;
  }
  const positionals: Record<string, string[]> = {};
  for (const p of chosen.positionals ?? []) {
    const v = argv[p.name];
    positionals[p.name] = v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String);
  }
  return {
    kind: 'command',
    command: chosen,
    call: { options: options as unknown as ParsedOptions<string>, positionals, args },
  };
}
