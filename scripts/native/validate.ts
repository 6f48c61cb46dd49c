/**
 * `npm run validate [-- options]`: the model against real write tracking on
 * this machine (issue 15). Each validation workload's access stream is
 * exported as a page trace; the native replayer (replay.c) replays it under
 * each mechanism, several times, and the model replays the very same trace
 * with the strategy the mechanism stands for (results.ts `STRATEGY_OF`) on
 * the calibrated profile `linux-x86_64-here` (`npm run calibrate`), with
 * checkpoints after the same accesses. Prints, per workload and mechanism,
 * native against model: faults, tracking time (runtime − baseline), mean
 * checkpoint pause, fault latency p50 / p99 / max, each with the model's
 * ratio to the native median; writes the same as `dirtybench/validation@1`
 * JSON (atomically).
 *
 * The native figures are the median over `--reps` replays, with the spread
 * (least and greatest); the model's are one run (a run is a pure function of
 * its configuration and seed). Calibration never saw these streams: its
 * microbenchmarks fault on pages in random order, one at a time.
 *
 * Without a C compiler, or when the kernel offers no userfaultfd, it prints
 * one line naming what is missing and exits 0 (nothing to compare); exit 2 on
 * bad usage, 1 when a replay or a model run fails its verification or the
 * fault counts differ.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gitCommit, harnessVersion } from '../../bench/cli/document.ts';
import { checkFileTarget, makeDirs, timestampName } from '../../bench/cli/files.ts';
import { parseOptionNumber } from '../../bench/cli/numbers.ts';
import { resultsRoot } from '../../bench/cli/paths.ts';
import { writeFileAtomic } from '../../src/io/index.ts';
import { type CostProfile, loadProfileFile } from '../../src/platform/index.ts';
import { type RunMetrics, type RunResult, runExperiment, summarizeStalls } from '../../src/run/index.ts';
import { createWorkload, exportPageTrace, findWorkload } from '../../src/workloads/index.ts';
import { findCompiler } from './build.ts';
import { defaultHereProfile } from './calibrate.ts';
import { runIfMain, UsageError } from './command.ts';
import { describeMachine } from './machine.ts';
import { type ReplayRequest, runReplay } from './replay.ts';
import { type Mechanism, type NativeRun, nativeRun, type RawReplay, STRATEGY_OF } from './results.ts';

export const VALIDATION_SCHEMA = 'dirtybench/validation@1';

/** The measured profile shipped with the repository (the README's table), when this machine has none of its own. */
export const SHIPPED_HERE_PROFILE = new URL('../../bench/validation/linux-x86_64-here.json', import.meta.url)
  .pathname;

/** The mechanisms validated: the two the calibrated profile stands for, and mprotect (counts only: its latency is not calibrated into the profile). */
export const VALIDATED_MECHANISMS = ['mprotect', 'uffd-wp', 'uffd-async'] as const;
type Validated = (typeof VALIDATED_MECHANISMS)[number];

/** Strategy parameters of the model run standing for each mechanism. */
const STRATEGY_PARAMS: Readonly<Record<Validated, Record<string, string>>> = {
  // replay.c re-arms mprotect and uffd-wp with one call over the region.
  mprotect: { rearm: 'region' },
  'uffd-wp': { rearm: 'region' },
  'uffd-async': { log: 'pagemap-scan' },
};

/** A validation workload: a registered generator with its parameters, or the shipped lackey trace. */
interface ValidationWorkload {
  name: string;
  workload: string;
  params: Record<string, string | number>;
}

export const VALIDATION_WORKLOADS: readonly ValidationWorkload[] = [
  { name: 'uniform', workload: 'uniform', params: {} },
  { name: 'zipf', workload: 'zipf', params: {} },
  { name: 'hotcold', workload: 'hotcold', params: {} },
  { name: 'periodic', workload: 'periodic', params: {} },
  {
    name: 'lackey',
    workload: 'trace',
    params: { file: new URL('../../test/fixtures/true.lackey.gz', import.meta.url).pathname },
  },
];

