/**
 * The runner's own semantics: the checkpoint timer, real-time jobs, the
 * accounting identity, and that a strategy which misses pages or breaks its
 * bound fails the run loudly.
 */
import { describe, expect, it } from 'vitest';
import {
  cacheMaintenanceCycles,
  loadProfile,
  MAX_PAGES,
  maxUnmapCycles,
  pauseResumeCycles,
  rpcCycles,
} from '../platform/index.ts';
import { stubStrategy } from '../strategies/testing.ts';
import { MAX_PAGES as WORKLOAD_MAX_PAGES, type WorkloadDef } from '../workloads/index.ts';
import { runExperiment } from './runner.ts';
import { literalConfig, literalWorkload, runStrategy, sequentialWrites } from './testing.ts';
import type { RunConfig } from './types.ts';

const x86 = loadProfile('fiasco-oc-x86_64');

/** `jobs` jobs of `perJob` writes to page 0, released every `period` cycles. */
function periodicLiteral(jobs: number, perJob: number, period: number, compute: number): WorkloadDef {
  const base = literalWorkload(
    4,
    Array.from({ length: jobs * perJob }, () => 0),
    Array.from({ length: jobs * perJob }, () => true),
    compute,
  );
  return {
    ...base,
    create: (...args) => ({
      ...base.create(...args),
      jobs: { periodCycles: period, accessesPerJob: perJob },
    }),
  };
}

