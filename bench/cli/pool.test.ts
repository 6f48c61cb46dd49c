/**
 * Where the pool sends runs: each baseline group to one worker where it can,
 * every run exactly once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from './pool.ts';

/** Hands out every run to `workers` taking turns; returns which worker took each run. */
function dealt(groups: string[], workers: number): number[] {
  const d = new Dispatcher(groups);
  const owner: number[] = new Array(groups.length).fill(-1);
  for (let turn = 0; ; turn++) {
    const w = turn % workers;
    const i = d.next(w);
    if (i === undefined) break;
    expect(owner[i]).toBe(-1);
    owner[i] = w;
  }
  return owner;
}

describe('the dispatcher', () => {
  it('gives each baseline group to one worker when there are as many groups as workers', () => {
    // Plan order: a group's runs are contiguous (one workload, every strategy).
    const groups = ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'd', 'd', 'd'];
    const owner = dealt(groups, 2);
    for (const g of ['a', 'b', 'c', 'd']) {
      const owners = new Set(owner.filter((_, i) => groups[i] === g));
      expect(owners.size, g).toBe(1);
    }
    // Where a plain round-robin would put every group on both workers.
  });

  it('hands out every run exactly once, for any groups and workers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { size: 'max', maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        (groups, workers) => {
          const owner = dealt(groups, workers);
          expect(owner.every((w) => w >= 0)).toBe(true);
        },
      ),
    );
  });
});
