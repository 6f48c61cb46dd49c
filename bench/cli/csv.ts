/**
 * results.csv: one row per run, the columns of shared/contract.md in that
 * order (units in the names), then the columns added since (`interval_accesses`
 * … `copy_via`, then issue 13's `phase_cycles` … `wcrt_bound_us`), then
 * `param_<name>` for every parameter of
 * every run's strategy and workload, blank where a run has no such parameter.
 * A figure a run does not have is blank, never 0: an overhead over a 0-cycle
 * baseline, the fault quantiles of a run without faults, the real-time
 * figures of a workload without jobs, a mean without a regular checkpoint,
 * the slack of a bound of 0 (a kind of stall the strategy never causes).
 */
import { stringify } from 'csv-stringify/sync';
import type { RunResult } from '../../src/run/index.ts';
import { FIGURES } from './figures.ts';
import { micros } from './report.ts';

type Cell = string | number | boolean | null;

/** µs of a figure in cycles, or null. */
function us(r: RunResult, cycles: number | null): number | null {
  return cycles === null ? null : micros(r, cycles);
}

/** The value of figure `name` (./figures.ts) of `r`, or null. */
function figure(name: string): (r: RunResult) => number | null {
  const f = FIGURES.find((x) => x.name === name);
  if (!f) throw new Error(`no figure '${name}'`);
  return (r) => f.read(r);
}

const faultP50 = figure('faultP50Cycles');
const faultP99 = figure('faultP99Cycles');
const faultMax = figure('faultMaxCycles');

/** The contract's columns and how each is read off a run. */
const CONTRACT: readonly [string, (r: RunResult) => Cell][] = [
  ['strategy', (r) => r.strategy],
  ['workload', (r) => r.workload],
  ['profile', (r) => r.profile],
  ['pages', (r) => r.pages],
  ['accesses', (r) => r.accesses],
  ['seed', (r) => r.seed],
  ['overhead_pct', (r) => r.metrics.overheadPct],
  ['faults', (r) => r.metrics.faults],
  ['max_stall_us', (r) => micros(r, r.metrics.stalls.maxCycles)],
  ['p99_stall_us', (r) => micros(r, r.metrics.stalls.p99Cycles)],
  ['max_pause_us', (r) => micros(r, r.metrics.pause.maxCycles)],
  ['mean_pause_us', (r) => us(r, r.metrics.pause.meanCycles)],
  ['checkpoint_pages_mean', (r) => r.metrics.checkpointPages.mean],
  ['precision', (r) => r.metrics.precision],
  ['metadata_bytes', (r) => r.metrics.memory.metadataBytes],
  ['quota_bytes', (r) => r.metrics.memory.quotaBytes],
  ['missed_pages', (r) => r.metrics.verification.missedPages],
  ['restore_ok', (r) => r.metrics.verification.restoreOk],
  // Added in the contract: rows of different intervals and stall kinds told apart.
  ['interval_cycles', (r) => r.intervalCycles],
  ['checkpoints', (r) => r.checkpoints],
  ['skipped_slots', (r) => r.skippedSlots],
  ['wcrt_us', (r) => (r.metrics.realtime ? micros(r, r.metrics.realtime.wcrtCycles) : null)],
  ['deadline_misses', (r) => r.metrics.realtime?.deadlineMisses ?? null],
  ['fault_p50_us', (r) => us(r, faultP50(r))],
  ['fault_p99_us', (r) => us(r, faultP99(r))],
  ['fault_max_us', (r) => us(r, faultMax(r))],
  // Added here.
  ['interval_accesses', (r) => r.intervalAccesses],
  ['interval_from', (r) => r.intervalFrom],
  ['busy_overhead_pct', (r) => r.metrics.busyOverheadPct],
  ['peak_metadata_bytes', (r) => r.metrics.memory.peakMetadataBytes],
  ['final_checkpoint_pages', (r) => r.metrics.finalCheckpoint.pages],
  ['copy_via', (r) => r.copyVia],
  // Issue 13: the timer's phase, and how far the longest stall of a kind stays below its analytic bound.
  ['phase_cycles', (r) => r.phaseCycles],
  ['fault_bound_slack_pct', (r) => r.metrics.boundSlackPct.fault],
  ['pause_bound_slack_pct', (r) => r.metrics.boundSlackPct.checkpoint],
  ['wcrt_bound_us', (r) => (r.metrics.realtime ? micros(r, r.metrics.realtime.wcrtBoundCycles) : null)],
];

/** The contract's column names, in order. */
export const CONTRACT_COLUMNS: readonly string[] = CONTRACT.map(([name]) => name);

/** A run's strategy and workload parameters in one record (the workload's win a shared name). */
function paramsOf(r: RunResult): Record<string, unknown> {
  return { ...r.params.strategy, ...r.params.workload };
}

/** Parameter names over all runs, in order of first appearance. */
function paramNames(runs: readonly RunResult[]): string[] {
  const names = new Set<string>();
  for (const r of runs) for (const k of Object.keys(paramsOf(r))) names.add(k);
  return [...names];
}

/** The header: the contract's columns, then `param_<name>`. */
export function csvColumns(runs: readonly RunResult[]): string[] {
  return [...CONTRACT_COLUMNS, ...paramNames(runs).map((n) => `param_${n}`)];
}

export function renderCsv(runs: readonly RunResult[]): string {
  const params = paramNames(runs);
  const rows = runs.map((r) => {
    const p = paramsOf(r);
    return [
      ...CONTRACT.map(([, get]) => get(r) ?? ''),
      ...params.map((n) => (Object.hasOwn(p, n) ? p[n] : '')),
    ];
  });
  return stringify([csvColumns(runs), ...rows], {
    cast: { boolean: (v) => String(v), number: (v) => String(v) },
  });
}