const HELP = `Usage: npm run validate [-- options]

Replays each validation workload natively (mprotect, uffd-wp, uffd-async) and in the model on the
calibrated profile linux-x86_64-here, with checkpoints after the same accesses, and prints native
against model: faults, tracking time, mean pause, fault latency p50/p99/max.

  --profile PATH     calibrated profile (default: results/calibration/linux-x86_64-here.json from
                     npm run calibrate, else the shipped bench/validation/linux-x86_64-here.json)
  --workload LIST    ${VALIDATION_WORKLOADS.map((w) => w.name).join(', ')} (default all)
  --mechanism LIST   ${VALIDATED_MECHANISMS.join(', ')} (default all)
  --pages N          B's memory of the generated workloads (default 16384)
  --accesses N       accesses of each generated workload (default 1000000; the lackey trace is whole)
  --interval N       checkpoint after every N accesses (default 100000)
  --reps N           native replays of each (default 5)
  --seed N           the workloads' and the model's seed (default 1)
  --cpu C            CPU of the replaying thread (default 0)
  --out FILE         results (default results/validation/<time>-validation.json)
`;

interface Options {
  profile: string;
  workloads: ValidationWorkload[];
  mechanisms: Validated[];
  pages: number;
  accesses: number;
  interval: number;
  reps: number;
  seed: number;
  cpu: number;
  out: string;
  outDefault: boolean;
}

const COUNT = { type: 'integer', default: 0, min: 1, max: 1 << 30, doc: '' } as const;

function list<T extends string>(option: string, given: string, valid: readonly T[]): T[] {
  if (given === 'all') return [...valid];
  const words = given.split(',').map((s) => s.trim());
  for (const w of words) {
    if (!(valid as readonly string[]).includes(w))
      throw new UsageError(`--${option}: unknown '${w}' (valid: ${valid.join(', ')}, all)`);
  }
  return valid.filter((v) => words.includes(v));
}

