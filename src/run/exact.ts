/**
 * The run's part of the exact-integer rule (stated in src/platform/exact.ts):
 * a strategy's analytic bounds must be exact integers before the run starts
 * (rule 3: bad input, exit 2), and a finished run's integer figures are
 * checked once more (rule 4: a `ModelError`, exit 1). The clock and the MMU
 * check simulated time as it accumulates; this covers what is added up
 * outside the clock (bounds, memory bytes, event counts).
 */
import { ModelError } from '../platform/index.ts';
import type { Bounds, StrategyBounds } from '../strategies/index.ts';
import { ConfigError, type PreparedRun } from './prepare.ts';
import type { RunResult, StallSummary } from './types.ts';

/** @throws ConfigError when a bound of `record` is not an exact non-negative integer. */
function checkBounds(p: PreparedRun, pages: number, what: string, record: object): void {
  for (const [key, value] of Object.entries(record)) {
    if (typeof value !== 'number' || (Number.isSafeInteger(value) && value >= 0)) continue;
    throw new ConfigError(
      `strategy '${p.strategy.name}' on ${p.config.profile.name} with ${pages} pages: ${what} ${key} = ${value} is not an exact integer (2^53 − 1 = ${Number.MAX_SAFE_INTEGER} is the largest, see src/platform/exact.ts); use fewer pages or lower the profile's figures`,
    );
  }
}

/**
 * The strategy's analytic bounds for B's memory of `pages` pages of which a
 * checkpoint interval touches at most `touched`, checked to be exact
 * integers: a bound that rounded would let a run pass that broke it.
 * @throws ConfigError naming the strategy, the profile, the pages and the bound.
 */
export function strategyBounds(p: PreparedRun, pages: number, touched: number): StrategyBounds {
  const bounds = p.strategy.bounds(p.config.profile, pages, p.strategyParams, touched);
  checkBounds(p, pages, 'its analytic bound', bounds);
  return bounds;
}

/**
 * Checks the run's bounds, the strategy's with what the copy adds to them
 * (src/run/copy.ts) and the periodic task's response-time bound
 * (src/run/realtime.ts), are exact integers (rule 3).
 * @throws ConfigError naming the bound.
 */
export function checkExactBounds(
  p: PreparedRun,
  pages: number,
  bounds: Bounds & { wcrtBoundCycles?: number },
): void {
  checkBounds(p, pages, "the run's bound", bounds);
}

/**
 * The integer figures of a result other than its stall histograms: [path,
 * value] for every number that counts something (cycles, pages, bytes,
 * events). Means, ratios and percentages are left out: they are quotients,
 * not totals. The histograms (up to one entry per distinct stall duration,
 * tens of thousands in a long run) are checked apart, by {@link inexactInHistograms}.
 */
function integerFigures(r: RunResult): [string, number][] {
  const m = r.metrics;
  const out: [string, number][] = [
    ['pages', r.pages],
    ['accesses', r.accesses],
    ['intervalCycles', r.intervalCycles],
    ['checkpoints', r.checkpoints],
    ['skippedSlots', r.skippedSlots],
    ['metrics.runtimeCycles', m.runtimeCycles],
    ['metrics.baselineCycles', m.baselineCycles],
    ['metrics.faults', m.faults],
    ['metrics.pause.maxCycles', m.pause.maxCycles],
    ['metrics.checkpointPages.max', m.checkpointPages.max],
    ['metrics.finalCheckpoint.pages', m.finalCheckpoint.pages],
    ['metrics.finalCheckpoint.falsePositives', m.finalCheckpoint.falsePositives],
    ['metrics.finalCheckpoint.pauseCycles', m.finalCheckpoint.pauseCycles],
    ['metrics.memory.metadataBytes', m.memory.metadataBytes],
    ['metrics.memory.peakMetadataBytes', m.memory.peakMetadataBytes],
    ['metrics.memory.quotaBytes', m.memory.quotaBytes],
    ['metrics.memory.checkpointBytes', m.memory.checkpointBytes],
    ['metrics.verification.missedPages', m.verification.missedPages],
  ];
  // A stall summary's counts and nearest-rank quantiles are observed stalls; its mean is a quotient.
  const stalls = (prefix: string, s: StallSummary) => {
    out.push([`${prefix}.count`, s.count], [`${prefix}.maxCycles`, s.maxCycles]);
    out.push([`${prefix}.p50Cycles`, s.p50Cycles], [`${prefix}.p99Cycles`, s.p99Cycles]);
  };
  stalls('metrics.stalls', m.stalls);
  for (const [kind, s] of Object.entries(m.stallsByKind)) stalls(`metrics.stallsByKind.${kind}`, s);
  const add = (prefix: string, record: object) => {
    for (const [k, v] of Object.entries(record)) if (typeof v === 'number') out.push([`${prefix}.${k}`, v]);
  };
  add('metrics.breakdownCycles', m.breakdownCycles);
  add('metrics.memory.byKind', m.memory.byKind);
  add('metrics.counters', m.counters);
  add('bounds', r.bounds);
  if (m.realtime) add('metrics.realtime', m.realtime);
  if (m.cow) add('metrics.cow', m.cow);
  return out;
}

const exact = (value: number) => Number.isSafeInteger(value) && value >= 0;

/**
 * The first duration or count of the stall histograms that is not an exact
 * non-negative integer, as [path, value], or null: the numbers are checked
 * first and a path is built only for the one that fails.
 */
function inexactInHistograms(r: RunResult): [string, number] | null {
  for (const [cause, histogram] of Object.entries(r.metrics.stallHistogram)) {
    for (const [cycles, count] of histogram) {
      if (!exact(cycles)) return [`metrics.stallHistogram.${cause} duration`, cycles];
      if (!exact(count)) return [`metrics.stallHistogram.${cause} count`, count];
    }
  }
  return null;
}

/**
 * Checks that every integer figure of a finished run is a non-negative safe
 * integer (src/platform/exact.ts, rule 4).
 * @throws ModelError naming the first figure that is not.
 */
export function checkExactResult(r: RunResult): void {
  const inexact = integerFigures(r).find(([, value]) => !exact(value)) ?? inexactInHistograms(r);
  if (inexact === null) return;
  const [path, value] = inexact;
  throw new ModelError(
    `${r.strategy} × ${r.workload} on ${r.profile}: ${path} = ${value} is not an exact integer (2^53 − 1 = ${Number.MAX_SAFE_INTEGER} is the largest, see src/platform/exact.ts); run fewer pages or accesses, or lower the profile's figures`,
  );
}
