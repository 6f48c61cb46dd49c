/**
 * Which runs a figure draws. A results document may hold many sweeps at once
 * (the thesis sweep makes every figure from one document), and the figures
 * must not depend on how the runs were made. So each figure names the
 * settings it draws — its axes, series and panels, e.g. `strategy` and
 * `intervalCycles` — and every other setting is held at one value: the most
 * common one among the figure's candidate runs (counted in configurations,
 * not seeds; a tie goes to the value seen first). A sweep over the interval
 * therefore draws at the pages, profile and parameters the sweep was made
 * with, and a comparison of strategies at the interval most runs share. The
 * values held are returned, and the figure prints them under its title.
 *
 * Settings are the profile, the workload, the interval, the pages and the
 * accesses (per workload: a trace's pages are its own), every workload
 * parameter (per workload) and every strategy parameter (per strategy).
 * Runs that differ only in `seed` form one configuration; a run repeated with
 * the same seed (the same document given twice) is counted once.
 */
import { configKey as configurationKey } from '../../bench/cli/figures.ts';
import type { RunResult } from '../../src/run/index.ts';
import type { Run } from './results.ts';

/** A setting a figure can draw or hold: a run field, or `strategy.<param>` / `workload.<param>`. */
export type Setting =
  | 'strategy'
  | 'workload'
  | 'profile'
  | 'intervalCycles'
  | 'pages'
  | 'accesses'
  | `strategy.${string}`
  | `workload.${string}`;

/** The value of `setting` in `run`, as a comparable string (undefined when the run has no such parameter). */
export function settingValue(run: Run, setting: Setting): string | undefined {
  if (setting.startsWith('strategy.')) return keyOf(run.params.strategy[setting.slice('strategy.'.length)]);
  if (setting.startsWith('workload.')) return keyOf(run.params.workload[setting.slice('workload.'.length)]);
  return keyOf(run[setting as 'strategy' | 'workload' | 'profile' | 'intervalCycles' | 'pages' | 'accesses']);
}

function keyOf(v: unknown): string | undefined {
  return v === undefined ? undefined : JSON.stringify(v);
}

/** Everything that determines a run but its seed (as the CLI's tables and summaries group them). */
export function configKey(run: Run): string {
  return configurationKey(run.raw as unknown as RunResult);
}

/** One configuration: its runs, one per seed, in ascending seed order. */
export interface Config {
  key: string;
  /** The first run seen: its configuration is every run's. */
  first: Run;
  runs: Run[];
}

/**
 * Groups runs by configuration (all but the seed), in the order first seen.
 * A second run with the same configuration and seed is dropped.
 */
export function groupBySeeds(runs: readonly Run[]): Config[] {
  const configs = new Map<string, Config>();
  for (const run of runs) {
    const key = configKey(run);
    let c = configs.get(key);
    if (!c) {
      c = { key, first: run, runs: [] };
      configs.set(key, c);
    }
    if (!c.runs.some((r) => r.seed === run.seed)) c.runs.push(run);
  }
  for (const c of configs.values()) c.runs.sort((a, b) => a.seed - b.seed);
  return [...configs.values()];
}

/** What a figure asks for. */
export interface SelectOptions {
  /** Candidate runs (a strategy, a workload with real-time jobs, …); all runs when absent. */
  filter?: (run: Run) => boolean;
  /** Settings the figure draws (axes, series, panels); these are not held. */
  free: readonly Setting[];
  /**
   * The setting on the x axis of a sweep: a workload where it takes fewer than
   * two values has nothing to show and is left out (before and after the other
   * settings are held).
   */
  sweep?: Setting;
}

/** A held setting and its value, for the figure's subtitle. */
export interface Held {
  setting: Setting;
  /** The workload or strategy a per-workload or per-strategy setting belongs to. */
  of?: string;
  value: string;
  /** How many values the candidates had: 1 when nothing was left out. */
  among: number;
}

export interface Selection {
  configs: Config[];
  held: Held[];
}

/** The most common value of `setting` among `runs`, counted in configurations; ties go to the first seen. */
function modeOf(runs: readonly Run[], setting: Setting): string | undefined {
  const counts = new Map<string | undefined, Set<string>>();
  for (const r of runs) {
    const v = settingValue(r, setting);
    let s = counts.get(v);
    if (!s) {
      s = new Set();
      counts.set(v, s);
    }
    s.add(configKey(r));
  }
  let best: string | undefined;
  let bestCount = -1;
  for (const [v, s] of counts) {
    if (s.size > bestCount) {
      best = v;
      bestCount = s.size;
    }
  }
  return best;
}

/** Drops the workloads where `sweep` takes fewer than two values. */
function keepSwept(runs: readonly Run[], sweep: Setting | undefined): Run[] {
  if (sweep === undefined) return [...runs];
  const values = new Map<string, Set<string | undefined>>();
  for (const r of runs) {
    let s = values.get(r.workload);
    if (!s) {
      s = new Set();
      values.set(r.workload, s);
    }
    s.add(settingValue(r, sweep));
  }
  return runs.filter((r) => (values.get(r.workload)?.size ?? 0) >= 2);
}

function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/**
 * The configurations a figure draws: its candidates with every setting it
 * does not draw held at its most common value.
 */
export function select(runs: readonly Run[], options: SelectOptions): Selection {
  const free = new Set<Setting>(options.free);
  if (options.sweep) free.add(options.sweep);
  let current = keepSwept(runs.filter(options.filter ?? (() => true)), options.sweep);
  const held: Held[] = [];

  const hold = (setting: Setting, scope?: { field: 'workload' | 'strategy'; name: string }) => {
    if (free.has(setting)) return;
    const inScope = (r: Run) => scope === undefined || r[scope.field] === scope.name;
    const candidates = current.filter(inScope);
    const mode = modeOf(candidates, setting);
    const among = new Set(candidates.map((r) => settingValue(r, setting))).size;
    current = current.filter((r) => !inScope(r) || settingValue(r, setting) === mode);
    if (mode !== undefined) held.push({ setting, ...(scope ? { of: scope.name } : {}), value: mode, among });
  };

  hold('profile');
  hold('workload');
  hold('intervalCycles');
  for (const w of distinct(current.map((r) => r.workload))) {
    const scope = { field: 'workload' as const, name: w };
    hold('pages', scope);
    hold('accesses', scope);
    const keys = distinct(
      current.filter((r) => r.workload === w).flatMap((r) => Object.keys(r.params.workload)),
    );
    for (const k of keys) hold(`workload.${k}`, scope);
  }
  for (const s of distinct(current.map((r) => r.strategy))) {
    const scope = { field: 'strategy' as const, name: s };
    const keys = distinct(
      current.filter((r) => r.strategy === s).flatMap((r) => Object.keys(r.params.strategy)),
    );
    for (const k of keys) hold(`strategy.${k}`, scope);
  }
  current = keepSwept(current, options.sweep);
  return { configs: groupBySeeds(current), held };
}
