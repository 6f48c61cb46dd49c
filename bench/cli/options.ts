/**
 * Every option of the command line, declared once in {@link OPTIONS}: its
 * kind, help group and sentence, and — for paths the command writes — which
 * result file goes there. The yargs declarations, `--help`, the parsed
 * options' type and their extraction, the output-target checks and the tests
 * are all generated from the table (gem5-style: never written twice).
 * Subcommands and which options each takes are in ./commands.ts.
 *
 * Numbers stay words here; ./plan.ts parses them against their declarations
 * so errors can say what is accepted.
 */
import { availableParallelism } from 'node:os';
import { describeRange, type IntegerParam } from '../../src/params/params.ts';
import { PROFILE_NAMES } from '../../src/platform/index.ts';
import { COPY_VIA, strategies } from '../../src/strategies/index.ts';
import { commonParamSpecs, workloads } from '../../src/workloads/index.ts';
import { DEFAULT_COMPARISON, DEFAULT_INTERVAL, DEFAULT_PROFILE, DEFAULT_WORKLOADS } from './defaults.ts';
import { FIGURES } from './figures.ts';
import type { SetFile } from './files.ts';
import { INTERVAL_SYNTAX } from './numbers.ts';
import { RESULTS_DIR_ENV } from './paths.ts';

/** The values of `--interval-from`. */
export const INTERVAL_FROM = ['start', 'end'] as const;

/** How `--seeds` is written, for help and messages. */
export const SEEDS_SYNTAX = 'a range A..B (1..10), a comma list (1,2,5), or both (1..5,9)';

