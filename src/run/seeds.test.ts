import fc from 'fast-check';
import { tTest } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { differenceInterval, studentT975, summarizeSeeds } from './seeds.ts';

describe('studentT975', () => {
  it('gives the two-sided 95 % critical values of the t tables', () => {
    // Abramowitz & Stegun table 26.10, t at P(|T| < t) = 0.95.
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [5, 2.571],
      [9, 2.262],
      [10, 2.228],
      [29, 2.045],
      [30, 2.042],
      [120, 1.98],
    ];
    for (const [nu, t] of table) expect(studentT975(nu), `ν = ${nu}`).toBeCloseTo(t, 3);
  });

  it('refuses degrees of freedom that are not whole and positive', () => {
    expect(() => studentT975(0)).toThrow(RangeError);
    expect(() => studentT975(2.5)).toThrow(RangeError);
  });
});

describe('summarizeSeeds', () => {
  it('gives no interval for one seed, and the value as mean and maximum', () => {
    expect(summarizeSeeds([7])).toEqual({
      n: 1,
      mean: 7,
      sd: null,
      ciLow: null,
      ciHigh: null,
      min: 7,
      max: 7,
    });
  });

  it('gives mean ± t·s/√n: for 1, 2, 3 that is 2 ± 4.303 · 1/√3', () => {
    const s = summarizeSeeds([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.max).toBe(3);
    expect(s.min).toBe(1);
    expect(s.sd).toBe(1);
    expect(s.ciHigh! - 2).toBeCloseTo(4.303 / Math.sqrt(3), 3);
    expect(2 - s.ciLow!).toBeCloseTo(4.303 / Math.sqrt(3), 3);
  });

  // simple-statistics' tTest divides by the population standard deviation (n in the
  // denominator), the interval by the sample one (n − 1): its t is larger by √(n / (n − 1)).
  it("puts the interval's ends where simple-statistics' t statistic is the critical value", () => {
    // Values to 1/100, like a percentage figure (doubles near 1e-300 only test rounding).
    const value = fc.integer({ min: -1e8, max: 1e8 }).map((v) => v / 100);
    const sample = fc.array(value, { minLength: 2, maxLength: 40, size: 'max' });
    fc.assert(
      fc.property(sample, (values) => {
        const s = summarizeSeeds(values);
        if (s.ciLow === s.ciHigh) return; // all equal: no spread to test against
        const n = values.length;
        const t = studentT975(n - 1) * Math.sqrt(n / (n - 1));
        expect(tTest(values, s.ciLow!)).toBeCloseTo(t, 6);
        expect(tTest(values, s.ciHigh!)).toBeCloseTo(-t, 6);
      }),
    );
  });
});

describe('differenceInterval (Welch)', () => {
  it('is null unless both sides have two or more seeds', () => {
    expect(differenceInterval(summarizeSeeds([1]), summarizeSeeds([1, 2]))).toBeNull();
    expect(differenceInterval(summarizeSeeds([1, 2]), summarizeSeeds([3]))).toBeNull();
  });

  it('is the difference itself where neither side varies', () => {
    expect(differenceInterval(summarizeSeeds([5, 5, 5]), summarizeSeeds([7, 7]))).toEqual({
      low: 2,
      high: 2,
    });
  });

  it('gives d ± t·√(s₁²/n₁ + s₂²/n₂) with Welch ν rounded down, by hand', () => {
    // a = 1, 2, 3 (mean 2, s² 1); b = 2, 4, 6, 8 (mean 5, s² 20/3).
    // va = 1/3, vb = 5/3, se = √2; ν = 4 / ((1/9)/2 + (25/9)/3) = 4 / (1/18 + 25/27) = 4.0755… → 4, t = 2.776.
    const ci = differenceInterval(summarizeSeeds([1, 2, 3]), summarizeSeeds([2, 4, 6, 8]))!;
    expect(ci.low).toBeCloseTo(3 - 2.776445 * Math.SQRT2, 5);
    expect(ci.high).toBeCloseTo(3 + 2.776445 * Math.SQRT2, 5);
  });
});
