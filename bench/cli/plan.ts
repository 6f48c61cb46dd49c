/**
 * From the parsed command line to the list of runs: names resolved against
 * the registries, numbers parsed against their declarations, `--set` and
 * `--trace` routed to the strategies and workloads that declare them. Pure:
 * reads profile files, runs nothing.
 */
import { type ParamSpecs, parseParamWord } from '../../src/params/params.ts';
import { CapabilityError, type CostProfile, loadProfile, PROFILE_NAMES } from '../../src/platform/index.ts';
import { prepareRun, type RunConfig } from '../../src/run/index.ts';
import { type StrategyDef, strategies } from '../../src/strategies/index.ts';
import {
  type CommonWorkloadParams,
  commonParamSpecs,
  type WorkloadDef,
  workloads,
} from '../../src/workloads/index.ts';
import { DEFAULT_COMPARISON, DEFAULT_INTERVAL, DEFAULT_PROFILE, DEFAULT_WORKLOADS } from './defaults.ts';
import { UsageError } from './errors.ts';
import { parseInterval, parseOptionNumber } from './numbers.ts';
import { type CliOptions, optionName, runOptionSpecs, SEEDS_SYNTAX } from './options.ts';

/** The trace workload's name and the parameter `--trace` sets (declared in src/workloads/trace.ts). */
export const TRACE_WORKLOAD = 'trace';
export const TRACE_FILE_PARAM = 'file';

/** Everything a command line asks to run, in run order. */
export interface Plan {
  /**
   * Runs ordered profile → workload → seed → strategy, so each table group is
   * contiguous and the strategies of one seed share their baseline replay.
   */
  configs: RunConfig[];
  /** Strategies left out because a profile lacks a capability, one note each (only without --strategy). */
  skipped: string[];
  /** A short description for the results directory name. */
  description: string;
  /** Worker threads to use. */
  jobs: number;
}

/** More seeds than this in one `--seeds` is taken for a typo. */
const MAX_SEEDS = 100_000;

/**
 * Parses `--seeds`: ranges `A..B` (inclusive) and single seeds, comma-separated.
 * @throws UsageError for a malformed word, an empty or reversed range, a seed twice, or too many.
 * @example parseSeeds('1..3,7') // [1, 2, 3, 7]
 */
export function parseSeeds(word: string): number[] {
  const seeds: number[] = [];
  const bad = (why: string) => new UsageError(`--seeds '${word}': ${why}; expected ${SEEDS_SYNTAX}`);
  const one = (w: string) => {
    const n = parseOptionNumber('seeds', runOptionSpecs.seed, w.trim());
    return n;
  };
  for (const part of word.split(',')) {
    if (part.trim() === '') throw bad('an empty item');
    const range = /^(.+?)\.\.(.+)$/.exec(part.trim());
    const [from, to] = range ? [one(range[1]!), one(range[2]!)] : [one(part), one(part)];
    if (to < from) throw bad(`the range ${part.trim()} is empty`);
    if (to - from + seeds.length >= MAX_SEEDS) throw bad(`more than ${MAX_SEEDS} seeds`);
    for (let s = from; s <= to; s++) seeds.push(s);
  }
  const twice = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (twice !== undefined) throw bad(`seed ${twice} is given twice`);
  return seeds;
}

/**
 * What a plan is made from: the run options that select runs. A caller that
 * is not the comparison (export-trace, a sweep's combination) gives what it
 * has; an option left out means what it means when not typed.
 */
export type PlanInput = Pick<CliOptions, 'common'> & Partial<Omit<CliOptions, 'common'>>;

/** The checkpoint interval of a run on `profile`, as RunConfig fields. */
function intervalFor(
  o: PlanInput,
  profile: CostProfile,
): Pick<RunConfig, 'intervalCycles' | 'intervalFrom' | 'intervalAccesses' | 'phaseCycles'> {
  if (o.intervalAccesses !== undefined) {
    const accesses = parseOptionNumber(
      'interval-accesses',
      runOptionSpecs.intervalAccesses,
      o.intervalAccesses,
    );
    return { intervalCycles: 0, intervalAccesses: accesses };
  }
  const intervalCycles = parseInterval(o.interval ?? DEFAULT_INTERVAL, profile);
  let phase: number | undefined;
  if (o.phase !== undefined) {
    phase = parseInterval(o.phase, profile, 'phase', 0);
    if (phase >= intervalCycles)
      throw new UsageError(
        `--phase must be below the interval (${intervalCycles} cycles on ${profile.name}), got '${o.phase}' (= ${phase} cycles)`,
      );
  }
  return {
    intervalCycles,
    ...(o.intervalFrom !== undefined ? { intervalFrom: o.intervalFrom } : {}),
    ...(phase !== undefined ? { phaseCycles: phase } : {}),
  };
}