/** What goes to stdout. */
export const FORMATS = ['table', 'json', 'csv', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

/** Declarations of the run options that are numbers but not workload parameters. */
export const runOptionSpecs = {
  seed: {
    type: 'integer',
    default: 1,
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
    doc: "Seed of the workloads' PRNG; the same seed gives identical runs.",
  },
  intervalAccesses: {
    type: 'integer',
    default: 1,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'accesses',
    doc: "Checkpoint after every this many of B's accesses.",
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

/**
 * How an option takes its value: `word` (a string, the last one given wins),
 * `words` (repeatable: every one given), `flag` (a boolean), `choice` (one of
 * `choices`; `default` when not given, or undefined without one).
 */
export type OptionKind = 'word' | 'words' | 'flag' | 'choice';

/** The help groups, in the order `--help` shows them. */
export const OPTION_GROUPS = ['Selection:', 'Workload:', 'Run:', 'Compare:', 'Output:'] as const;
export type OptionGroup = (typeof OPTION_GROUPS)[number];

/** One option of the command line. */
export interface OptionDecl {
  /** The commands (./commands.ts) that take it. */
  commands: readonly string[];
  kind: OptionKind;
  group: OptionGroup;
  /** The help sentence(s). */
  describe: string;
  /** A one-letter alias (`-j`). */
  alias?: string;
  /** The accepted values of a `choice`. */
  choices?: readonly string[];
  /** The value of a `choice` when not given. */
  default?: string;
  /** What `--help` says the default is, for options without `default`. */
  defaultDescription?: string;
  /**
   * For a path the command writes: `set` for the directory of the whole
   * result set, or the result file that goes there. Such paths are checked
   * before the first run (./files.ts).
   */
  writes?: 'set' | SetFile;
  /**
   * False for an option of the comparison a sweep file does not take as a
   * key: one that says how runs are made, not which (`--jobs`, `--sweep`),
   * and `--set`, whose parameters are keys of their own. Every other option
   * of the comparison outside the Output group is a key of a sweep file
   * (./sweep-file.ts), an axis when its value is a list — so an option added
   * here is sweepable with no more code.
   */
  axis?: false;
}

function specHelp(spec: IntegerParam | (typeof commonParamSpecs)[keyof typeof commonParamSpecs]): string {
  return `${spec.doc} Accepts ${describeRange(spec)}${spec.unit ? ` ${spec.unit}` : ''}.`;
}

/** The `--set` keys of every strategy and workload, for `--help`. */
function setKeysHelp(): string {
  const owners = [...strategies, ...workloads]
    .filter((o) => Object.keys(o.params).length > 0)
    .map((o) => `${o.name}: ${Object.keys(o.params).join(', ')}`);
  return `Keys by strategy/workload — ${owners.join('; ')}. Types, defaults and ranges: \`list\`.`;
}

/** The options of the default command (the comparison). */
const RUN = ['run'] as const;

/** The options of commands that write a result set: the comparison and `merge`. */
const RUN_AND_MERGE = ['run', 'merge'] as const;

/** The options of `export-trace`, which takes a run's workload options. */
const RUN_AND_EXPORT = ['run', 'export-trace'] as const;

/** Options every command that writes takes. */
const ALL_WRITERS = ['run', 'export-trace', 'merge'] as const;

/** Commands that select workloads and so take the common workload options (`--pages` …). */
export const WORKLOAD_COMMANDS: readonly string[] = RUN_AND_EXPORT;

/**
 * The options, by the name a user types. To add one: a line here naming the
 * commands that take it, and its use in their handlers; the handler finds it
 * under its camel-cased name (`export-json` → `exportJson`).
 */
export const OPTIONS = {
  strategy: {
    commands: RUN,
    kind: 'word',
    group: 'Selection:',
    describe: `Strategies, comma-separated, or all: ${strategies.map((s) => s.name).join(', ')}.`,
    defaultDescription: 'every strategy the profile supports',
  },
  workload: {
    commands: RUN_AND_EXPORT,
    kind: 'word',
    group: 'Selection:',
    describe: `Workloads, comma-separated, or all: ${workloads.map((w) => w.name).join(', ')}.`,
    defaultDescription: `${DEFAULT_WORKLOADS.join(',')} (trace with --trace)`,
  },
  profile: {
    commands: RUN,
    kind: 'word',
    group: 'Selection:',
    describe: `Platform cost profiles, comma-separated: ${PROFILE_NAMES.join(', ')}, all, or a path to a JSON profile.`,
    defaultDescription: DEFAULT_PROFILE,
  },
  trace: {
    commands: RUN_AND_EXPORT,
    kind: 'word',
    group: 'Selection:',
    describe:
      'Trace file for the trace workload (valgrind lackey, plain or gzip, or a page trace); alone it selects --workload=trace.',
  },
  interval: {
    commands: RUN,
    kind: 'word',
    group: 'Run:',
    describe: `Checkpoint interval in target time: ${INTERVAL_SYNTAX} (converted with the profile's cpu.hz).`,
    defaultDescription: DEFAULT_INTERVAL,
  },
  'interval-from': {
    commands: RUN,
    kind: 'choice',
    group: 'Run:',
    choices: INTERVAL_FROM,
    describe:
      'Where a time interval is counted from: start — a fixed grid of target time (start + k × interval); a checkpoint that overruns a slot makes the timer skip it (counted in skippedSlots); end — from the end of the previous checkpoint, so B runs a whole interval between two.',
    defaultDescription: 'start',
  },
  phase: {
    commands: RUN,
    kind: 'word',
    group: 'Run:',
    describe: `Where the checkpoint timer falls against B's start, from 0 to the interval exclusive: ${INTERVAL_SYNTAX}. Checkpoints are due at start + phase + k × interval, from the first after the start (start + interval for phase 0; from the end, only the first); with periodic, whose job j is released at start + j × period, it places the checkpoints against the releases, which decides the worst-case response time observed (the analytic bound holds for every phase). Not with --interval-accesses.`,
    defaultDescription: '0',
  },
  'interval-accesses': {
    commands: RUN,
    kind: 'word',
    group: 'Run:',
    describe: `Checkpoint after every N of B's accesses instead of on a timer (not with --interval or --interval-from): every strategy then checkpoints at the same points of B's execution (a checkpoint after access k·N, k·N before the last, as npm run native places them). Accepts ${describeRange(runOptionSpecs.intervalAccesses)}.`,
  },
  'copy-via': {
    commands: RUN,
    kind: 'choice',
    group: 'Run:',
    choices: COPY_VIA,
    describe:
      "How A reaches B's memory to copy it at a checkpoint: attach (rtcr's: attach each dataspace and its copy into A, copy, detach both; a detach unmaps B's pages too) or mapped (B's RAM stays attached in A).",
    defaultDescription: `attach for ${strategies
      .filter((s) => s.defaultCopyVia === 'attach')
      .map((s) => s.name)
      .join(' and ')} (as rtcr), mapped for the others`,
  },
  seed: {
    commands: RUN_AND_EXPORT,
    kind: 'word',
    group: 'Run:',
    describe: specHelp(runOptionSpecs.seed),
    defaultDescription: String(runOptionSpecs.seed.default),
  },
  seeds: {
    commands: RUN,
    kind: 'word',
    group: 'Run:',
    describe: `Repeat each configuration over these seeds (not with --seed): ${SEEDS_SYNTAX}. Tables and summary.md show each figure's mean ± 95 % confidence interval (Student t) over the seeds, worst-case figures (fault max, max pause, peak metadata, wcrt) the maximum; results.json keeps every run and adds \`summaries\`.`,
  },
  set: {
    commands: RUN_AND_EXPORT,
    kind: 'words',
    group: 'Run:',
    describe: `KEY=VALUE: a parameter of every selected strategy or workload that declares KEY; repeatable. ${setKeysHelp()}`,
    axis: false,
  },
  jobs: {
    commands: ['run', 'check-bounds'],
    kind: 'word',
    group: 'Run:',
    alias: 'j',
    describe: specHelp(runOptionSpecs.jobs),
    defaultDescription: `${runOptionSpecs.jobs.default} (available parallelism)`,
    axis: false,
  },
  sweep: {
    commands: RUN,
    kind: 'word',
    group: 'Selection:',
    axis: false,
    describe:
      'Run the sweep file FILE (JSON: bench/sweeps/*.json; the format is in the README) instead of a selection given by options: its runs in its order, each written under the result directory as it finishes, so the same command started again skips the runs already written.',
  },
  shard: {
    commands: RUN,
    kind: 'word',
    group: 'Run:',
    axis: false,
    describe:
      "I/N: run only the sweep's runs whose index is I modulo N (0 <= I < N), written as a shard result into --out; `merge` joins the N shard directories into the result of the whole sweep.",
  },
  bounds: {
    commands: ['check-bounds'],
    kind: 'word',
    group: 'Selection:',
    describe:
      'The bounds file: scenarios (run options and parameters as in a sweep file; a list is an axis, e.g. phases) and the ceiling of each figure with its reason (schema dirtybench/bounds@1; the format is in the README).',
    defaultDescription: 'bench/bounds.json',
  },
  update: {
    commands: ['check-bounds'],
    kind: 'flag',
    group: 'Run:',
    describe:
      "Rewrite every ceiling of the bounds file to the observed figure plus the file's margin.pct, and print what moved (refused while a run breaks an analytic bound or its verification).",
  },
  'fail-on': {
    commands: ['compare'],
    kind: 'words',
    group: 'Compare:',
    describe: `METRIC>PCT (quoted: 'overheadPct>5'): exit 1 when that figure worsens by more than PCT % in any configuration found in both sets; repeatable. Figures: ${FIGURES.map((f) => (f.better === 'higher' ? `${f.name} (higher is better)` : f.name)).join(', ')}, and <kind>P99Cycles / <kind>MaxCycles for other stall kinds.`,
  },
  format: {
    commands: [...RUN_AND_MERGE, 'compare'],
    kind: 'choice',
    group: 'Output:',
    choices: FORMATS,
    default: 'table',
    describe: 'What goes to stdout.',
  },
  out: {
    commands: ALL_WRITERS,
    kind: 'word',
    group: 'Output:',
    writes: 'set',
    describe: `Write results.json, results.csv and summary.md into this directory instead of results/<UTC time>-<description>/ (the results root is $${RESULTS_DIR_ENV}, default <repo>/results; results/latest points at the newest). The directory must be new, empty, or one an earlier --out wrote; its three files are replaced together. With --sweep, the runs are kept in DIR/runs/ as they finish and DIR/sweep.json says which sweep (and shard) it is. For export-trace: the page trace file to write.`,
  },
  'export-json': {
    commands: RUN_AND_MERGE,
    kind: 'word',
    group: 'Output:',
    writes: 'results.json',
    describe: 'Also write the results JSON (schema dirtybench/results@1) to this file.',
  },
  'export-csv': {
    commands: RUN_AND_MERGE,
    kind: 'word',
    group: 'Output:',
    writes: 'results.csv',
    describe: 'Also write the results CSV (one row per run, units in column names) to this file.',
  },
  'export-markdown': {
    commands: RUN_AND_MERGE,
    kind: 'word',
    group: 'Output:',
    writes: 'summary.md',
    describe: 'Also write the markdown summary (configuration and tables) to this file.',
  },
  quiet: {
    commands: [...ALL_WRITERS, 'check-bounds'],
    kind: 'flag',
    group: 'Output:',
    alias: 'q',
    describe: 'No progress bar and no notes on stderr (errors are still reported; stdout is unchanged).',
  },
} as const satisfies Record<string, OptionDecl>;

/** The name of a declared option. */
export type OptionName = keyof typeof OPTIONS;

/** The options command `C` takes. */
export type OptionsOf<C extends string> = {
  [K in OptionName]: C extends (typeof OPTIONS)[K]['commands'][number] ? K : never;
}[OptionName];

/** `export-json` → `exportJson`. */
type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;

/** The parsed value of an option of declaration `D`. */
type ValueOf<D> = D extends { kind: 'flag' }
  ? boolean
  : D extends { kind: 'words' }
    ? string[]
    : D extends { kind: 'choice'; choices: readonly (infer C)[]; default: string }
      ? C
      : D extends { kind: 'choice'; choices: readonly (infer C)[] }
        ? C | undefined
        : string | undefined;

/** The parsed options `N`, by camel-cased name. */
export type OptionValues<N extends OptionName> = { [K in N as Camel<K>]: ValueOf<(typeof OPTIONS)[K]> };

/** `writeRatio` → `write-ratio`; `exportJson` → `export-json`. */
export function optionName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `export-json` → `exportJson`. */
export function fieldName(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export type CommonKey = keyof typeof commonParamSpecs;

/**
 * The common workload parameters as options (`--pages`, `--write-ratio`):
 * generated from their declarations in src/workloads, parsed into `common`.
 */
export const COMMON_OPTIONS: Readonly<Record<string, OptionDecl & { key: CommonKey }>> = Object.fromEntries(
  (Object.entries(commonParamSpecs) as [CommonKey, (typeof commonParamSpecs)[CommonKey]][]).map(
    ([key, spec]) => {
      const given = (DEFAULT_COMPARISON as Record<string, number>)[key];
      return [
        optionName(key),
        {
          key,
          commands: WORKLOAD_COMMANDS,
          kind: 'word',
          group: 'Workload:',
          describe: specHelp(spec),
          defaultDescription:
            given !== undefined
              ? `${given} in the default comparison, else ${spec.default}`
              : String(spec.default),
        },
      ];
    },
  ),
);

/** The common workload parameters as given, by key (`writeRatio`), as words. */
export type CommonWords = Partial<Record<CommonKey, string>>;

/** The parsed options of command `C`: its own, and `common` (empty for commands without workloads). */
export type ParsedOptions<C extends string> = OptionValues<OptionsOf<C>> & { common: CommonWords };

/** The parsed options of the comparison (`run`). */
export type CliOptions = ParsedOptions<'run'>;

/** The last value of an option given more than once (yargs then makes an array). */
function last(v: unknown): string | undefined {
  const x = Array.isArray(v) ? v[v.length - 1] : v;
  return x === undefined ? undefined : String(x);
}

/** The value of option `name` in yargs' `argv`, as its declaration's kind says. */
export function extractOption(decl: OptionDecl, v: unknown): string | string[] | boolean | undefined {
  switch (decl.kind) {
    case 'flag':
      return v === true;
    case 'words':
      return v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String);
    case 'choice':
      return last(v) ?? decl.default;
    case 'word':
      return last(v);
  }
}

/**
 * The options a sweep file may set (./sweep-file.ts), by the name a user
 * types: every option of the comparison outside the Output group, the common
 * workload options included, but those marked `axis: false`.
 */
export function sweepOptions(): [string, OptionDecl][] {
  return [...Object.entries(OPTIONS as Record<string, OptionDecl>), ...Object.entries(COMMON_OPTIONS)].filter(
    ([, d]) => d.commands.includes('run') && d.group !== 'Output:' && d.axis !== false,
  );
}
