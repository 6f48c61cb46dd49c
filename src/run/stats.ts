/**
 * Summaries of stall distributions, in whole cycles (all cycle figures in
 * results are integers), computed exactly from a duration histogram.
 *
 * Quantiles follow simple-statistics' `quantileSorted` (linear interpolation
 * between order statistics, type 7 of R and numpy) applied to the expanded
 * sorted durations, then rounded; stats.test.ts checks the two agree. The
 * histogram is walked instead of expanding it, so a run with millions of
 * stalls needs no array of them.
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

/** simple-statistics' quantileSorted(x, p) of the expanded histogram (x has `count` elements). */
export function histogramQuantile(h: Histogram, count: number, p: number): number {
  if (count === 0) throw new RangeError('quantile of no durations');
  if (p === 1) return orderStatistic(h, count - 1);
  if (p === 0) return orderStatistic(h, 0);
  const idx = (count - 1) * p;
  if (idx % 1 === 0) return orderStatistic(h, idx);
  const lower = Math.floor(idx);
  const a = orderStatistic(h, lower);
  const b = orderStatistic(h, lower + 1);
  return a + (idx - lower) * (b - a);
}

export function summarizeStalls(h: Histogram): StallSummary {
  let count = 0;
  let sum = 0;
  for (const [d, n] of h) {
    count += n;
    sum += d * n;
  }
  if (count === 0) return { count: 0, maxCycles: 0, p50Cycles: 0, p99Cycles: 0, meanCycles: 0 };
  return {
    count,
    maxCycles: h[h.length - 1]![0],
    p50Cycles: Math.round(histogramQuantile(h, count, 0.5)),
    p99Cycles: Math.round(histogramQuantile(h, count, 0.99)),
    meanCycles: Math.round(sum / count),
  };
}