/** @throws UsageError for options that cannot go together. */
function checkExclusive(o: PlanInput): void {
  const pairs: [string, unknown, string, unknown][] = [
    ['seed', o.seed, 'seeds', o.seeds],
    ['interval', o.interval, 'interval-accesses', o.intervalAccesses],
    ['interval-from', o.intervalFrom, 'interval-accesses', o.intervalAccesses],
    ['phase', o.phase, 'interval-accesses', o.intervalAccesses],
  ];
  for (const [a, va, b, vb] of pairs) {
    if (va !== undefined && vb !== undefined)
      throw new UsageError(`--${a} and --${b} cannot go together: give one`);
  }
}

/** Resolves a comma list of names (or `all`) against a registry, keeping order and dropping repeats. */
export function selectNames<T extends { name: string }>(
  kind: string,
  word: string,
  registry: readonly T[],
): T[] {
  const names = word
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UsageError(`--${kind} is empty (valid: ${validNames(registry)})`);
  const out: T[] = [];
  for (const name of names) {
    if (name === 'all') continue;
    const found = registry.find((r) => r.name === name);
    if (!found) throw new UsageError(`unknown ${kind} '${name}' (valid: ${validNames(registry)})`);
    if (!out.includes(found)) out.push(found);
  }
  return names.includes('all') ? [...registry] : out;
}

function validNames(registry: readonly { name: string }[]): string {
  return `${registry.map((r) => r.name).join(', ')}, or all`;
}

function selectProfiles(word: string): CostProfile[] {
  const names = word
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UsageError(`--profile is empty (shipped: ${PROFILE_NAMES.join(', ')})`);
  const expanded = names.includes('all') ? [...PROFILE_NAMES] : names;
  return [...new Set(expanded)].map((n) => loadProfile(n));
}

/** Parameters given per strategy or workload name. */
type Given = Map<string, Record<string, unknown>>;

function givenFor(given: Given, name: string): Record<string, unknown> {
  let g = given.get(name);
  if (!g) {
    g = {};
    given.set(name, g);
  }
  return g;
}

/**
 * Routes each `--set KEY=VALUE` to every selected strategy and workload that
 * declares KEY, parsing VALUE against each declaration.
 * @throws UsageError for a malformed word or a key nobody selected declares (listing the accepted keys).
 * @throws ParamError for a value outside a declaration's range.
 */
