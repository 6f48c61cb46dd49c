/**
 * An empirical distribution as calibration files keep it: fixed quantiles of
 * the samples, with their count and mean. Quantiles are simple-statistics'
 * `quantileSorted` (linear interpolation between order statistics, type 7),
 * for the shape of a calibration distribution (simulated and native stall
 * summaries take quantiles by nearest rank instead, src/run/stats.ts).
 */
import { quantileSorted } from 'simple-statistics';

/**
 * The quantiles kept, as probability and field name. The tail is fine
 * (p99.99, p99.999) because a profile distribution made from them spreads
 * the mass above its last quantile evenly up to the max: with p99.9 last, a
 * single outlier among 10⁵ samples became 0.1 % of all draws.
 */
export const QUANTILES: readonly (readonly [number, string])[] = [
  [0, 'p0'],
  [0.01, 'p1'],
  [0.05, 'p5'],
  [0.1, 'p10'],
  [0.25, 'p25'],
  [0.5, 'p50'],
  [0.75, 'p75'],
  [0.9, 'p90'],
  [0.95, 'p95'],
  [0.99, 'p99'],
  [0.999, 'p99.9'],
  [0.9999, 'p99.99'],
  [0.99999, 'p99.999'],
  [1, 'max'],
];

/** Quantiles in the samples' unit (rounded to 0.1), their number `n` and `mean`. */
export type Distribution = Record<string, number> & { n: number; mean: number };

/** Summarises samples (any order) as a {@link Distribution}. */
export function distribution(samples: readonly number[]): Distribution {
  if (samples.length === 0) throw new RangeError('a distribution needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  const out: Record<string, number> = {};
  for (const [p, name] of QUANTILES) out[name] = round(quantileSorted(sorted, p));
  out['n'] = sorted.length;
  out['mean'] = round(sorted.reduce((a, b) => a + b, 0) / sorted.length);
  return out as Distribution;
}
