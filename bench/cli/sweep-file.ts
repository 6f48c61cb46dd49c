/**
 * Sweep files (`bench/sweeps/*.json`): which runs to make, as data. A sweep
 * file is a JSON object whose keys are run options as a user types them
 * (`strategy`, `workload`, `profile`, `interval`, `seed`, `pages`,
 * `write-ratio`, …) and strategy or workload parameters as declared
 * (`granularity`, `flexpageOrder`, `theta`, …). A value is one setting for
 * every run; a list is an axis. The file expands to the cross product of its
 * axes, the first key's axis outermost, in the order the keys are written:
 *
 *   { "description": "managed-dataspace against its granularity",
 *     "strategy": "managed-dataspace", "workload": ["zipf", "sequential"],
 *     "granularity": [1, 16, 256], "pages": 4096 }
 *
 * makes six runs: zipf at 1, 16, 256, then sequential at 1, 16, 256.
 * A file may instead list others, `"include": ["a.json", "b.json"]` (paths
 * relative to it): their runs, in that order. `description` is free text.
 *
 * Which keys exist is read from the option table (./options.ts,
 * `sweepOptions`) and the parameter declarations of the registered
 * strategies and workloads, so an option or parameter added there is a sweep
 * key with no change here. Each point becomes the options a command line
 * would give (./sweep.ts turns them into runs through the same plan).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { strategies } from '../../src/strategies/index.ts';
import { workloads } from '../../src/workloads/index.ts';
import { UsageError } from './errors.ts';
import { OPTIONS, type OptionDecl, optionName, sweepOptions } from './options.ts';
import { shownPath } from './paths.ts';

/** The keys that are not settings. */
const META_KEYS = ['description', 'include'] as const;

/** More points than this is a mistake in the file, not a sweep. */
export const MAX_POINTS = 100_000;

/** One setting of a point. */
export type SweepSetting =
  /** A run option: its name as typed, its declaration, and the value as the command line would give it. */
  | { key: string; kind: 'option'; decl: OptionDecl; value: string | boolean }
  /** A strategy or workload parameter: `--set key=value`. */
  | { key: string; kind: 'parameter'; value: string };

/** One combination of the axes: what one command line would ask for. */
export interface SweepPoint {
  /** The file that declares it, as shown to the user. */
  file: string;
  /** In the file's key order. */
  settings: SweepSetting[];
}

/** A sweep file, read, checked and expanded. */
export interface SweepFile {
  /** Absolute path. */
  path: string;
  /** As shown to the user (relative to the working directory when under it). */
  shown: string;
  description: string;
  /** Every point, included files' in place, in order. */
  points: SweepPoint[];
}

/** `key=value, key=value`: a point as one line, for messages. */
export function describePoint(p: SweepPoint): string {
  return p.settings.map((s) => `${s.key}=${String(s.value)}`).join(', ');
}

type Scalar = string | number | boolean;

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Every parameter name any registered strategy or workload declares, with who declares it. */
function parameterOwners(): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const o of [...strategies, ...workloads]) {
    for (const key of Object.keys(o.params)) owners.set(key, [...(owners.get(key) ?? []), o.name]);
  }
  return owners;
}

/** What a key is: meta, an option, a parameter; or the error that says why it is none. */
function classify(
  key: string,
  options: ReadonlyMap<string, OptionDecl>,
  params: ReadonlyMap<string, string[]>,
): { kind: 'meta' } | { kind: 'option'; decl: OptionDecl } | { kind: 'parameter' } | { error: string } {
  if ((META_KEYS as readonly string[]).includes(key)) return { kind: 'meta' };
  const decl = options.get(key);
  if (decl && params.has(key)) {
    return {
      error: `'${key}' is both the option --${key} and a parameter of ${params.get(key)!.join(', ')}: rename one of them`,
    };
  }
  if (decl) return { kind: 'option', decl };
  if (params.has(key)) return { kind: 'parameter' };
  const accepted = `accepted: ${META_KEYS.join(', ')}; run options ${[...options.keys()].join(', ')}; parameters ${[
    ...params.keys(),
  ].join(', ')}`;
  if (options.has(optionName(key)))
    return { error: `unknown key '${key}': write it as the option is typed, '${optionName(key)}'` };
  if (key === 'set')
    return { error: `unknown key 'set': write each parameter as a key of its own (${accepted})` };
  if (Object.hasOwn(OPTIONS, key))
    return { error: `'${key}' says how or where to run, not which runs: give --${key} on the command line` };
  return { error: `unknown key '${key}' (${accepted})` };
}

/** The value of a setting as the command line would carry it. */
function settingValue(where: string, key: string, decl: OptionDecl | undefined, v: Scalar): string | boolean {
  const bad = (expected: string) =>
    new UsageError(`${where}: key '${key}': ${JSON.stringify(v)} is not ${expected}`);
  if (decl === undefined) return String(v); // a parameter: parsed against its declaration later
  switch (decl.kind) {
    case 'flag':
      if (typeof v !== 'boolean') throw bad('true or false');
      return v;
    case 'choice':
      if (typeof v !== 'string' || !decl.choices!.includes(v))
        throw bad(`one of ${decl.choices!.join(', ')}`);
      return v;
    case 'word':
    case 'words':
      if (typeof v === 'boolean') throw bad('a word or a number');
      return String(v);
  }
}

