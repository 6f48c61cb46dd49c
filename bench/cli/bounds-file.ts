/**
 * The bounds file (`bench/bounds.json`, schema `dirtybench/bounds@1`): the
 * scenarios `check-bounds` runs and the ceilings each observed figure must
 * stay under, each with a one-line reason. Its diff is the review record of
 * a change to the model's figures (`check-bounds --update` rewrites it).
 *
 *   { "schema": "dirtybench/bounds@1",
 *     "description": "…",
 *     "margin": { "pct": 2, "reason": "…" },
 *     "scenarios": [
 *       { "name": "fault-notify × periodic on fiasco-oc-x86_64",
 *         "run": { "profile": "fiasco-oc-x86_64", "strategy": "fault-notify", "workload": "periodic",
 *                  "interval": 32000000, "phase": [0, 2000000, 4000000, 6000000], … },
 *         "ceilings": { "faultMaxCycles": { "max": 4070, "reason": "…" }, … } } ] }
 *
 * A scenario's `run` holds run options and parameters as a sweep file does
 * (./sweep-file.ts): a list is an axis, so one scenario is every run of its
 * cross product (its phases, say), and an observed figure is the worst over
 * them. Ceilings are named by the figures of ./figures.ts (`faultMaxCycles`,
 * `pauseMaxCycles`, …); every scenario has those of {@link REQUIRED_CEILINGS},
 * and a scenario of a real-time workload those of {@link REALTIME_CEILINGS}.
 * `margin.pct` is what `--update` adds to an observed figure.
 *
 * A malformed file is bad input (exit 2): the message names the file, the
 * scenario and the field.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { STALL_BOUND_FIELDS } from '../../src/strategies/index.ts';
import { UsageError } from './errors.ts';
import { FIGURES } from './figures.ts';
import { REPO_ROOT, shownPath } from './paths.ts';

export const BOUNDS_SCHEMA = 'dirtybench/bounds@1';

/** `check-bounds` without `--bounds`. */
export const DEFAULT_BOUNDS_FILE = resolve(REPO_ROOT, 'bench/bounds.json');

/** Ceilings every scenario holds: the worst fault stall and pause, the fault p99, the overhead and the peak metadata. */
export const REQUIRED_CEILINGS = [
  'faultMaxCycles',
  'faultP99Cycles',
  'pauseMaxCycles',
  'overheadPct',
  'peakMetadataBytes',
] as const;

/** Ceilings a scenario of a workload with jobs holds besides. */
export const REALTIME_CEILINGS = ['wcrtCycles', 'deadlineMisses'] as const;

/** The workloads with real-time jobs (their runs report `metrics.realtime`). */
export const REALTIME_WORKLOADS: readonly string[] = ['periodic'];

/** One ceiling: the most a figure may be, and why that much. */
export interface Ceiling {
  max: number;
  reason: string;
}

export interface Scenario {
  name: string;
  /** Run options and parameters, as a sweep file has them. */
  run: Record<string, unknown>;
  /** By figure name, in the file's order. */
  ceilings: Record<string, Ceiling>;
}

export interface BoundsFile {
  /** Absolute path. */
  path: string;
  /** As shown to the user. */
  shown: string;
  description: string;
  margin: { pct: number; reason: string };
  scenarios: Scenario[];
}

