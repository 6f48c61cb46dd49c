import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paramsArbitrary } from '../params/testing.ts';
import { commonParamSpecs } from './common.ts';
import { createWorkload, findWorkload, workloads } from './registry.ts';
import type { CommonWorkloadParams } from './types.ts';

/**
 * Valid common parameters and each generator's own, drawn from their
 * declarations (sizes up to 5000 pages and accesses, own parameters up to
 * 10 000 past their minimum). `trace` reads a file and `periodic` has a job
 * structure: both have tests of their own.
 */
const commonArb = paramsArbitrary(commonParamSpecs, { span: 5000 });
const cases = workloads
  .filter((w) => w.name !== 'trace' && w.name !== 'periodic')
  .map((w) => [w.name, paramsArbitrary(w.params, { span: 10_000 })] as const);

function drain(stream: ReturnType<typeof createWorkload>, batch: number, pages: number): number {
  const bp = new Int32Array(batch);
  const bw = new Uint8Array(batch);
  let total = 0;
  for (;;) {
    const n = stream.fill(bp, bw);
    if (n === 0) break;
    expect(n).toBeLessThanOrEqual(batch);
    for (let i = 0; i < n; i++) {
      if (!(bp[i]! >= 0 && bp[i]! < pages)) throw new Error(`page ${bp[i]} outside [0, ${pages})`);
      if (bw[i] !== 0 && bw[i] !== 1) throw new Error(`write bit ${bw[i]}`);
    }
    total += n;
  }
  expect(stream.fill(bp, bw)).toBe(0);
  return total;
}

describe('every generator, any valid parameters', () => {
  it.each(cases)('%s: pages in [0, pages), exactly `accesses` in any batch size', (name, paramsArb) => {
    const def = findWorkload(name)!;
    fc.assert(
      fc.property(
        commonArb,
        paramsArb,
        fc.integer({ min: 1, max: 5000 }),
        fc.integer(),
        (common, params, batch, seed) => {
          const stream = createWorkload(def, common, params, seed);
          expect(stream.pages).toBe(common.pages);
          expect(drain(stream, batch, common.pages)).toBe(common.accesses);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('periodic: pages in the job page set, exactly `accesses` in any batch size', () => {
    const def = findWorkload('periodic')!;
    const arb = fc
      .record({
        accessesPerJob: fc.integer({ min: 1, max: 500 }),
        jobs: fc.integer({ min: 1, max: 20 }),
        pages: fc.integer({ min: 1, max: 5000 }),
        jobPagesShare: fc.double({ min: 0, max: 1, noNaN: true }),
        computeCycles: fc.integer({ min: 0, max: 100 }),
        slack: fc.integer({ min: 0, max: 10_000 }),
        writeRatio: fc.double({ min: 0, max: 1, noNaN: true }),
      })
      .map((r) => ({
        common: {
          pages: r.pages,
          accesses: r.jobs * r.accessesPerJob,
          writeRatio: r.writeRatio,
          computeCycles: r.computeCycles,
        } satisfies CommonWorkloadParams,
        params: {
          accessesPerJob: r.accessesPerJob,
          jobPages: Math.max(1, Math.floor(r.jobPagesShare * r.pages)),
          periodCycles: Math.max(1, r.accessesPerJob * r.computeCycles + r.slack),
        },
      }));
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 3000 }), fc.integer(), ({ common, params }, batch, seed) => {
        const stream = createWorkload(def, common, params, seed);
        expect(drain(stream, batch, params.jobPages)).toBe(common.accesses);
      }),
      { numRuns: 60 },
    );
  });
});