describe('the runner', () => {
  it('fires checkpoints on a periodic timer of target time and once at the end', () => {
    // 1000 accesses × 100 cycles = 100 000 cycles of compute; oracle adds only pauses.
    const w = literalWorkload(
      4,
      Array.from({ length: 1000 }, (_, i) => i % 4),
      Array.from({ length: 1000 }, () => false),
    );
    const r = runExperiment(literalConfig(x86, 'oracle', {}, 30_000), { workload: w });
    // Reads copy nothing, so each pause costs exactly stop + resume.
    const pause = pauseResumeCycles(x86);
    expect(r.metrics.pause.maxCycles).toBe(pause);
    // Timer slots at 30k, 60k, 90k and 120k of target time: the pauses delay the
    // accesses, so they end at 100k + 4 pauses, after the fourth slot; then the final one.
    // Each checkpoint runs A, and on x86 Fiasco.OC (untagged TLB) B refills its
    // 4 pages after each of the first four (issue 10).
    expect(r.checkpoints).toBe(5);
    expect(r.metrics.runtimeCycles).toBe(100_000 + 5 * pause + 4 * 4 * x86.mmu.pageWalk);
  });

  describe('the checkpoint timer', () => {
    // 100 reads of 100 cycles each: 10 000 cycles of B's own; an oracle pause copies
    // nothing, so it is exactly stop + resume (7580 cycles on x86), longer than two
    // intervals of 3000 cycles. Each checkpoint runs A, which on x86 Fiasco.OC
    // (untagged TLB) empties B's TLB: B's next 4 accesses refill it, a walk each
    // (issue 10).
    const refill = 4 * x86.mmu.pageWalk;
    const reads = literalWorkload(
      4,
      Array.from({ length: 100 }, (_, i) => i % 4),
      Array.from({ length: 100 }, () => false),
    );
    const pause = pauseResumeCycles(x86);
    const config = (over: Partial<RunConfig>) => ({ ...literalConfig(x86, 'oracle', {}, 3000), ...over });

    it('counts the grid slots a long pause overran (intervalFrom start, the default)', () => {
      expect(pause).toBe(7580);
      // Checkpoints at 3000 (ends 10580: slots 6000 and 9000 passed); access 30 refills
      // 4 pages (to 11100), and access 43 starts at 12000: a checkpoint (ends 19580:
      // 15000, 18000 passed); likewise at 21000, 30000, 39000 and 48000 (two slots
      // passed each time); the 100th access ends at 56200, before the slot of 57000;
      // then the final.
      const r = runExperiment(config({}), { workload: reads });
      expect([r.checkpoints, r.skippedSlots]).toEqual([7, 12]);
      expect(r.metrics.runtimeCycles).toBe(10_000 + 7 * pause + 6 * refill);
      expect([r.intervalFrom, r.intervalAccesses]).toEqual(['start', null]);
    });

    it('counts an interval from the end of the previous checkpoint with --interval-from=end', () => {
      // At 3000 (ends 10580), at the first access at or after 13580 (13600, ends 21180),
      // at 24200 (ends 31780); the accesses end at 33100.
      const r = runExperiment(config({ intervalFrom: 'end' }), { workload: reads });
      expect([r.checkpoints, r.skippedSlots]).toEqual([4, 0]);
      expect(r.metrics.runtimeCycles).toBe(10_000 + 4 * pause + 3 * refill);
      expect(r.intervalFrom).toBe('end');
    });

    it("checkpoints after every N of B's accesses, never at the last one (the native replayer's rule)", () => {
      // After accesses 25, 50 and 75; the 100th is followed by the final checkpoint alone.
      const r = runExperiment(config({ intervalCycles: 0, intervalAccesses: 25 }), { workload: reads });
      expect([r.checkpoints, r.skippedSlots]).toEqual([4, 0]);
      expect(r.metrics.runtimeCycles).toBe(10_000 + 4 * pause + 3 * refill);
      expect([r.intervalCycles, r.intervalAccesses, r.intervalFrom]).toEqual([0, 25, null]);
    });

    it("puts every strategy's checkpoints at the same points of B with an interval in accesses", () => {
      // Slow tracking (a fault per page) sees fewer accesses per interval of time than
      // the oracle, and so smaller dirty sets; in accesses both copy the same pages.
      const w = literalWorkload(
        64,
        Array.from({ length: 2000 }, (_, i) => (i * 37) % 64),
        Array.from({ length: 2000 }, (_, i) => i % 3 !== 0),
      );
      const pages = (s: string, over: Partial<RunConfig>) =>
        runExperiment({ ...literalConfig(x86, s, {}, 20_000), ...over }, { workload: w }).metrics
          .checkpointPages;
      const inAccesses = { intervalCycles: 0, intervalAccesses: 150 };
      expect(pages('managed-dataspace', inAccesses)).toEqual(pages('oracle', inAccesses));
      expect(pages('managed-dataspace', {}).mean).toBeLessThan(pages('oracle', {}).mean!);
    });

    it('refuses an interval in accesses together with one in cycles or a start', () => {
      const w = { workload: reads };
      expect(() => runExperiment(config({ intervalAccesses: 25 }), w)).toThrow(/intervalCycles 0/);
      expect(() => runExperiment(config({ intervalCycles: 0, intervalAccesses: 0 }), w)).toThrow(/>= 1/);
      expect(() =>
        runExperiment(config({ intervalCycles: 0, intervalAccesses: 5, intervalFrom: 'end' }), w),
      ).toThrow(/no intervalFrom/);
    });
  });

  it('holds B until each release, and counts response times and deadline misses', () => {
    const w = periodicLiteral(5, 10, 10_000, 100); // each job: 10 × 100 cycles of compute
    const calm = runExperiment(literalConfig(x86, 'oracle', {}, Number.MAX_SAFE_INTEGER), { workload: w });
    // The analytic bound: 10 accesses of at most 100 + a dirty assist (150) each, no fault
    // (oracle), and one pause of at most every page copied (src/run/realtime.ts).
    expect(calm.metrics.realtime).toEqual({
      wcrtCycles: 1000,
      deadlineMisses: 0,
      jobs: 5,
      baselineWcrtCycles: 1000,
      wcrtBoundCycles: 10 * (100 + 150) + pauseResumeCycles(x86) + 4 * x86.checkpointer.copyPage,
    });
    // B idles between jobs: runtime = last release + last job + the final checkpoint.
    expect(calm.metrics.breakdownCycles['idle']).toBe(4 * 9000);
    // A checkpoint every 15 000 cycles lands in the idle time or inside a job.
    const busy = runExperiment(literalConfig(x86, 'full-copy', {}, 15_000), { workload: w });
    const pause = pauseResumeCycles(x86) + 4 * x86.checkpointer.copyPage;
    expect(busy.metrics.pause.maxCycles).toBe(pause);
    expect(busy.metrics.realtime!.wcrtCycles).toBeGreaterThan(1000);
    expect(busy.metrics.realtime!.deadlineMisses).toBeGreaterThanOrEqual(1);
  });

  it('gives as baseline of a sequential pass its compute alone: the setup filled the TLB', () => {
    expect(runStrategy(x86, 'oracle', {}, sequentialWrites(256)).metrics.baselineCycles).toBe(256 * 100);
  });

  it('accounts every cycle of the measured phase to one category', () => {
    const w = literalWorkload(
      64,
      Array.from({ length: 500 }, (_, i) => (i * 7) % 64),
      Array.from({ length: 500 }, (_, i) => i % 3 === 0),
    );
    for (const s of ['managed-dataspace', 'fault-notify', 'dirty-bit-scan']) {
      const r = runExperiment(literalConfig(x86, s, {}, 20_000), { workload: w });
      const sum = Object.values(r.metrics.breakdownCycles).reduce((a, b) => a + b, 0);
      expect(sum).toBe(r.metrics.runtimeCycles);
      expect(Number.isInteger(r.metrics.runtimeCycles)).toBe(true);
    }
  });

  it('fails a run loudly when a strategy misses written pages', () => {
    const forgetful = stubStrategy({ name: 'forgetful', doc: 'reports nothing (a broken tracker)' });
    const w = literalWorkload(8, [1, 2, 2], [true, true, false]);
    const r = runExperiment(literalConfig(x86, 'forgetful'), { strategy: forgetful, workload: w });
    expect(r.ok).toBe(false);
    expect(r.metrics.verification.missedPages).toBe(2);
    expect(r.metrics.verification.restoreOk).toBe(false);
    expect(r.failures[0]).toBe('missed 2 written pages: a checkpoint did not report them');
  });

  it('fails a run whose observed pause exceeds the analytic bound', () => {
    const optimistic = stubStrategy({
      name: 'optimistic',
      doc: 'claims a pause shorter than stopping B',
      groundTruth: true,
      hooks: (ctx) => ({ collect: (out) => ctx.groundTruth!.collectWritten(out) }),
      bounds: { maxPauseCycles: 10 },
    });
    const r = runExperiment(literalConfig(x86, 'optimistic'), {
      strategy: optimistic,
      workload: literalWorkload(8, [1], [true]),
    });
    expect(r.ok).toBe(false);
    expect(r.metrics.verification.boundsOk).toBe(false);
    expect(r.failures.join('\n')).toMatch(
      /observed pause \d+ cycles exceeds the analytic bound 10 \(bounds\.maxPauseCycles\)$/m,
    );
  });

  it("adds to a strategy's bounds what reaching B's memory can cost A", () => {
    const stub = (name: string) =>
      stubStrategy({
        name,
        bounds: { maxFaultStallCycles: 10, maxPauseCycles: 10, maxRingFullStallCycles: 0 },
      });
    const w = () => literalWorkload(8, [1], [true]);
    // --copy-via mapped, B's RAM attached in its own address space: A keeps it mapped, nothing to add.
    const mapped = runExperiment(literalConfig(x86, 'a'), { strategy: stub('a'), workload: w() });
    expect(mapped.bounds).toEqual({
      maxFaultStallCycles: 10,
      maxStallCycles: 10,
      maxPauseCycles: 10,
      maxRingFullStallCycles: 0,
    });
    // --copy-via attach: per page of the dataspace (8) and of its copy (8), A's fault and mapping and
    // the unmaps; the attach and detach RPCs and cache operations of both. B's refault through its
    // pager afterwards adds to the longest fault stall.
    const attach = runExperiment(
      { ...literalConfig(x86, 'b'), copyVia: 'attach' },
      { strategy: stub('b'), workload: w() },
    );
    const k = x86.kernel;
    const c = x86.core;
    const aFault = k.pageFaultTrap + 2 * k.ipcOneWay + c.regionLookup;
    const pause =
      2 * (rpcCycles(x86, c.attachWork) + rpcCycles(x86, c.detachWork) + cacheMaintenanceCycles(x86, 8)) +
      8 * (aFault + k.mapPerPage + maxUnmapCycles(x86, 1) + k.unmapPerPage) +
      8 * aFault +
      8 * (k.mapPerPage + k.unmapPerPage) +
      8 * k.syscall;
    const refault =
      2 * x86.mmu.pageWalk +
      k.pageFaultTrap +
      2 * k.ipcOneWay +
      c.regionLookup +
      2 ** c.maxMapOrder * k.mapPerPage;
    expect(attach.bounds).toEqual({
      maxFaultStallCycles: 10 + refault,
      maxRingFullStallCycles: 0,
      maxPauseCycles: 10 + pause,
      maxStallCycles: 10 + Math.max(refault, pause),
    });
  });
});

describe('limits', () => {
  it('lets workloads address exactly the pages the emulated platform holds', () => {
    expect(WORKLOAD_MAX_PAGES).toBe(MAX_PAGES);
  });

  it('refuses a workload addressing more pages than the platform holds, before allocating anything', () => {
    const huge = literalWorkload(MAX_PAGES + 1, [], []);
    expect(() =>
      runExperiment(literalConfig(loadProfile('fiasco-oc-x86_64'), 'oracle'), { workload: huge }),
    ).toThrow(
      `workload 'literal' addresses ${MAX_PAGES + 1} pages; the emulated platform holds at most ${MAX_PAGES}`,
    );
  });
});
