/**
 * The region-map tracker lists the designated dataspaces attached since the
 * last re-arm so that re-arming and collecting visit only those; past the
 * list's capacity it scans them all. Host time only: every simulated figure
 * must be the same whichever way it goes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paramsArbitrary } from '../params/testing.ts';
import { loadProfile } from '../platform/index.ts';
import { profileWith } from '../platform/testing.ts';
import { runExperiment } from '../run/runner.ts';
import { accessScenario, literalConfig, runnable, scenarioWorkload } from '../run/testing.ts';
import { defineRegionMapStrategy, type ManagedLayout, regionMapParams } from './region-map-tracker.ts';

/** The tracker with `layout` fixed (no parameters of its own). */
function trackerWith(layout: ManagedLayout) {
  return defineRegionMapStrategy({
    name: 'managed-dataspace',
    doc: 'the region-map tracker with a given attached-list capacity',
    params: {},
    layout: () => layout,
  });
}

const profiles = [
  loadProfile('fiasco-oc-x86_64'),
  profileWith('fiasco-oc-x86_64', { capabilities: { readOnlyAttach: true } }),
];

describe('region-map tracker', () => {
  it('gives the same figures whether it re-arms from its attached list or by scanning every dataspace', () => {
    const scenario = accessScenario({ maxPages: 40, maxAccesses: 300, maxInterval: 300_000, compute: 50 });
    fc.assert(
      fc.property(
        scenario,
        paramsArbitrary(regionMapParams, { span: 16 }),
        fc.constantFrom(...profiles),
        fc.constantFrom(1, 2, 5),
        (s, params, profile, capacity) => {
          const layout: ManagedLayout = { ...params, sessionPerManagedDataspace: false };
          const workload = scenarioWorkload(s);
          const config = literalConfig(profile, 'managed-dataspace', {}, s.interval);
          const run = (attachedListCapacity?: number) =>
            runExperiment(config, { strategy: trackerWith({ ...layout, attachedListCapacity }), workload });
          fc.pre(runnable(config, { strategy: trackerWith(layout), workload }, s.pages));
          const listed = run();
          const scanned = run(capacity);
          expect(listed.ok).toBe(true);
          expect(scanned.metrics).toEqual(listed.metrics);
        },
      ),
      { numRuns: 200, seed: 20261126 },
    );
  });
});
