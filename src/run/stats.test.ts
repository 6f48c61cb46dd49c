import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StallCause, StallLog } from '../platform/index.ts';
import { histogramQuantile, nearestRank, summarizeStalls, summarizeStallsOf } from './stats.ts';

/** The nearest-rank p-quantile straight from its definition: the ⌈p·n⌉-th smallest (the smallest for p = 0). */
function byDefinition(sorted: readonly number[], p: number): number {
  return sorted[Math.max(1, Math.ceil(p * sorted.length - 1e-9)) - 1]!;
}

describe('stall statistics from a histogram', () => {
  it('equal the nearest-rank quantiles of the expanded durations, for any durations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300, size: 'max' }),
        fc.integer({ min: 0, max: 1_000_000 }).map((ppm) => ppm / 1_000_000),
        (durations, p) => {
          const log = new StallLog();
          log.recording = true;
          for (const d of durations) log.record(d, StallCause.fault);
          const sorted = [...durations].sort((a, b) => a - b);
          const h = log.histogram();
          expect(histogramQuantile(h, durations.length, p)).toBe(byDefinition(sorted, p));
          expect(sorted).toContain(histogramQuantile(h, durations.length, p));
          const s = summarizeStalls(h);
          expect(s.count).toBe(durations.length);
          expect(s.maxCycles).toBe(sorted.at(-1));
          expect(s.p50Cycles).toBe(byDefinition(sorted, 0.5));
          expect(s.p99Cycles).toBe(byDefinition(sorted, 0.99));
          expect(s.meanCycles).toBe(Math.round(durations.reduce((a, b) => a + b, 0) / durations.length));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('gives an observed stall as p99, never one interpolated towards a rarer, longer one', () => {
    // 99 stalls of 10 cycles and one of 5000: the 99th smallest is 10 (interpolation, type 7, gave 59.9 → 60).
    const h: [number, number][] = [
      [10, 99],
      [5000, 1],
    ];
    expect(summarizeStalls(h)).toEqual({
      count: 100,
      maxCycles: 5000,
      p50Cycles: 10,
      p99Cycles: 10,
      meanCycles: 60,
    });
    // 1..10: p50 is the 5th smallest, p99 the 10th.
    const ten = Array.from({ length: 10 }, (_, i): [number, number] => [i + 1, 1]);
    expect([
      histogramQuantile(ten, 10, 0.5),
      histogramQuantile(ten, 10, 0.99),
      histogramQuantile(ten, 10, 0),
    ]).toEqual([5, 10, 1]);
  });

  it('takes the rank in whole numbers: 0.99 of 100 is rank 99, of 300 rank 297', () => {
    expect([
      nearestRank(100, 0.99),
      nearestRank(300, 0.99),
      nearestRank(101, 0.99),
      nearestRank(7, 0),
    ]).toEqual([99, 297, 100, 1]);
    expect(() => nearestRank(10, 1.5)).toThrow(RangeError);
  });

  it('counts every duration exactly, however many distinct ones and however large', () => {
    // Past the hash table's first sizes (it grows at half full), with durations a Map would keep as heap numbers.
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 3000 }).map((d) => d * 20),
            fc.integer({ min: 0, max: 2 ** 40 }),
            fc.double({ min: 0, max: 1e15, noNaN: true }),
          ),
          { minLength: 1, maxLength: 2000, size: 'max' },
        ),
        (durations) => {
          const log = new StallLog();
          log.recording = true;
          const expected = new Map<number, number>();
          for (const d of durations) {
            log.record(d, StallCause.fault);
            expected.set(d, (expected.get(d) ?? 0) + 1);
          }
          expect(log.histogram(StallCause.fault)).toEqual([...expected].sort((x, y) => x[0] - y[0]));
          expect(log.histogram(StallCause.checkpoint)).toEqual([]);
        },
      ),
      { seed: 11, numRuns: 60 },
    );
  });

  it('summarizes the histograms of every cause as the histogram of all stalls, without merging them', () => {
    const causes = Object.values(StallCause);
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(...causes),
            fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 40 })),
          ),
          { maxLength: 400, size: 'max' },
        ),
        (stalls) => {
          const log = new StallLog();
          log.recording = true;
          for (const [cause, d] of stalls) log.record(d, cause);
          expect(summarizeStallsOf(causes.map((c) => log.histogram(c)))).toEqual(
            summarizeStalls(log.histogram()),
          );
        },
      ),
      { seed: 13, numRuns: 300 },
    );
    // One duration in two causes counts twice; p50 and p99 fall in different histograms.
    const h = summarizeStallsOf([
      [
        [10, 50],
        [40, 1],
      ],
      [[10, 48]],
      [[900, 1]],
    ]);
    expect(h).toEqual({ count: 100, maxCycles: 900, p50Cycles: 10, p99Cycles: 40, meanCycles: 19 });
  });

  it('keeps causes apart and merges them on request', () => {
    const log = new StallLog();
    log.record(5, StallCause.fault); // not recording yet: setup
    log.recording = true;
    log.record(10, StallCause.fault);
    log.record(10, StallCause.fault);
    log.record(300, StallCause.checkpoint);
    expect(log.count).toBe(3);
    expect(log.histogram(StallCause.fault)).toEqual([[10, 2]]);
    expect(log.histogram()).toEqual([
      [10, 2],
      [300, 1],
    ]);
    expect(summarizeStalls([])).toEqual({
      count: 0,
      maxCycles: 0,
      p50Cycles: 0,
      p99Cycles: 0,
      meanCycles: 0,
    });
  });
});
