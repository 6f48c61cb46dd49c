/**
 * Summaries of stall distributions, in whole cycles (all cycle figures in
 * results are integers). Quantiles are simple-statistics' `quantileSorted`
 * (nearest rank, averaging the two middle values for an even count), rounded.
 */
import { quantileSorted } from 'simple-statistics';
import type { StallSummary } from './types.ts';

export function summarizeStalls(durations: Float64Array): StallSummary {
  const n = durations.length;
  if (n === 0) return { count: 0, maxCycles: 0, p50Cycles: 0, p99Cycles: 0, meanCycles: 0 };
  const sorted = Float64Array.from(durations).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const asArray = Array.from(sorted);
  return {
    count: n,
    maxCycles: sorted[n - 1]!,
    p50Cycles: Math.round(quantileSorted(asArray, 0.5)),
    p99Cycles: Math.round(quantileSorted(asArray, 0.99)),
    meanCycles: Math.round(sum / n),
  };
}
