import { describe, expect, it } from 'vitest';
import { Revoke } from './kernel.ts';
import { counterGroups, diffCounters, platformCounters } from './platform.ts';
import { loadProfile } from './profile.ts';
import { plainPlatform } from './testing.ts';

describe('platform counters', () => {
  const pf = plainPlatform(loadProfile('fiasco-oc-x86_64'), 8);

  it('are declared by one component each: no two components count under the same name', () => {
    const names = counterGroups(pf).flatMap((g) => Object.keys(g));
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
  });

  it('snapshot every component, group by group, with the values the components hold', () => {
    const before = platformCounters(pf);
    pf.mmu.access(3, true); // a hit: nothing counts
    pf.kernel.unmap(0, 3, Revoke.all); // one unmap of the 8 mapped pages, then walks on re-access
    pf.mmu.access(3, false);
    const diff = diffCounters(platformCounters(pf), before);
    expect(Object.keys(diff)).toEqual(counterGroups(pf).flatMap((g) => Object.keys(g)));
    expect(diff.unmapCalls).toBe(1);
    expect(diff.tlbMisses).toBeGreaterThan(0);
    expect(diff.pagerMaps).toBe(1); // core's pager mapped the page again
  });
});
