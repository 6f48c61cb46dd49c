import { describe, expect, it } from 'vitest';
import { createWorkload } from './registry.ts';
import { collectStream } from './testing.ts';
import { uniform } from './uniform.ts';

describe('uniform', () => {
  it('spreads accesses evenly over all pages (chi-square, fixed seed)', () => {
    const pages = 100;
    const accesses = 200_000;
    const s = createWorkload(uniform, { pages, accesses, writeRatio: 0.5, computeCycles: 0 }, {}, 5);
    const counts = new Array<number>(pages).fill(0);
    for (const p of collectStream(s).pages) counts[p]!++;
    const expected = accesses / pages;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(168); // 99 degrees of freedom, p ≈ 1e-5
  });

  it('addresses a single page when there is one', () => {
    const s = createWorkload(uniform, { pages: 1, accesses: 100, writeRatio: 0.5, computeCycles: 0 }, {}, 5);
    expect(collectStream(s).pages.every((p) => p === 0)).toBe(true);
  });
});