/**
 * Reads, checks and expands a sweep file and the files it includes.
 * @throws UsageError (exit 2) naming the file and the bad key or value.
 */
export function loadSweepFile(path: string): SweepFile {
  const options = new Map(sweepOptions());
  const params = parameterOwners();
  const absolute = resolve(path);
  const root = read(absolute, [], options, params);
  return { path: absolute, shown: shownPath(absolute), description: root.description, points: root.points };
}

function read(
  path: string,
  stack: readonly string[],
  options: ReadonlyMap<string, OptionDecl>,
  params: ReadonlyMap<string, string[]>,
): { description: string; points: SweepPoint[] } {
  const file = shownPath(path);
  if (stack.includes(path)) {
    throw new UsageError(
      `sweep ${file} includes itself: ${[...stack.slice(stack.indexOf(path)), path].map(shownPath).join(' → ')}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`sweep ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`sweep ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(
      `sweep ${file}: expected a JSON object of settings, got ${Array.isArray(doc) ? 'a list' : typeof doc}`,
    );
  }
  const entries = Object.entries(doc as Record<string, unknown>);

  let description = '';
  let include: string[] | undefined;
  const axes: Axis[] = [];
  for (const [key, value] of entries) {
    const c = classify(key, options, params);
    if ('error' in c) throw new UsageError(`sweep ${file}: ${c.error}`);
    if (c.kind === 'meta') {
      if (key === 'description') {
        if (typeof value !== 'string')
          throw new UsageError(`sweep ${file}: key 'description' must be a string`);
        description = value;
      } else {
        const list = typeof value === 'string' ? [value] : value;
        if (
          !Array.isArray(list) ||
          list.length === 0 ||
          !list.every((f) => typeof f === 'string' && f !== '')
        ) {
          throw new UsageError(
            `sweep ${file}: key 'include' must be a file name or a non-empty list of them`,
          );
        }
        include = list as string[];
      }
      continue;
    }
    axes.push(axis(`sweep ${file}`, key, c.kind === 'option' ? c.decl : undefined, value));
  }

  if (include !== undefined) {
    if (axes.length > 0) {
      throw new UsageError(
        `sweep ${file}: a file with 'include' sets nothing else (found ${axes.map((a) => `'${a.key}'`).join(', ')}); put those runs in a file of their own and include it`,
      );
    }
    const points: SweepPoint[] = [];
    for (const inc of include) {
      points.push(...read(resolve(dirname(path), inc), [...stack, path], options, params).points);
      if (points.length > MAX_POINTS) throw tooMany(file);
    }
    return { description, points };
  }

  return { description, points: crossProduct(`sweep ${file}`, file, axes) };
}

/** One key of a sweep and its values (one, or a list: an axis). */
interface Axis {
  key: string;
  values: SweepSetting[];
}

/** The values of key `key` (an option of declaration `decl`, or a parameter), checked; errors start with `where`. */
function axis(where: string, key: string, decl: OptionDecl | undefined, value: unknown): Axis {
  const list = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && value.length === 0) {
    throw new UsageError(`${where}: key '${key}' is an empty list (an axis needs at least one value)`);
  }
  const values: SweepSetting[] = [];
  const seen = new Set<string>();
  for (const v of list) {
    if (!isScalar(v)) {
      throw new UsageError(
        `${where}: key '${key}': ${JSON.stringify(v)} is not a value (a string, number or boolean, or a list of them for an axis)`,
      );
    }
    const word = settingValue(where, key, decl, v);
    if (seen.has(String(word)))
      throw new UsageError(`${where}: key '${key}' lists ${JSON.stringify(v)} twice`);
    seen.add(String(word));
    values.push(
      decl ? { key, kind: 'option', decl, value: word } : { key, kind: 'parameter', value: String(word) },
    );
  }
  return { key, values };
}

/** Every combination of the axes, the first axis outermost, as points of `file`. */
function crossProduct(where: string, file: string, axes: readonly Axis[]): SweepPoint[] {
  let count = 1;
  for (const a of axes) {
    count *= a.values.length;
    if (count > MAX_POINTS) throw tooMany(where);
  }
  let points: SweepSetting[][] = [[]];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => [...p, v]));
  return points.map((settings) => ({ file, settings }));
}

function tooMany(where: string): UsageError {
  return new UsageError(`${where}: expands to more than ${MAX_POINTS} combinations; split it`);
}

/**
 * The points of one object of sweep settings held elsewhere (a scenario of
 * bench/bounds.json): keys are run options and parameters as in a sweep
 * file, a list is an axis; no `description` or `include`. Errors start with
 * `where` (`bounds bench/bounds.json: scenario 'x': run`).
 * @throws UsageError naming the bad key or value.
 */
export function expandSettings(where: string, file: string, settings: Record<string, unknown>): SweepPoint[] {
  const options = new Map(sweepOptions());
  const params = parameterOwners();
  const axes: Axis[] = [];
  for (const [key, value] of Object.entries(settings)) {
    const c = classify(key, options, params);
    if ('error' in c) throw new UsageError(`${where}: ${c.error}`);
    if (c.kind === 'meta') throw new UsageError(`${where}: key '${key}' belongs to a sweep file, not here`);
    axes.push(axis(where, key, c.kind === 'option' ? c.decl : undefined, value));
  }
  return crossProduct(where, file, axes);
}
