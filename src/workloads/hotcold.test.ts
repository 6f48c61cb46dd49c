import { describe, expect, it } from 'vitest';
import { hotcold, hotSet } from './hotcold.ts';
import { createWorkload } from './registry.ts';
import { collectStream } from './testing.ts';

const common = { pages: 10_000, accesses: 200_000, writeRatio: 0.5, computeCycles: 0 };

function hotShare(pages: Int32Array, hot: Set<number>): number {
  let n = 0;
  for (const p of pages) if (hot.has(p)) n++;
  return n / pages.length;
}

function within5Sigma(share: number, p: number, n: number): void {
  expect(Math.abs(share - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1e-12);
}

describe('hotcold', () => {
  it('sends hotAccessFraction of the accesses to the first hotFraction of the pages (defaults 80/20)', () => {
    const { pages } = collectStream(createWorkload(hotcold, common, {}, 1));
    const hot = new Set(hotSet(common.pages, 0.2, false, 1));
    expect(hot.size).toBe(2000);
    expect(Math.max(...hot)).toBe(1999);
    within5Sigma(hotShare(pages, hot), 0.8, pages.length);
    // Within each set, uniform: the cold pages take the rest, spread over all 8000 of them.
    const coldSeen = new Set([...pages].filter((p) => !hot.has(p)));
    expect(coldSeen.size).toBeGreaterThan(7900);
  });

  it('scatters the hot set over memory when asked, with the same share', () => {
    const params = { hotFraction: 0.1, hotAccessFraction: 0.9, scatter: true };
    const { pages } = collectStream(createWorkload(hotcold, common, params, 4));
    const hotList = hotSet(common.pages, 0.1, true, 4);
    expect(hotList.length).toBe(1000);
    expect(hotList[hotList.length - 1]!).toBeGreaterThan(1000); // not the block at 0
    within5Sigma(hotShare(pages, new Set(hotList)), 0.9, pages.length);
  });

  it('handles the edges: all pages hot, no accesses hot, one hot page', () => {
    const all = collectStream(createWorkload(hotcold, { ...common, pages: 10 }, { hotFraction: 1 }, 1)).pages;
    expect(new Set(all).size).toBe(10);
    const cold = collectStream(createWorkload(hotcold, common, { hotAccessFraction: 0 }, 1)).pages;
    expect(cold.every((p) => p >= 2000)).toBe(true);
    const one = collectStream(
      createWorkload(hotcold, common, { hotFraction: 1e-9, hotAccessFraction: 1 }, 1),
    ).pages;
    expect(one.every((p) => p === 0)).toBe(true);
  });

  it('refuses fractions outside their ranges', () => {
    expect(() => createWorkload(hotcold, common, { hotFraction: 0 }, 1)).toThrow(
      "hotcold: parameter 'hotFraction' must be a number > 0 and <= 1, got 0",
    );
    expect(() => createWorkload(hotcold, common, { hotAccessFraction: 1.2 }, 1)).toThrow(
      "hotcold: parameter 'hotAccessFraction' must be a number >= 0 and <= 1, got 1.2",
    );
  });
});
