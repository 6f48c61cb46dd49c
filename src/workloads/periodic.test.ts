import { describe, expect, it } from 'vitest';
import { jobWindow, periodic } from './periodic.ts';
import { createWorkload } from './registry.ts';
import { collectStream } from './testing.ts';

const common = { pages: 1024, accesses: 50_000, writeRatio: 0.25, computeCycles: 100 };
const params = { periodCycles: 1_000_000, accessesPerJob: 500, jobPages: 32 };

describe('periodic', () => {
  it('exposes the job structure the parameters define, with the page set a job touches', () => {
    const s = createWorkload(periodic, common, params, 1);
    expect(s.jobs).toEqual({ periodCycles: 1_000_000, accessesPerJob: 500, pages: 32 });
    expect(s.accesses / s.jobs!.accessesPerJob).toBe(100);
    expect(jobWindow(s.jobs!, 0)).toEqual({
      firstAccess: 0,
      endAccess: 500,
      releaseCycle: 0,
      deadlineCycle: 1_000_000,
    });
    expect(jobWindow(s.jobs!, 99)).toEqual({
      firstAccess: 49_500,
      endAccess: 50_000,
      releaseCycle: 99_000_000,
      deadlineCycle: 100_000_000,
    });
  });

  it('keeps every access of every job inside the page set, with the write ratio', () => {
    const s = createWorkload(periodic, common, params, 2);
    const { pages, writes } = collectStream(s, 333);
    for (let k = 0; k < 100; k++) {
      const w = jobWindow(s.jobs!, k);
      const job = pages.subarray(w.firstAccess, w.endAccess);
      expect(job.length).toBe(500);
      expect(job.every((p) => p >= 0 && p < 32)).toBe(true);
    }
    expect(new Set(pages).size).toBe(32);
    const share = writes.reduce((a, b) => a + b, 0) / writes.length;
    expect(Math.abs(share - 0.25)).toBeLessThan(5 * Math.sqrt((0.25 * 0.75) / writes.length));
  });

  it('refuses a job whose pure compute exceeds the period, saying what to change', () => {
    expect(() => createWorkload(periodic, common, { ...params, periodCycles: 49_999 }, 1)).toThrow(
      'periodic: pure compute per job, accessesPerJob × computeCycles = 500 × 100 = 50000 cycles, exceeds periodCycles = 49999',
    );
    // Exactly the period is allowed: a job with zero slack.
    expect(createWorkload(periodic, common, { ...params, periodCycles: 50_000 }, 1).jobs?.periodCycles).toBe(
      50_000,
    );
  });

  it('refuses a partial last job and a page set larger than memory', () => {
    expect(() => createWorkload(periodic, { ...common, accesses: 50_100 }, params, 1)).toThrow(
      'periodic: accesses (50100) must be a whole number of jobs of accessesPerJob = 500 accesses, e.g. 50000',
    );
    expect(() => createWorkload(periodic, common, { ...params, jobPages: 2000 }, 1)).toThrow(
      "periodic: parameter 'jobPages' must be <= pages (1024), got 2000",
    );
  });
});
