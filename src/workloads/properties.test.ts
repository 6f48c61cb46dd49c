import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWorkload, findWorkload } from './registry.ts';
import type { CommonWorkloadParams } from './types.ts';

/** Valid common parameters plus per-workload parameters, as fast-check arbitraries. */
const commonArb = fc.record({
  pages: fc.integer({ min: 1, max: 5000 }),
  accesses: fc.integer({ min: 1, max: 3000 }),
  writeRatio: fc.double({ min: 0, max: 1, noNaN: true }),
  computeCycles: fc.integer({ min: 0, max: 1000 }),
});

const fraction = fc.double({ min: 1e-6, max: 1, noNaN: true });

const cases: [string, fc.Arbitrary<Record<string, unknown>>][] = [
  ['sequential', fc.constant({})],
  ['uniform', fc.constant({})],
  ['zipf', fc.record({ theta: fc.double({ min: 0.01, max: 4, noNaN: true }), scatter: fc.boolean() })],
  [
    'hotcold',
    fc.record({
      hotFraction: fraction,
      hotAccessFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      scatter: fc.boolean(),
    }),
  ],
  ['phases', fc.record({ hotFraction: fraction, phaseAccesses: fc.integer({ min: 1, max: 5000 }) })],
  ['stride', fc.record({ stride: fc.integer({ min: 1, max: 10_000 }) })],
];

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
