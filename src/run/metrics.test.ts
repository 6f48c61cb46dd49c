/**
 * The checkpoint ledger keeps running sums and maxima, so the figures of a run
 * do not depend on holding one number per checkpoint, and equal what the
 * per-checkpoint arrays gave.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveParams } from '../params/params.ts';
import { loadProfile } from '../platform/index.ts';
import { commonParamSpecs } from '../workloads/index.ts';
import { CheckpointLedger } from './metrics.ts';
import { runExperiment } from './runner.ts';

describe('the checkpoint ledger', () => {
  it('gives the same means and maxima as summing and searching the per-checkpoint lists, float for float', () => {
    const checkpoint = fc.record({
      copied: fc.nat({ max: 1 << 20 }),
      truePositives: fc.nat({ max: 1 << 20 }),
      falsePositives: fc.nat({ max: 1 << 20 }),
      missed: fc.nat({ max: 4 }),
      restoreMismatches: fc.nat({ max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(checkpoint, { minLength: 1, maxLength: 300, size: 'max' }), (list) => {
        const ledger = new CheckpointLedger();
        for (const c of list) ledger.record(c.copied, c);
        const copied = list.map((c) => c.copied);
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        expect(ledger.checkpoints).toBe(list.length);
        expect(ledger.meanCopiedPages()).toBe(sum(copied) / copied.length);
        expect(ledger.maxCopiedPages).toBe(Math.max(...copied));
        expect(ledger.meanFalsePositives()).toBe(sum(list.map((c) => c.falsePositives)) / list.length);
        expect(ledger.truePositives).toBe(sum(list.map((c) => c.truePositives)));
        expect(ledger.missedPages).toBe(sum(list.map((c) => c.missed)));
        expect(ledger.restoreMismatches).toBe(sum(list.map((c) => c.restoreMismatches)));
      }),
      { numRuns: 200, seed: 20261126 },
    );
  });

  it('reports zero means before any checkpoint', () => {
    const ledger = new CheckpointLedger();
    expect([ledger.meanCopiedPages(), ledger.meanFalsePositives(), ledger.maxCopiedPages]).toEqual([0, 0, 0]);
  });
});

describe('a run of many checkpoints', () => {
  it('completes past 120 000 checkpoints (spreading one number per checkpoint into Math.max overflowed the stack)', () => {
    // The command of issue 19: --strategy=oracle --workload=uniform --pages=64 --accesses=1000000 --interval=1000
    const r = runExperiment({
      profile: loadProfile('fiasco-oc-x86_64'),
      strategy: 'oracle',
      strategyParams: {},
      workload: 'uniform',
      workloadParams: {},
      common: resolveParams('common', commonParamSpecs, { pages: 64, accesses: 1_000_000 }),
      intervalCycles: 1000,
      seed: 1,
    });
    expect(r.ok, r.failures.join('; ')).toBe(true);
    expect(r.checkpoints).toBeGreaterThan(120_000);
    expect(r.metrics.checkpointPages.max).toBeLessThanOrEqual(64);
    expect(r.metrics.checkpointPages.mean).toBeGreaterThan(0);
  });
});
