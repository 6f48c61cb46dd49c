/**
 * The managed-dataspace tracker lists the designated dataspaces attached since
 * the last re-arm so that re-arming and collecting visit only those; past the
 * list's capacity it scans them all. Host time only: every simulated figure
 * must be the same whichever way it goes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../platform/index.ts';
import { profileWith } from '../platform/testing.ts';
import { runExperiment } from '../run/runner.ts';
import { literalConfig, literalWorkload } from '../run/testing.ts';
import { createManagedTracker, type ManagedLayout, managedBounds } from './region-map-tracker.ts';
import { defineStrategy } from './types.ts';

function trackerWith(layout: ManagedLayout) {
  return defineStrategy({
    name: 'managed-dataspace',
    doc: 'the managed-dataspace tracker with a given attached-list capacity',
    params: {},
    requires: () => ['managedDataspaces', ...(layout.readOnlyFirst ? (['readOnlyAttach'] as const) : [])],
    create: (platform) => createManagedTracker(platform, layout),
    bounds: (profile, pages) => managedBounds(profile, pages, layout),
  });
}

const profiles = [
  loadProfile('fiasco-oc-x86_64'),
  profileWith('fiasco-oc-x86_64', { capabilities: { readOnlyAttach: true } }),
];

describe('managed-dataspace tracker', () => {
  it('gives the same figures whether it re-arms from its attached list or by scanning every dataspace', () => {
    const scenario = fc.integer({ min: 1, max: 40 }).chain((pages) =>
      fc.record({
        pages: fc.constant(pages),
        accesses: fc.array(fc.tuple(fc.integer({ min: 0, max: pages - 1 }), fc.boolean()), {
          maxLength: 300,
          size: 'max',
        }),
        interval: fc.integer({ min: 1, max: 300_000 }),
        granularity: fc.integer({ min: 1, max: 4 }),
        managedPages: fc.constantFrom(8, 16, 64),
        lookup: fc.constantFrom<'linear' | 'indexed'>('linear', 'indexed'),
        profile: fc.constantFrom(0, 1),
      }),
    );
    fc.assert(
      fc.property(scenario, fc.constantFrom(1, 2, 5), (s, capacity) => {
        fc.pre(s.granularity <= s.managedPages);
        const profile = profiles[s.profile]!;
        const layout: ManagedLayout = {
          granularity: s.granularity,
          managedPages: s.managedPages,
          sessionPerManagedDataspace: false,
          lookup: s.lookup,
          readOnlyFirst: s.profile === 1,
        };
        const workload = literalWorkload(
          s.pages,
          s.accesses.map((a) => a[0]),
          s.accesses.map((a) => a[1]),
          50,
        );
        const run = (attachedListCapacity?: number) =>
          runExperiment(literalConfig(profile, 'managed-dataspace', {}, s.interval), {
            strategy: trackerWith({ ...layout, attachedListCapacity }),
            workload,
          });
        const listed = run();
        const scanned = run(capacity);
        expect(listed.ok).toBe(true);
        expect(scanned.metrics).toEqual(listed.metrics);
      }),
      { numRuns: 200, seed: 20261126 },
    );
  });
});
