/**
 * Properties every registered strategy must keep on every profile it runs on,
 * over random access sequences, memory sizes, checkpoint intervals and
 * parameters drawn from its own declarations: no written page is ever missed,
 * the restored chain equals B's memory at every checkpoint (the incremental
 * check agreeing with a comparison of every page), observed stalls and pauses
 * stay within the analytic bounds, and the same inputs give identical results,
 * whichever way A reaches B's memory (`--copy-via`). A strategy is covered as
 * soon as it is registered.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paramsArbitrary } from '../params/testing.ts';
import { type CostProfile, loadProfile, PROFILE_NAMES } from '../platform/index.ts';
import { profileWith } from '../platform/testing.ts';
import { COPY_VIA, strategies } from '../strategies/index.ts';
import { runExperiment } from './runner.ts';
import { accessScenario, literalConfig, runnable, scenarioWorkload } from './testing.ts';

/**
 * The shipped profiles, plus one modelling Genode before 16.05 with read-only
 * attach (both variants exercised), and superpages of 4 pages on x86 and on
 * Linux's page-by-page invalidation (issue 10: the shipped ones are 2 MiB, more
 * than these memories).
 */
const profiles: CostProfile[] = [
  ...PROFILE_NAMES.map((n) => loadProfile(n)),
  profileWith('fiasco-oc-x86_64', {
    capabilities: { readOnlyAttach: true, rmSessionPerManagedDataspace: true },
    core: { maxMapOrder: 2 },
    mmu: { tlbEntries: 16, tlbWays: 2, tlbFlushThresholdPages: 4 },
  }),
  profileWith('fiasco-oc-x86_64', { mmu: { tlbEntries: 16, tlbWays: 2, superpageOrder: 2 } }),
  profileWith('linux-x86_64', { mmu: { tlbEntries: 16, tlbWays: 2, superpageOrder: 2 } }),
];

const scenario = accessScenario({
  maxPages: 48,
  maxAccesses: 400,
  maxInterval: 200_000,
  compute: { max: 500 },
});

describe.each(strategies.map((s) => [s.name, s] as const))('%s', (name, def) => {
  it('never misses a written page, restores exactly, stays within its bounds, and is deterministic, with either copy', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.constantFrom(...profiles),
        // Sizes in pages up to 16 past their minimum: around the scenario's memory of 1 to 48 pages.
        paramsArbitrary(def.params, { span: 16 }),
        fc.constantFrom(...COPY_VIA),
        (s, profile, params: Record<string, unknown>, copyVia) => {
          const workload = scenarioWorkload(s);
          const config = { ...literalConfig(profile, name, params, s.interval), copyVia };
          fc.pre(runnable(config, { workload }, s.pages));
          // fullCheck: every checkpoint's incremental verdict is also checked against visiting every page.
          const a = runExperiment(config, { workload, fullCheck: true });
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
