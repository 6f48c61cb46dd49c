/**
 * A figure over the seeds of one configuration, and the difference of two
 * such figures: the one implementation the tables, `summaries` in
 * results.json, `compare` and the plots' error bars share.
 *
 * Mean and 95 % confidence interval: mean ± t₀.₉₇₅,ₙ₋₁ · s / √n (Student's t,
 * n − 1 degrees of freedom, s the sample standard deviation). The difference
 * of two means (`compare`) takes Welch's interval: d ± t₀.₉₇₅,ν · √(s₁²/n₁ +
 * s₂²/n₂), ν the Welch–Satterthwaite degrees of freedom rounded down (the
 * wider, conservative choice; the t quantile here is for whole ν).
 *
 * simple-statistics gives the mean and the sample standard deviation; it has
 * no quantile of the t distribution, so `studentT975` inverts the t CDF,
 * which for whole degrees of freedom is a finite series (Abramowitz & Stegun,
 * Handbook of Mathematical Functions, 26.7.3 and 26.7.4), by bisection.
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';

/**
 * P(|T| < t) for Student's t with `nu` degrees of freedom (A&S 26.7.3, 26.7.4),
 * θ = atan(t / √ν):
 * ν odd:  (2/π)(θ + sin θ (cos θ + (2/3) cos³θ + … + (2·4…(ν−3))/(1·3…(ν−2)) cos^(ν−2) θ)), 2θ/π for ν = 1;
 * ν even: sin θ (1 + (1/2) cos²θ + (1·3)/(2·4) cos⁴θ + … + (1·3…(ν−3))/(2·4…(ν−2)) cos^(ν−2) θ).
 */
export function studentTCoverage(t: number, nu: number): number {
  const theta = Math.atan(t / Math.sqrt(nu));
  const sin = Math.sin(theta);
  const cos2 = Math.cos(theta) ** 2;
  if (nu % 2 === 1) {
    if (nu === 1) return (2 * theta) / Math.PI;
    let term = Math.cos(theta);
    let sum = term;
    for (let k = 3; k <= nu - 2; k += 2) {
      term *= (cos2 * (k - 1)) / k;
      sum += term;
    }
    return (2 / Math.PI) * (theta + sin * sum);
  }
  let term = 1;
  let sum = 1;
  for (let k = 2; k <= nu - 2; k += 2) {
    term *= (cos2 * (k - 1)) / k;
    sum += term;
  }
  return sin * sum;
}

/**
 * The two-sided 95 % critical value of Student's t: P(|T| < t) = 0.95.
 * @example studentT975(2) // 4.303
 * @throws RangeError unless `nu` is a whole number ≥ 1.
 */
export function studentT975(nu: number): number {
  if (!Number.isInteger(nu) || nu < 1)
    throw new RangeError(`degrees of freedom must be a whole number >= 1, got ${nu}`);
  let lo = 0;
  let hi = 1000; // ν = 1 needs 12.7; the coverage at 1000 is 1 − 6e-4 even there
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCoverage(mid, nu) < 0.95) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A figure over the seeds of one configuration. */
export interface SeedSummary {
  /** Seeds summarized. */
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null with a single seed. */
  sd: number | null;
  /** The 95 % confidence interval of the mean; null with a single seed (nothing to estimate it from). */
  ciLow: number | null;
  ciHigh: number | null;
  min: number;
  /** The largest value over the seeds: what worst-case figures show. */
  max: number;
}

/** Mean ± 95 % CI (Student's t), standard deviation, minimum and maximum of `values`, one per seed. */
export function summarizeSeeds(values: readonly number[]): SeedSummary {
  if (values.length === 0) throw new RangeError('summarizeSeeds: no values');
  const m = mean([...values]);
  let min = values[0]!;
  let max = values[0]!;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length < 2) return { n: values.length, mean: m, sd: null, ciLow: null, ciHigh: null, min, max };
  const sd = sampleStandardDeviation([...values]);
  const half = (studentT975(values.length - 1) * sd) / Math.sqrt(values.length);
  return { n: values.length, mean: m, sd, ciLow: m - half, ciHigh: m + half, min, max };
}

/** The half-width of a summary's interval (0 for one seed: no interval). */
export function halfWidth(s: Pick<SeedSummary, 'ciLow' | 'ciHigh'>): number | null {
  return s.ciLow === null || s.ciHigh === null ? null : (s.ciHigh - s.ciLow) / 2;
}

/**
 * The 95 % interval of `b.mean − a.mean` (Welch), or null unless both sides
 * have two or more seeds. Where neither side varies, the interval is the
 * difference itself.
 */
export function differenceInterval(
  a: Pick<SeedSummary, 'n' | 'mean' | 'sd'>,
  b: Pick<SeedSummary, 'n' | 'mean' | 'sd'>,
): { low: number; high: number } | null {
  if (a.n < 2 || b.n < 2 || a.sd === null || b.sd === null) return null;
  const d = b.mean - a.mean;
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { low: d, high: d };
  const nu = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const half = studentT975(Math.max(1, Math.floor(nu))) * se;
  return { low: d - half, high: d + half };
}
