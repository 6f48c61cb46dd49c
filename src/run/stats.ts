/**
 * Summaries of stall distributions, in whole cycles (all cycle figures in
 * results are integers), computed exactly from a duration histogram.
 *
 * Quantiles are by nearest rank: the p-quantile of n durations is the
 * ⌈p·n⌉-th smallest (the smallest for p = 0), so every p50 and p99 is a
 * stall that was observed — what a real-time figure must be — never a value
 * interpolated between two of them (for 100 stalls of which one took 5 ms,
 * p99 is the 99th smallest, not a blend with the 5 ms one). The histogram is
 * walked instead of expanding it, so a run with millions of stalls needs no
 * array of them.
 */
import type { StallSummary } from './types.ts';

/** A duration histogram: [duration, count] pairs in ascending duration. */
export type Histogram = readonly (readonly [number, number])[];

/** The k-th smallest duration (0-based) of the histogram. */
function orderStatistic(h: Histogram, k: number): number {
  let seen = 0;
  for (const [d, n] of h) {
    seen += n;
    if (k < seen) return d;
  }
  throw new RangeError(`order statistic ${k} of ${seen} durations`);
}

/** Resolution of p in {@link nearestRank}: parts per million, so ⌈p·n⌉ is integer arithmetic. */
const PPM = 1_000_000;

/**
 * The rank (1-based) of the p-quantile of `count` values by nearest rank:
 * ⌈p·count⌉, at least 1. p is taken to a millionth, so 0.99 × 100 is exactly
 * 99, not 99.00000000000001 rounded up to 100.
 */
export function nearestRank(count: number, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${p}`);
  const ppm = Math.round(p * PPM);
  return Math.max(1, Math.ceil((ppm * count) / PPM));
}

/** The p-quantile of the histogram's `count` durations by nearest rank: an observed duration. */
export function histogramQuantile(h: Histogram, count: number, p: number): number {
  if (count === 0) throw new RangeError('quantile of no durations');
  return orderStatistic(h, nearestRank(count, p) - 1);
}

/**
 * Count, max, p50 and p99 (nearest rank) and the mean (rounded) of a
 * histogram; all 0 when empty. One pass for the sums and one finding both
 * quantiles (a histogram can hold one entry per page: 64 Ki at 64 Ki pages).
 */
export function summarizeStalls(h: Histogram): StallSummary {
  return summarizeStallsOf([h]);
}

/**
 * The summary of several histograms taken together, as {@link summarizeStalls}
 * gives it for their merge, without merging them: the order statistics by a
 * walk in ascending duration across them. The durations are exact integers
 * and the stalls of a run never overlap in simulated time, so every sum stays
 * below 2^53 and the mean is the merge's, whatever the order of addition.
 */
export function summarizeStallsOf(hs: readonly Histogram[]): StallSummary {
  const some = hs.filter((h) => h.length > 0);
  let count = 0;
  let sum = 0;
  let maxCycles = 0;
  for (const h of some) {
    for (const [d, n] of h) {
      count += n;
      sum += d * n;
    }
    maxCycles = Math.max(maxCycles, h[h.length - 1]![0]);
  }
  if (count === 0) return { count: 0, maxCycles: 0, p50Cycles: 0, p99Cycles: 0, meanCycles: 0 };
  const k50 = nearestRank(count, 0.5) - 1;
  const k99 = nearestRank(count, 0.99) - 1;
  let p50Cycles = -1;
  let p99Cycles = -1;
  const at = some.map(() => 0);
  for (let seen = 0; p99Cycles < 0; ) {
    let d = Number.POSITIVE_INFINITY;
    for (let j = 0; j < some.length; j++) if (at[j]! < some[j]!.length) d = Math.min(d, some[j]![at[j]!]![0]);
    if (d === Number.POSITIVE_INFINITY) throw new RangeError(`order statistic ${k99} of ${seen} durations`);
    for (let j = 0; j < some.length; j++) {
      const e = some[j]![at[j]!];
      if (e !== undefined && e[0] === d) {
        seen += e[1];
        at[j]!++;
      }
    }
    if (p50Cycles < 0 && k50 < seen) p50Cycles = d;
    if (k99 < seen) p99Cycles = d;
  }
  return { count, maxCycles, p50Cycles, p99Cycles, meanCycles: Math.round(sum / count) };
}