/** The figures a ceiling may name: those of ./figures.ts, and p99 and max of every stall kind. */
export function ceilingNames(): string[] {
  const names = FIGURES.map((f) => f.name);
  for (const kind of Object.keys(STALL_BOUND_FIELDS)) {
    for (const stat of ['P99Cycles', 'MaxCycles']) {
      if (!names.includes(`${kind}${stat}`)) names.push(`${kind}${stat}`);
    }
  }
  return names;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What a JSON value is, for messages. */
function kindOf(v: unknown): string {
  return Array.isArray(v)
    ? 'a list'
    : v === null
      ? 'null'
      : typeof v === 'object'
        ? 'an object'
        : JSON.stringify(v);
}

/**
 * Reads and checks a bounds file.
 * @throws UsageError naming the file, the scenario and the field at fault.
 */
export function loadBoundsFile(path: string): BoundsFile {
  const absolute = resolve(path);
  const shown = shownPath(absolute);
  const bad = (where: string, what: string) => new UsageError(`bounds ${shown}: ${where}: ${what}`);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (e) {
    throw new UsageError(`bounds ${shown}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`bounds ${shown}: not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(doc)) throw new UsageError(`bounds ${shown}: expected a JSON object, got ${kindOf(doc)}`);
  only(doc, ['schema', 'description', 'margin', 'scenarios'], (k) =>
    bad('top level', `unknown field '${k}'`),
  );
  if (doc['schema'] !== BOUNDS_SCHEMA)
    throw bad('schema', `expected "${BOUNDS_SCHEMA}", got ${kindOf(doc['schema'])}`);
  const description = doc['description'] ?? '';
  if (typeof description !== 'string')
    throw bad('description', `expected a string, got ${kindOf(description)}`);

  const margin = doc['margin'];
  if (!isObject(margin)) throw bad('margin', `expected { "pct": …, "reason": … }, got ${kindOf(margin)}`);
  only(margin, ['pct', 'reason'], (k) => bad('margin', `unknown field '${k}'`));
  const pct = margin['pct'];
  if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 1000)
    throw bad('margin.pct', `expected a number from 0 to 1000, got ${kindOf(pct)}`);
  const marginReason = reason(margin['reason'], () => bad('margin.reason', 'expected a one-line reason'));

  const list = doc['scenarios'];
  if (!Array.isArray(list) || list.length === 0)
    throw bad('scenarios', `expected a non-empty list of scenarios, got ${kindOf(list)}`);
  const known = ceilingNames();
  const names = new Set<string>();
  const scenarios = list.map((entry, i): Scenario => {
    const at = (field: string) =>
      `scenario ${isObject(entry) && typeof entry['name'] === 'string' ? `'${entry['name']}'` : `#${i + 1}`}${field}`;
    if (!isObject(entry)) throw bad(at(''), `expected an object, got ${kindOf(entry)}`);
    only(entry, ['name', 'run', 'ceilings'], (k) => bad(at(''), `unknown field '${k}'`));
    const name = entry['name'];
    if (typeof name !== 'string' || name.trim() === '') throw bad(at('.name'), 'expected a non-empty string');
    if (names.has(name)) throw bad(at('.name'), 'another scenario has this name');
    names.add(name);
    const run = entry['run'];
    if (!isObject(run))
      throw bad(at('.run'), `expected an object of run options and parameters, got ${kindOf(run)}`);
    const ceilings = entry['ceilings'];
    if (!isObject(ceilings))
      throw bad(at('.ceilings'), `expected an object of ceilings, got ${kindOf(ceilings)}`);
    const out: Record<string, Ceiling> = {};
    for (const [figure, c] of Object.entries(ceilings)) {
      const field = at(`.ceilings.${figure}`);
      if (!known.includes(figure)) throw bad(field, `unknown figure (known: ${known.join(', ')})`);
      if (!isObject(c)) throw bad(field, `expected { "max": …, "reason": … }, got ${kindOf(c)}`);
      only(c, ['max', 'reason'], (k) => bad(field, `unknown field '${k}'`));
      const max = c['max'];
      if (typeof max !== 'number' || !Number.isFinite(max) || max < 0)
        throw bad(`${field}.max`, `expected a number >= 0, got ${kindOf(max)}`);
      out[figure] = {
        max,
        reason: reason(c['reason'], () => bad(`${field}.reason`, 'expected a one-line reason')),
      };
    }
    const workloads = [run['workload']].flat();
    const required = [
      ...REQUIRED_CEILINGS,
      ...(workloads.some((w) => REALTIME_WORKLOADS.includes(String(w))) ? REALTIME_CEILINGS : []),
    ];
    const missing = required.filter((f) => !Object.hasOwn(out, f));
    if (missing.length > 0)
      throw bad(
        at('.ceilings'),
        `missing ${missing.map((f) => `'${f}'`).join(', ')} (every scenario holds ${REQUIRED_CEILINGS.join(', ')}; one of ${REALTIME_WORKLOADS.join(', ')} also ${REALTIME_CEILINGS.join(', ')})`,
      );
    return { name, run, ceilings: out };
  });
  return { path: absolute, shown, description, margin: { pct, reason: marginReason }, scenarios };
}

/** @throws what `error` makes for the first key of `o` not in `allowed`. */
function only(o: Json, allowed: readonly string[], error: (key: string) => Error): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw error(k);
}

/** A one-line, non-empty reason. */
function reason(v: unknown, error: () => Error): string {
  if (typeof v !== 'string' || v.trim() === '' || v.includes('\n')) throw error();
  return v;
}

/** The bounds file as JSON text, laid out so that a changed ceiling is a one-line diff. */
export function renderBoundsFile(f: BoundsFile): string {
  const doc = {
    schema: BOUNDS_SCHEMA,
    description: f.description,
    margin: f.margin,
    scenarios: f.scenarios.map((s) => ({ name: s.name, run: s.run, ceilings: s.ceilings })),
  };
  return `${layout(doc, 0)}\n`;
}

/** Line width past which an object or list is spread over lines. */
const WIDTH = 110;

/**
 * JSON with two-space indentation, each object or list on one line when it
 * fits from `column` (where it starts) within WIDTH; `indent` is its line's.
 */
function layout(v: unknown, indent: number, column = indent): string {
  const flat = oneLine(v);
  if ((!isObject(v) && !Array.isArray(v)) || column + flat.length <= WIDTH) return flat;
  const pad = ' '.repeat(indent + 2);
  const items = Array.isArray(v)
    ? v.map((x) => `${pad}${layout(x, indent + 2)}`)
    : Object.entries(v).map(([k, x]) => {
        const key = `${pad}${JSON.stringify(k)}: `;
        return `${key}${layout(x, indent + 2, key.length)}`;
      });
  const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${items.join(',\n')}\n${' '.repeat(indent)}${close}`;
}

function oneLine(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(oneLine).join(', ')}]`;
  if (isObject(v))
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${oneLine(x)}`)
      .join(', ')} }`;
  return JSON.stringify(v);
}