function parse(args: string[]): Options | null {
  const { values } = parseArgs({
    args,
    options: {
      profile: { type: 'string' },
      workload: { type: 'string', default: 'all' },
      mechanism: { type: 'string', default: 'all' },
      pages: { type: 'string', default: '16384' },
      accesses: { type: 'string', default: '1000000' },
      interval: { type: 'string', default: '100000' },
      reps: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
      cpu: { type: 'string', default: '0' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const own = defaultHereProfile();
  const names = VALIDATION_WORKLOADS.map((w) => w.name);
  const workloads = list('workload', values.workload, names);
  return {
    profile: resolve(values.profile ?? (existsSync(own) ? own : SHIPPED_HERE_PROFILE)),
    workloads: VALIDATION_WORKLOADS.filter((w) => workloads.includes(w.name)),
    mechanisms: list('mechanism', values.mechanism, VALIDATED_MECHANISMS),
    pages: parseOptionNumber('pages', COUNT, values.pages),
    accesses: parseOptionNumber('accesses', COUNT, values.accesses),
    interval: parseOptionNumber('interval', COUNT, values.interval),
    reps: parseOptionNumber('reps', { ...COUNT, max: 100 }, values.reps),
    seed: parseOptionNumber('seed', { ...COUNT, min: 0 }, values.seed),
    cpu: parseOptionNumber('cpu', { ...COUNT, min: 0, max: 4095 }, values.cpu),
    out: values.out ?? resolve(resultsRoot(), 'validation', `${timestampName(new Date())}-validation.json`),
    outDefault: values.out === undefined,
  };
}

/** One figure: native median with its spread over the replays, the model's, and model / native. */
export interface Compared {
  native: number | null;
  nativeMin: number | null;
  nativeMax: number | null;
  model: number | null;
  ratio: number | null;
}

/** One row of the validation: a workload under one mechanism, figures in µs but faults. */
export interface ValidationRow {
  workload: string;
  mechanism: Validated;
  strategy: string;
  strategyParams: Record<string, string>;
  accesses: number;
  pages: number;
  checkpoints: number;
  faults: { native: number[]; model: number; equal: boolean };
  trackingUs: Compared;
  meanPauseUs: Compared;
  faultP50Us: Compared;
  faultP99Us: Compared;
  faultMaxUs: Compared;
  /** The run's checkpoint time by part (all checkpoints): where a pause's difference lies. */
  copyUs: Compared;
  rearmUs: Compared;
  collectUs: Compared;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function compare(native: readonly (number | null)[], model: number | null): Compared {
  const xs = native.filter((x): x is number => x !== null);
  const n = xs.length > 0 ? median(xs) : null;
  return {
    native: n,
    nativeMin: xs.length > 0 ? Math.min(...xs) : null,
    nativeMax: xs.length > 0 ? Math.max(...xs) : null,
    model,
    ratio: n !== null && model !== null && n !== 0 ? model / n : null,
  };
}

/** The figures of one run (native or simulated) in µs at `hz`. */
function figures(
  r: {
    metrics: Pick<
      RunMetrics,
      'faults' | 'runtimeCycles' | 'baselineCycles' | 'pause' | 'stallHistogram' | 'breakdownCycles'
    >;
  },
  hz: number,
) {
  const us = (cycles: number | null) => (cycles === null ? null : (cycles * 1e6) / hz);
  const m = r.metrics;
  const f = m.stallHistogram.fault ?? [];
  const s = f.length > 0 ? summarizeStalls(f) : null;
  return {
    faults: m.faults,
    trackingUs: us(m.runtimeCycles - m.baselineCycles),
    meanPauseUs: us(m.pause.meanCycles),
    faultP50Us: us(s?.p50Cycles ?? null),
    faultP99Us: us(s?.p99Cycles ?? null),
    faultMaxUs: us(s?.maxCycles ?? null),
    copyUs: us(m.breakdownCycles['checkpoint.copy'] ?? 0),
    rearmUs: us(m.breakdownCycles['checkpoint.rearm'] ?? 0),
    collectUs: us(m.breakdownCycles['checkpoint.collect'] ?? 0),
  };
}

/** The figures compared, as `figures` names them (faults apart). */
const COMPARED = [
  'trackingUs',
  'meanPauseUs',
  'faultP50Us',
  'faultP99Us',
  'faultMaxUs',
  'copyUs',
  'rearmUs',
  'collectUs',
] as const;
type ComparedName = (typeof COMPARED)[number];

/** Each compared figure: the native runs' against the model's. */
function compareAll(
  native: readonly ReturnType<typeof figures>[],
  model: ReturnType<typeof figures>,
): Record<ComparedName, Compared> {
  const out = {} as Record<ComparedName, Compared>;
  for (const name of COMPARED)
    out[name] = compare(
      native.map((x) => x[name]),
      model[name],
    );
  return out;
}

/** The simulated run of `trace` standing for `mechanism`. */
export function modelRun(
  profile: CostProfile,
  mechanism: Validated,
  trace: string,
  interval: number,
  seed: number,
): RunResult {
  return runExperiment({
    profile,
    strategy: STRATEGY_OF[mechanism],
    strategyParams: STRATEGY_PARAMS[mechanism],
    workload: 'trace',
    workloadParams: { file: trace },
    common: { pages: 1, accesses: 0, writeRatio: 0, computeCycles: 0 },
    intervalCycles: 0,
    intervalAccesses: interval,
    seed,
  });
}

/** Exports workload `w`'s stream as a page trace in `dir`; the trace's path. */
function exportTrace(w: ValidationWorkload, o: Options, dir: string): string {
  const common = {
    pages: o.pages,
    accesses: w.workload === 'trace' ? 0 : o.accesses,
    writeRatio: 0.3,
    computeCycles: 0,
  };
  const stream = createWorkload(findWorkload(w.workload)!, common, w.params, o.seed);
  const file = join(dir, `${w.name}.pgtrace`);
  exportPageTrace(stream, file);
  return file;
}

function fmt(x: number | null, digits = 1): string {
  return x === null ? '-' : x.toFixed(digits);
}

/** The stdout table: one row per workload and mechanism. */
export function renderValidationTable(rows: readonly ValidationRow[]): string {
  const pair = (c: Compared) => `${fmt(c.native)} / ${fmt(c.model)} (${fmt(c.ratio, 2)})`;
  const header = [
    'workload',
    'mechanism',
    'faults native / model',
    'tracking ms native / model (ratio)',
    'mean pause µs',
    'fault p50 µs',
    'fault p99 µs',
    'fault max µs',
  ];
  const ms = (c: Compared): Compared => {
    const d = (x: number | null) => (x === null ? null : x / 1000);
    return {
      ...c,
      native: d(c.native),
      nativeMin: d(c.nativeMin),
      nativeMax: d(c.nativeMax),
      model: d(c.model),
    };
  };
  const body = rows.map((r) => [
    r.workload,
    r.mechanism,
    `${r.faults.native.join(',')} / ${r.faults.model}${r.faults.equal ? '' : ' DIFFER'}`,
    pair(ms(r.trackingUs)),
    pair(r.meanPauseUs),
    pair(r.faultP50Us),
    pair(r.faultP99Us),
    pair(r.faultMaxUs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((v, i) => (i < 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')}\n`;
}

export async function main(args: string[]): Promise<number> {
  const o = parse(args);
  if (o === null) {
    process.stdout.write(HELP);
    return 0;
  }
  if (findCompiler() === null) {
    process.stdout.write('validate: skipped: no C compiler to build the native replayer (install gcc)\n');
    return 0;
  }
  if (o.outDefault) makeDirs(resolve(o.out, '..'));
  const out = checkFileTarget('--out', o.out); // a missing directory of a given --out is bad input
  const profile = loadProfileFile(o.profile);
  const hz = profile.cpu.hz;
  const note = (s: string) => process.stderr.write(`${s}\n`);
  note(`validate: profile ${o.profile}`);
  const dir = mkdtempSync(join(tmpdir(), 'dirtybench-validate-'));
  const rows: ValidationRow[] = [];
  const unavailable: Record<string, string> = {};
  let ok = true;
  try {
    for (const w of o.workloads) {
      const trace = exportTrace(w, o, dir);
      const request = (mechanism: Mechanism): ReplayRequest => ({
        trace,
        mechanism,
        interval: o.interval,
        cpu: o.cpu,
        ...(mechanism === 'uffd-wp' ? { handlerCpu: 'same' as const } : {}),
      });
      // The baseline (no tracking, no checkpoint) of each repetition: tracking time is runtime − baseline, pairwise.
      const baselines: RawReplay[] = [];
      for (let rep = 0; rep < o.reps; rep++) {
        const outcome = runReplay(request('none'));
        if (outcome.kind !== 'measured')
          throw new UsageError(`the baseline replay cannot run: ${outcome.reason}`);
        baselines.push(outcome.raw);
      }
      for (const mechanism of o.mechanisms) {
        if (unavailable[mechanism] !== undefined) continue;
        const natives: NativeRun[] = [];
        for (let rep = 0; rep < o.reps; rep++) {
          const outcome = runReplay(request(mechanism));
          if (outcome.kind === 'unavailable') {
            unavailable[mechanism] = outcome.reason;
            note(`validate: skipped ${mechanism}: ${outcome.reason}`);
            break;
          }
          const r = nativeRun(outcome.raw, baselines[rep]!, hz, o.interval);
          if (!r.ok) {
            ok = false;
            note(`validate: ${w.name} ${mechanism}: native replay failed: ${r.failures.join('; ')}`);
          }
          natives.push(r);
        }
        if (natives.length === 0) continue;
        const sim = modelRun(profile, mechanism, trace, o.interval, o.seed);
        if (!sim.ok) {
          ok = false;
          note(`validate: ${w.name} ${mechanism}: model run failed: ${sim.failures.join('; ')}`);
        }
        const n = natives.map((r) => figures(r, hz));
        const m = figures(sim, hz);
        const equal = n.every((x) => x.faults === m.faults);
        if (!equal) {
          ok = false;
          note(
            `validate: ${w.name} ${mechanism}: fault counts differ: native ${n.map((x) => x.faults).join(',')}, model ${m.faults}`,
          );
        }
        rows.push({
          workload: w.name,
          mechanism,
          strategy: STRATEGY_OF[mechanism],
          strategyParams: STRATEGY_PARAMS[mechanism],
          accesses: sim.accesses,
          pages: sim.pages,
          checkpoints: sim.checkpoints,
          faults: { native: [...new Set(n.map((x) => x.faults))], model: m.faults, equal },
          ...compareAll(n, m),
        });
        note(`validate: ${w.name} ${mechanism}: ${m.faults} faults`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (rows.length === 0) {
    const missing = Object.entries(unavailable)
      .map(([m, why]) => `${m}: ${why}`)
      .join('; ');
    process.stdout.write(`validate: skipped: no tracking mechanism available here (${missing})\n`);
    return 0;
  }
  const document = {
    schema: VALIDATION_SCHEMA,
    command: ['npm run validate --', ...args].join(' ').trim(),
    createdAt: new Date().toISOString(),
    harness: harnessVersion(),
    gitCommit: gitCommit(),
    machine: describeMachine(),
    profile: { path: o.profile, name: profile.name, cpuHz: hz },
    options: {
      pages: o.pages,
      accesses: o.accesses,
      interval: o.interval,
      reps: o.reps,
      seed: o.seed,
      cpu: o.cpu,
    },
    unavailable,
    rows,
  };
  writeFileAtomic(out, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(renderValidationTable(rows));
  note(`validation: ${out}`);
  return ok ? 0 : 1;
}

await runIfMain(import.meta.url, 'validate', main);
