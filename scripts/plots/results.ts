/**
 * Reading results documents (schema `dirtybench/results@1`, shared/contract.md)
 * for the figures. A figure reads the fields it needs through `num`,
 * `optionalNum`, … so that a results file without one fails with a message
 * naming the file, the run and the field (`…: runs[3].metrics.pause.maxCycles
 * is missing`), never with a plot of `undefined`. Fields other sessions add
 * later (`bounds.maxFaultStallCycles`, `metrics.memory.peakMetadataBytes`, …)
 * are read with the `optional…` readers: absent is fine, malformed is not.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_SCHEMA } from '../../bench/cli/document.ts';
import type { RunResult } from '../../src/run/index.ts';

/** Bad input to the plots (exit 2): an unreadable or malformed results file, a missing field. */
export class PlotsInputError extends Error {
  override name = 'PlotsInputError';
}

/** A run as the figures see it: its configuration read and checked, its metrics read on demand. */
export interface Run
  extends Pick<
    RunResult,
    | 'strategy'
    | 'workload'
    | 'profile'
    | 'params'
    | 'seed'
    | 'pages'
    | 'accesses'
    | 'intervalCycles'
    | 'cpuHz'
    | 'ok'
  > {
  /** `<file>: runs[<i>]`, for messages. */
  source: string;
  /** The run as stored. */
  raw: Record<string, unknown>;
}

/** One results document: where it came from, its environment and its runs. */
export interface LoadedResults {
  file: string;
  env: Record<string, unknown>;
  runs: Run[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a results document: a `results.json` file, or a results directory
 * holding one (`results/latest`).
 * @throws PlotsInputError naming the file and what is wrong with it.
 */
export function loadResults(path: string): LoadedResults {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'results.json');
  } catch {
    throw new PlotsInputError(
      `${path}: no such file or directory (expected a results.json or a results directory)`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PlotsInputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PlotsInputError(`${file}: not JSON (${(e as Error).message})`);
  }
  return parseResults(doc, file);
}

/**
 * Checks a parsed results document and reads the configuration of every run.
 * @throws PlotsInputError naming the file and the first bad field.
 */
export function parseResults(doc: unknown, file: string): LoadedResults {
  if (!isRecord(doc)) throw new PlotsInputError(`${file}: not a results document (expected a JSON object)`);
  if (doc['schema'] !== RESULTS_SCHEMA) {
    throw new PlotsInputError(
      `${file}: schema is ${JSON.stringify(doc['schema'])}, expected "${RESULTS_SCHEMA}"`,
    );
  }
  if (!Array.isArray(doc['runs'])) throw new PlotsInputError(`${file}: runs is missing or not a list`);
  const env = isRecord(doc['env']) ? doc['env'] : {};
  const runs = doc['runs'].map((raw: unknown, i) => readRun(raw, `${file}: runs[${i}]`));
  return { file, env, runs };
}

function readRun(raw: unknown, source: string): Run {
  if (!isRecord(raw)) throw new PlotsInputError(`${source} is not an object`);
  const partial = { source, raw };
  record(partial, 'params');
  const ok = raw['ok'];
  return {
    source,
    strategy: str(partial, 'strategy'),
    workload: str(partial, 'workload'),
    profile: str(partial, 'profile'),
    params: { strategy: record(partial, 'params.strategy'), workload: record(partial, 'params.workload') },
    seed: num(partial, 'seed'),
    pages: num(partial, 'pages'),
    accesses: num(partial, 'accesses'),
    intervalCycles: num(partial, 'intervalCycles'),
    cpuHz: positive(partial, 'cpuHz'),
    // Verification and bounds held; true for results written before the field existed.
    ok: ok === undefined ? true : ok === true,
    raw,
  };
}

type Source = Pick<Run, 'source' | 'raw'>;

/** The value at `path` (dot-separated), or undefined when any step is absent or null. */
function lookup(run: Source, path: string): unknown {
  return lookupRaw(run, path) ?? undefined;
}

/** The value at `path` as stored: null stays null. */
function lookupRaw(run: Source, path: string): unknown {
  let v: unknown = run.raw;
  for (const key of path.split('.')) {
    if (!isRecord(v)) return undefined;
    v = v[key];
  }
  return v;
}

function missing(run: Source, path: string): PlotsInputError {
  // A figure stored as null is undefined for that run (an overhead over a 0-cycle baseline).
  if (lookupRaw(run, path) === null)
    return new PlotsInputError(`${run.source}.${path} is null (undefined for this run)`);
  return new PlotsInputError(`${run.source}.${path} is missing`);
}

function malformed(run: Source, path: string, expected: string, v: unknown): PlotsInputError {
  return new PlotsInputError(`${run.source}.${path} is ${JSON.stringify(v)}, expected ${expected}`);
}

/** A finite number at `path`. @throws PlotsInputError when absent or not a number. */
export function num(run: Source, path: string): number {
  const v = lookup(run, path);
  if (v === undefined) throw missing(run, path);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(run, path, 'a number', v);
  return v;
}

/** A number > 0 at `path` (a frequency, a divisor). */
function positive(run: Source, path: string): number {
  const v = num(run, path);
  if (v <= 0) throw malformed(run, path, 'a number > 0', v);
  return v;
}

/** A finite number at `path`, or undefined when the field is absent. @throws PlotsInputError when present but not a number. */
export function optionalNum(run: Source, path: string): number | undefined {
  return lookup(run, path) === undefined ? undefined : num(run, path);
}

/** A string at `path`. */
export function str(run: Source, path: string): string {
  const v = lookup(run, path);
  if (v === undefined) throw missing(run, path);
  if (typeof v !== 'string') throw malformed(run, path, 'a string', v);
  return v;
}

/** An object at `path`. */
export function record(run: Source, path: string): Record<string, unknown> {
  const v = lookup(run, path);
  if (v === undefined) throw missing(run, path);
  if (!isRecord(v)) throw malformed(run, path, 'an object', v);
  return v;
}

/** An object at `path` whose values are all numbers (`breakdownCycles`, `byKind`). */
export function numberRecord(run: Source, path: string): Record<string, number> {
  const r = record(run, path);
  for (const [k, v] of Object.entries(r)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(run, `${path}.${k}`, 'a number', v);
  }
  return r as Record<string, number>;
}

/** A histogram at `path`: a list of [cycles, count] pairs. */
export function histogram(run: Source, path: string): [number, number][] {
  const v = lookup(run, path);
  if (v === undefined) throw missing(run, path);
  const ok =
    Array.isArray(v) &&
    v.every(
      (p) =>
        Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number' && Number.isFinite(x)),
    );
  if (!ok) throw malformed(run, path, 'a list of [cycles, count] pairs', v);
  return v as [number, number][];
}

/**
 * The stall histogram by kind: `fault` and `checkpoint` always, and every
 * other kind a run records (`ringFull`, `cowFault`, …), in the order stored.
 */
export function stallHistograms(run: Source): Map<string, [number, number][]> {
  const byKind = record(run, 'metrics.stallHistogram');
  const out = new Map<string, [number, number][]>();
  for (const kind of new Set(['fault', 'checkpoint', ...Object.keys(byKind)])) {
    out.set(kind, histogram(run, `metrics.stallHistogram.${kind}`));
  }
  return out;
}
