/**
 * results.csv: one row per run, the columns of shared/contract.md in that
 * order (units in the names), then the columns added since (`copy_via`),
 * then `param_<name>` for every parameter of
 * every run's strategy and workload, blank where a run has no such parameter.
 */
import { stringify } from 'csv-stringify/sync';
import type { RunResult } from '../../src/run/index.ts';
import { micros } from './report.ts';

/** The contract's columns and how each is read off a run. */
const CONTRACT: readonly [string, (r: RunResult) => string | number | boolean][] = [
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
  ['mean_pause_us', (r) => micros(r, r.metrics.pause.meanCycles)],
  ['checkpoint_pages_mean', (r) => r.metrics.checkpointPages.mean],
  ['precision', (r) => r.metrics.precision],
  ['metadata_bytes', (r) => r.metrics.memory.metadataBytes],
  ['quota_bytes', (r) => r.metrics.memory.quotaBytes],
  ['missed_pages', (r) => r.metrics.verification.missedPages],
  ['restore_ok', (r) => r.metrics.verification.restoreOk],
];

/** Columns added after the contract's (shared/contract.md: add freely), before the parameters. */
const ADDED: readonly [string, (r: RunResult) => string | number | boolean][] = [
  ['copy_via', (r) => r.copyVia],
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
  return [...CONTRACT_COLUMNS, ...ADDED.map(([name]) => name), ...paramNames(runs).map((n) => `param_${n}`)];
}

export function renderCsv(runs: readonly RunResult[]): string {
  const params = paramNames(runs);
  const rows = runs.map((r) => {
    const p = paramsOf(r);
    return [
      ...CONTRACT.map(([, get]) => get(r)),
      ...ADDED.map(([, get]) => get(r)),
      ...params.map((n) => (Object.hasOwn(p, n) ? p[n] : '')),
    ];
  });
  return stringify([csvColumns(runs), ...rows], {
    cast: { boolean: (v) => String(v), number: (v) => String(v) },
  });
}
