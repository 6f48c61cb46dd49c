/**
 * Properties every registered strategy must keep on every profile it runs on,
 * over random access sequences, memory sizes, checkpoint intervals and
 * parameters drawn from its own declarations: no written page is ever missed,
 * the restored chain equals B's memory at every checkpoint (the incremental
 * check agreeing with a comparison of every page), each kind of stall stays
 * within its own analytic bound, and the same inputs give identical results,
 * whichever way A reaches B's memory (`--copy-via`). A strategy is covered as
 * soon as it is registered.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STALL_BOUND_FIELDS, strategies } from '../strategies/index.ts';
import { runExperiment } from './runner.ts';
import { accessScenario, literalConfig, runChoices, runnable, scenarioWorkload } from './testing.ts';

const scenario = accessScenario({
  maxPages: 48,
  maxAccesses: 400,
  maxInterval: 200_000,
  compute: { max: 500 },
});

describe.each(strategies.map((s) => [s.name, s] as const))('%s', (name, def) => {
  it('never misses a written page, restores exactly, stays within its bounds, and is deterministic, with either copy', () => {
    fc.assert(
      fc.property(scenario, runChoices(def), (s, [profile, params, copyVia]) => {
        const workload = scenarioWorkload(s);
        const config = { ...literalConfig(profile, name, params, s.interval), copyVia };
        fc.pre(runnable(config, { workload }, s.pages));
        // fullCheck: every checkpoint's incremental verdict is also checked against visiting every page.
        const a = runExperiment(config, { workload, fullCheck: true });
        expect(a.metrics.verification.missedPages).toBe(0);
        expect(a.metrics.verification.restoreOk).toBe(true);
        // Every stall kind within its own bound (STALL_BOUND_FIELDS), the pause among them.
        for (const [kind, field] of Object.entries(STALL_BOUND_FIELDS))
          expect(a.metrics.stallsByKind[kind]!.maxCycles).toBeLessThanOrEqual(a.bounds[field]);
        expect(a.metrics.stalls.maxCycles).toBeLessThanOrEqual(a.bounds.maxStallCycles);
        expect(a.failures).toEqual([]);
        const sum = Object.values(a.metrics.breakdownCycles).reduce((x, y) => x + y, 0);
        expect(sum).toBe(a.metrics.runtimeCycles);
        expect(runExperiment(config, { workload })).toEqual(a);
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });
});
