/**
 * The run's part of the exact-integer rule (stated in src/platform/exact.ts):
 * a strategy's analytic bounds must be exact integers before the run starts
 * (rule 3: bad input, exit 2), and a finished run's integer figures are
 * checked once more (rule 4: a `ModelError`, exit 1). The clock and the MMU
 * check simulated time as it accumulates; this covers what is added up
 * outside the clock (bounds, memory bytes, event counts).
 */
import { ModelError } from '../platform/index.ts';
import type { Bounds } from '../strategies/index.ts';
import { ConfigError, type PreparedRun } from './prepare.ts';
import type { RunResult } from './types.ts';

/**
 * The strategy's analytic bounds for B's memory of `pages` pages, checked to
 * be exact integers: a bound that rounded would let a run pass that broke it.
 * @throws ConfigError naming the strategy, the profile, the pages and the bound.
 */
export function strategyBounds(p: PreparedRun, pages: number): Bounds {
  const bounds = p.strategy.bounds(p.config.profile, pages, p.strategyParams);
  for (const [key, value] of Object.entries(bounds)) {
    if (Number.isSafeInteger(value) && value >= 0) continue;
    throw new ConfigError(
      `strategy '${p.strategy.name}' on ${p.config.profile.name} with ${pages} pages: its analytic bound ${key} = ${value} cycles is not an exact integer (2^53 − 1 = ${Number.MAX_SAFE_INTEGER} is the largest, see src/platform/exact.ts); use fewer pages or lower the profile's figures`,
    );
  }
  return bounds;
}

/**
 * The integer figures of a result: [path, value] for every number that
 * counts something (cycles, pages, bytes, events). Means, ratios and
 * percentages are left out: they are quotients, not totals.
 */
function integerFigures(r: RunResult): [string, number][] {
  const m = r.metrics;
  const out: [string, number][] = [
    ['pages', r.pages],
    ['accesses', r.accesses],
    ['checkpoints', r.checkpoints],
    ['metrics.runtimeCycles', m.runtimeCycles],
    ['metrics.baselineCycles', m.baselineCycles],
    ['metrics.faults', m.faults],
    ['metrics.stalls.count', m.stalls.count],
    ['metrics.stalls.maxCycles', m.stalls.maxCycles],
    ['metrics.pause.maxCycles', m.pause.maxCycles],
    ['metrics.checkpointPages.max', m.checkpointPages.max],
    ['metrics.memory.metadataBytes', m.memory.metadataBytes],
    ['metrics.memory.quotaBytes', m.memory.quotaBytes],
    ['metrics.memory.checkpointBytes', m.memory.checkpointBytes],
    ['metrics.verification.missedPages', m.verification.missedPages],
  ];
  const add = (prefix: string, record: object) => {
    for (const [k, v] of Object.entries(record)) if (typeof v === 'number') out.push([`${prefix}.${k}`, v]);
  };
  add('metrics.breakdownCycles', m.breakdownCycles);
  add('metrics.memory.byKind', m.memory.byKind);
  add('metrics.counters', m.counters);
  add('bounds', r.bounds);
  if (m.realtime) add('metrics.realtime', m.realtime);
  for (const [cause, histogram] of Object.entries(m.stallHistogram)) {
    for (const [cycles, count] of histogram) {
      out.push([`metrics.stallHistogram.${cause} duration`, cycles]);
      out.push([`metrics.stallHistogram.${cause} count`, count]);
    }
  }
  return out;
}

/**
 * Checks that every integer figure of a finished run is a non-negative safe
 * integer (src/platform/exact.ts, rule 4).
 * @throws ModelError naming the first figure that is not.
 */
export function checkExactResult(r: RunResult): void {
  for (const [path, value] of integerFigures(r)) {
    if (Number.isSafeInteger(value) && value >= 0) continue;
    throw new ModelError(
      `${r.strategy} × ${r.workload} on ${r.profile}: ${path} = ${value} is not an exact integer (2^53 − 1 = ${Number.MAX_SAFE_INTEGER} is the largest, see src/platform/exact.ts); run fewer pages or accesses, or lower the profile's figures`,
    );
  }
}
