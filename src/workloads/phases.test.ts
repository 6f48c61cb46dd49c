import { describe, expect, it } from 'vitest';
import { phases, phaseWindowStarts } from './phases.ts';
import { createWorkload } from './registry.ts';
import { collectStream } from './testing.ts';

describe('phases', () => {
  it('keeps every access of phase k inside window k, and covers the window', () => {
    const pagesN = 1000;
    const K = 5000;
    const common = { pages: pagesN, accesses: 8 * K + 123, writeRatio: 0.5, computeCycles: 0 };
    const { pages } = collectStream(
      createWorkload(phases, common, { hotFraction: 0.05, phaseAccesses: K }, 3),
      777,
    );
    const starts = phaseWindowStarts(pagesN, 3, 9);
    for (let k = 0; k < 9; k++) {
      const phase = pages.subarray(k * K, Math.min((k + 1) * K, pages.length));
      const outside = phase.filter((p) => (p - starts[k]! + pagesN) % pagesN >= 50);
      expect(outside.length, `phase ${k}`).toBe(0);
      if (k < 8) expect(new Set(phase).size).toBe(50);
      if (k > 0) expect(starts[k]).not.toBe(starts[k - 1]);
    }
  });

  it('moves exactly every phaseAccesses accesses (one-page working set)', () => {
    const K = 7;
    const common = { pages: 50, accesses: 20 * K, writeRatio: 0.5, computeCycles: 0 };
    const { pages } = collectStream(
      createWorkload(phases, common, { hotFraction: 0.01, phaseAccesses: K }, 9),
      4,
    );
    const starts = phaseWindowStarts(50, 9, 20);
    expect([...pages]).toEqual(Array.from({ length: 20 * K }, (_, i) => starts[Math.floor(i / K)]));
    for (let k = 1; k < 20; k++) expect(pages[k * K]).not.toBe(pages[k * K - 1]);
  });

  it('wraps a window that runs past the last page', () => {
    const common = { pages: 10, accesses: 10_000, writeRatio: 0.5, computeCycles: 0 };
    const { pages } = collectStream(
      createWorkload(phases, common, { hotFraction: 0.9, phaseAccesses: 1000 }, 1),
    );
    expect(pages.every((p) => p >= 0 && p < 10)).toBe(true);
  });

  it('alternates two working-set sizes with altHotFraction: hotFraction in even phases, altHotFraction in odd ones', () => {
    const pagesN = 1000;
    const K = 5000;
    const common = { pages: pagesN, accesses: 6 * K, writeRatio: 0.5, computeCycles: 0 };
    const { pages } = collectStream(
      createWorkload(phases, common, { hotFraction: 0.01, altHotFraction: 0.2, phaseAccesses: K }, 3),
      777,
    );
    const starts = phaseWindowStarts(pagesN, 3, 6);
    for (let k = 0; k < 6; k++) {
      const size = k % 2 === 0 ? 10 : 200;
      const phase = pages.subarray(k * K, (k + 1) * K);
      expect(phase.filter((p) => (p - starts[k]! + pagesN) % pagesN >= size).length, `phase ${k}`).toBe(0);
      expect(new Set(phase).size, `phase ${k}`).toBe(size);
    }
  });

  it('gives the same stream with altHotFraction 0 (its default) or equal to hotFraction as without it', () => {
    const common = { pages: 1000, accesses: 10_000, writeRatio: 0.5, computeCycles: 0 };
    const run = (extra: Record<string, number>) =>
      collectStream(
        createWorkload(phases, common, { hotFraction: 0.05, phaseAccesses: 3000, ...extra }, 5),
        999,
      );
    const plain = run({});
    for (const extra of [{ altHotFraction: 0 }, { altHotFraction: 0.05 }]) {
      const other = run(extra);
      expect(other.pages).toEqual(plain.pages);
      expect(other.writes).toEqual(plain.writes);
    }
  });
});
