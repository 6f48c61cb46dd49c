import fc from 'fast-check';
import { quantileSorted } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { StallCause, StallLog } from '../platform/index.ts';
import { histogramQuantile, summarizeStalls } from './stats.ts';

describe('stall statistics from a histogram', () => {
  it('equal simple-statistics on the expanded durations, for any durations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300, size: 'max' }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (durations, p) => {
          const log = new StallLog();
          log.recording = true;
          for (const d of durations) log.record(d, StallCause.fault);
          const sorted = [...durations].sort((a, b) => a - b);
          const h = log.histogram();
          expect(histogramQuantile(h, durations.length, p)).toBeCloseTo(quantileSorted(sorted, p), 9);
          const s = summarizeStalls(h);
          expect(s.count).toBe(durations.length);
          expect(s.maxCycles).toBe(sorted.at(-1));
          expect(s.p50Cycles).toBe(Math.round(quantileSorted(sorted, 0.5)));
          expect(s.p99Cycles).toBe(Math.round(quantileSorted(sorted, 0.99)));
          expect(s.meanCycles).toBe(Math.round(durations.reduce((a, b) => a + b, 0) / durations.length));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
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
