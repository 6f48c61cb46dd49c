import { describe, expect, it } from 'vitest';
import { createWorkload } from './registry.ts';
import { stride } from './stride.ts';
import { collectStream } from './testing.ts';

function order(pages: number, step: number, accesses: number): number[] {
  const s = createWorkload(
    stride,
    { pages, accesses, writeRatio: 0.5, computeCycles: 0 },
    { stride: step },
    1,
  );
  return [...collectStream(s, 3).pages];
}

describe('stride', () => {
  it('walks columns: 0, s, 2s, …, then 1, 1+s, …, and wraps', () => {
    expect(order(10, 3, 13)).toEqual([0, 3, 6, 9, 1, 4, 7, 2, 5, 8, 0, 3, 6]);
    expect(order(8, 4, 9)).toEqual([0, 4, 1, 5, 2, 6, 3, 7, 0]);
  });

  it('touches every page exactly once per pass', () => {
    for (const [pages, step] of [
      [1000, 16],
      [1000, 7],
      [17, 5],
    ] as const) {
      const walk = order(pages, step, pages);
      expect(new Set(walk).size).toBe(pages);
    }
  });

  it('equals sequential when the stride is 1 or at least the memory size', () => {
    const seq = Array.from({ length: 12 }, (_, i) => i % 5);
    expect(order(5, 1, 12)).toEqual(seq);
    expect(order(5, 5, 12)).toEqual(seq);
    expect(order(5, 1000, 12)).toEqual(seq);
  });

  it('refuses a stride below 1', () => {
    const common = { pages: 10, accesses: 10, writeRatio: 0.5, computeCycles: 0 };
    expect(() => createWorkload(stride, common, { stride: 0 }, 1)).toThrow(
      "stride: parameter 'stride' must be an integer >= 1",
    );
  });
});