function routeSets(
  words: readonly string[],
  owners: readonly { name: string; params: ParamSpecs }[],
  given: Given,
): void {
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects KEY=VALUE, got '${word}'`);
    const key = word.slice(0, eq).trim();
    const value = word.slice(eq + 1);
    let taken = false;
    for (const o of owners) {
      const spec = o.params[key];
      if (spec === undefined || !Object.hasOwn(o.params, key)) continue;
      givenFor(given, o.name)[key] = parseParamWord(o.name, key, spec, value);
      taken = true;
    }
    if (!taken) throw new UsageError(unknownSetKey(key, owners));
  }
}

function unknownSetKey(key: string, owners: readonly { name: string; params: ParamSpecs }[]): string {
  const accepted = owners
    .filter((o) => Object.keys(o.params).length > 0)
    .map((o) => `${Object.keys(o.params).join(', ')} (${o.name})`);
  let hint = '';
  if (Object.hasOwn(commonParamSpecs, key)) {
    hint = `; '${key}' is common to all workloads: use --${optionName(key)}`;
  } else {
    const elsewhere = [...strategies, ...workloads]
      .filter((o) => Object.hasOwn(o.params, key))
      .map((o) => o.name);
    if (elsewhere.length > 0)
      hint = `; '${key}' is declared by ${elsewhere.join(', ')}, which is not selected`;
  }
  return `--set ${key}: no selected strategy or workload declares '${key}' (accepted: ${
    accepted.length > 0 ? accepted.join('; ') : 'none, the selection takes no parameters'
  })${hint}`;
}

/** The common workload parameters for one workload: options, then default-comparison choices, then declarations. */
function commonFor(
  workload: WorkloadDef,
  given: Partial<CommonWorkloadParams>,
  isDefault: boolean,
): CommonWorkloadParams {
  const pick = <K extends keyof CommonWorkloadParams>(key: K): number => {
    const g = given[key];
    if (g !== undefined) return g;
    // A trace is replayed whole unless --accesses says otherwise (its own default is a generator's).
    if (key === 'accesses' && workload.name === TRACE_WORKLOAD) return 0;
    const d = isDefault ? DEFAULT_COMPARISON[key] : undefined;
    return d ?? commonParamSpecs[key].default;
  };
  return {
    pages: pick('pages'),
    accesses: pick('accesses'),
    writeRatio: pick('writeRatio'),
    computeCycles: pick('computeCycles'),
  };
}

function parseCommon(words: CliOptions['common']): Partial<CommonWorkloadParams> {
  const out: Partial<CommonWorkloadParams> = {};
  for (const key of Object.keys(commonParamSpecs) as (keyof CommonWorkloadParams)[]) {
    const word = words[key];
    if (word === undefined) continue;
    // `trace` accepts 0 accesses (the whole trace); generators refuse it at validation.
    const spec = key === 'accesses' ? { ...commonParamSpecs.accesses, min: 0 } : commonParamSpecs[key];
    out[key] = parseOptionNumber(optionName(key), spec, word);
  }
  return out;
}

function describe(isDefault: boolean, ss: StrategyDef[], ws: WorkloadDef[], ps: CostProfile[]): string {
  const part = (kind: string, chosen: readonly { name: string }[], every: readonly { name: string }[]) =>
    chosen.length === every.length && every.length > 1 ? `all-${kind}` : chosen.map((c) => c.name).join('+');
  const words = isDefault
    ? ['default']
    : [part('strategies', ss, strategies), part('workloads', ws, workloads)];
  if (ps.length !== 1 || ps[0]!.name !== DEFAULT_PROFILE) words.push(ps.map((p) => p.name).join('+'));
  const text = words.join('_').replace(/[^A-Za-z0-9._+-]/g, '-');
  return text.length > 80 ? text.slice(0, 80) : text;
}

/**
 * Builds the runs a command line asks for.
 * @throws UsageError, ParamError, ProfileError for bad names, numbers and files.
 */
export function buildPlan(o: PlanInput): Plan {
  // The default comparison: no --strategy, --workload or --trace.
  const isDefault = o.strategy === undefined && o.workload === undefined && o.trace === undefined;
  const chosenStrategies = selectNames('strategy', o.strategy ?? 'all', strategies);
  const workloadWord = o.workload ?? (o.trace !== undefined ? TRACE_WORKLOAD : DEFAULT_WORKLOADS.join(','));
  const chosenWorkloads = selectNames('workload', workloadWord, workloads);
  const profiles = selectProfiles(o.profile ?? DEFAULT_PROFILE);
  const common = parseCommon(o.common);
  checkExclusive(o);
  const seeds =
    o.seeds !== undefined
      ? parseSeeds(o.seeds)
      : [
          o.seed === undefined
            ? runOptionSpecs.seed.default
            : parseOptionNumber('seed', runOptionSpecs.seed, o.seed),
        ];
  const jobs =
    o.jobs === undefined
      ? runOptionSpecs.jobs.default
      : parseOptionNumber('jobs', runOptionSpecs.jobs, o.jobs);

  const given: Given = new Map();
  routeSets(o.set ?? [], [...chosenStrategies, ...chosenWorkloads], given);
  if (o.trace !== undefined) {
    const traceDef = chosenWorkloads.find((w) => w.name === TRACE_WORKLOAD);
    if (!traceDef) {
      throw new UsageError(
        `--trace is for the ${TRACE_WORKLOAD} workload, which --workload=${o.workload} does not select`,
      );
    }
    if (!Object.hasOwn(traceDef.params, TRACE_FILE_PARAM)) {
      throw new Error(`the ${TRACE_WORKLOAD} workload no longer declares '${TRACE_FILE_PARAM}'`);
    }
    givenFor(given, TRACE_WORKLOAD)[TRACE_FILE_PARAM] = o.trace;
  }

  const configs: RunConfig[] = [];
  const skipped: string[] = [];
  for (const profile of profiles) {
    const interval = intervalFor(o, profile);
    for (const workload of chosenWorkloads) {
      for (const seed of seeds) {
        for (const strategy of chosenStrategies) {
          const config: RunConfig = {
            profile,
            strategy: strategy.name,
            strategyParams: { ...given.get(strategy.name) },
            workload: workload.name,
            workloadParams: { ...given.get(workload.name) },
            common: commonFor(workload, common, isDefault),
            ...interval,
            seed,
            ...(o.copyVia !== undefined ? { copyVia: o.copyVia } : {}),
          };
          // Without --strategy, "every strategy" means every one this profile can run.
          if (o.strategy === undefined) {
            try {
              prepareRun(config);
            } catch (e) {
              if (!(e instanceof CapabilityError)) throw e;
              const note = `skipped: ${e.message}`;
              if (!skipped.includes(note)) skipped.push(note);
              continue;
            }
          }
          configs.push(config);
        }
      }
    }
  }
  if (configs.length === 0) throw new UsageError(`nothing to run: ${skipped.join('; ')}`);
  return {
    configs,
    skipped,
    description: describe(isDefault, chosenStrategies, chosenWorkloads, profiles),
    jobs,
  };
}
