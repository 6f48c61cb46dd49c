/** `per-page-rm` on small, hand-countable workloads: exact counts and memory from the profile. */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../platform/index.ts';
import { runStrategy, sequentialPass, sequentialWrites } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('per-page-rm', () => {
  it('takes one tracking fault per page on a sequential pass and copies every page once', () => {
    expect(sequentialPass(x86, 'per-page-rm').metrics.faults).toBe(P);
  });

  it('costs 64 KiB of RM-session quota and a region map per page', () => {
    const r = sequentialPass(x86, 'per-page-rm');
    expect(r.metrics.memory.quotaBytes).toBe(P * 65536);
    expect(r.metrics.memory.byKind['region-map-metadata']).toBe(P * 8128);
  });

  it('is refused on Linux, which has no managed dataspaces', () => {
    expect(() => runStrategy(loadProfile('linux-x86_64'), 'per-page-rm', {}, sequentialWrites(P))).toThrow(
      /managedDataspaces/,
    );
  });
});
