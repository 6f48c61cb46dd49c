/**
 * Mean and 95 % confidence interval of a figure over the seeds of one
 * configuration: mean ± t₀.₉₇₅,ₙ₋₁ · s / √n (Student's t, n − 1 degrees of
 * freedom). simple-statistics gives the mean and the sample standard
 * deviation; it has no quantile of the t distribution, so `studentT975`
 * inverts the t CDF, which for whole degrees of freedom is a finite series
 * (Abramowitz & Stegun, Handbook of Mathematical Functions, 26.7.3 and
 * 26.7.4), by bisection.
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
  /** Seeds averaged. */
  n: number;
  mean: number;
  /** The 95 % confidence interval; null with a single seed (nothing to estimate it from). */
  ciLow: number | null;
  ciHigh: number | null;
  /** The largest value over the seeds: what worst-case figures show. */
  max: number;
}

/** Mean ± 95 % CI (Student's t) and maximum of `values`, one per seed. */
export function summarizeSeeds(values: readonly number[]): SeedSummary {
  if (values.length === 0) throw new RangeError('summarizeSeeds: no values');
  const m = mean([...values]);
  const max = Math.max(...values);
  if (values.length < 2) return { n: values.length, mean: m, ciLow: null, ciHigh: null, max };
  const half =
    (studentT975(values.length - 1) * sampleStandardDeviation([...values])) / Math.sqrt(values.length);
  return { n: values.length, mean: m, ciLow: m - half, ciHigh: m + half, max };
}
