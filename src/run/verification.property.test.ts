/**
 * Properties every strategy must keep on every profile it runs on, over random
 * access sequences, memory sizes, checkpoint intervals and parameters: no
 * written page is ever missed, the restored chain equals B's memory at every
 * checkpoint, observed stalls and pauses stay within the analytic bounds, and
 * the same inputs give identical results.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CostProfile, loadProfile, PROFILE_NAMES } from '../platform/index.ts';
import { profileWith } from '../platform/testing.ts';
import { strategies } from '../strategies/index.ts';
import { runExperiment } from './runner.ts';
import { literalConfig, literalWorkload } from './testing.ts';

/** The shipped profiles, plus one modelling Genode before 16.05 with read-only attach (both variants exercised). */
const profiles: CostProfile[] = [
  ...PROFILE_NAMES.map((n) => loadProfile(n)),
  profileWith('fiasco-oc-x86_64', {
    capabilities: { readOnlyAttach: true, rmSessionPerManagedDataspace: true },
    core: { maxMapOrder: 2 },
    mmu: { tlbEntries: 16, tlbWays: 2, tlbFlushThresholdPages: 4 },
  }),
];

/** Parameters worth varying per strategy (others keep their defaults). */
const paramArbs: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  'managed-dataspace': fc.record({
    granularity: fc.integer({ min: 1, max: 8 }),
    managedPages: fc.constantFrom(0, 8, 16),
    lookup: fc.constantFrom('linear', 'indexed'),
    readOnlyFirst: fc.boolean(),
  }),
  'per-page-rm': fc.record({ lookup: fc.constantFrom('linear', 'indexed'), readOnlyFirst: fc.boolean() }),
  'dirty-bit-scan': fc.record({ flexpageOrder: fc.integer({ min: 0, max: 6 }) }),
};

const scenario = fc.integer({ min: 1, max: 48 }).chain((pages) =>
  fc.record({
    pages: fc.constant(pages),
    // size 'max': fast-check otherwise caps generated arrays at 10 elements whatever maxLength says.
    accesses: fc.array(fc.tuple(fc.integer({ min: 0, max: pages - 1 }), fc.boolean()), {
      maxLength: 400,
      size: 'max',
    }),
    compute: fc.integer({ min: 0, max: 500 }),
    interval: fc.integer({ min: 1, max: 200_000 }),
  }),
);

describe.each(strategies.map((s) => [s.name, s] as const))('%s', (name, def) => {
  it('never misses a written page, restores exactly, stays within its bounds, and is deterministic', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.constantFrom(...profiles),
        paramArbs[name] ?? fc.constant({}),
        ({ pages, accesses, compute, interval }, profile, params: Record<string, unknown>) => {
          const wanted = def.requires(
            def.params ? (fillDefaults(def.params, params) as never) : ({} as never),
          );
          fc.pre(wanted.every((cap) => profile.capabilities[cap]));
          if (name === 'managed-dataspace' && (params['managedPages'] as number) > 0) {
            fc.pre((params['granularity'] as number) <= (params['managedPages'] as number));
          }
          const workload = literalWorkload(
            pages,
            accesses.map((a) => a[0]),
            accesses.map((a) => a[1]),
            compute,
          );
          const config = literalConfig(profile, name, params, interval);
          const a = runExperiment(config, { workload });
          expect(a.metrics.verification.missedPages).toBe(0);
          expect(a.metrics.verification.restoreOk).toBe(true);
          expect(a.metrics.stalls.maxCycles).toBeLessThanOrEqual(a.bounds.maxStallCycles);
          expect(a.metrics.pause.maxCycles).toBeLessThanOrEqual(a.bounds.maxPauseCycles);
          expect(a.failures).toEqual([]);
          const sum = Object.values(a.metrics.breakdownCycles).reduce((x, y) => x + y, 0);
          expect(sum).toBe(a.metrics.runtimeCycles);
          expect(runExperiment(config, { workload })).toEqual(a);
        },
      ),
      { numRuns: 300, seed: 20261126 },
    );
  });
});

function fillDefaults(specs: Record<string, { default: unknown }>, given: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(specs)) out[k] = k in given ? given[k] : s.default;
  return out;
}
