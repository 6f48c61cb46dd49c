import { describe, expect, it } from 'vitest';
import { createWorkload } from './registry.ts';
import { sequential } from './sequential.ts';
import { collectStream } from './testing.ts';

describe('sequential', () => {
  it('sweeps pages 0 … pages−1 in order and wraps', () => {
    const { pages } = collectStream(
      createWorkload(sequential, { pages: 5, accesses: 12, writeRatio: 0.5, computeCycles: 0 }, {}, 1),
      4,
    );
    expect([...pages]).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]);
  });

  it('writes every page exactly once per pass at writeRatio 1 (the per-fault microbenchmark)', () => {
    const pagesN = 1000;
    const { pages, writes } = collectStream(
      createWorkload(
        sequential,
        { pages: pagesN, accesses: 3 * pagesN, writeRatio: 1, computeCycles: 0 },
        {},
        9,
      ),
    );
    for (let pass = 0; pass < 3; pass++) {
      const seen = new Set(pages.subarray(pass * pagesN, (pass + 1) * pagesN));
      expect(seen.size).toBe(pagesN);
    }
    expect(writes.every((w) => w === 1)).toBe(true);
  });

  it('reports what it produces', () => {
    const s = createWorkload(sequential, { pages: 7, accesses: 3, writeRatio: 0, computeCycles: 42 }, {}, 1);
    expect({ pages: s.pages, accesses: s.accesses, computeCycles: s.computeCycles, jobs: s.jobs }).toEqual({
      pages: 7,
      accesses: 3,
      computeCycles: 42,
      jobs: null,
    });
  });
});
