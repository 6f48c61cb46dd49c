/**
 * The runner's own semantics: the checkpoint timer, real-time jobs, the
 * accounting identity, and that a strategy which misses pages or breaks its
 * bound fails the run loudly.
 */
import { describe, expect, it } from 'vitest';
import { loadProfile, MAX_PAGES, pauseResumeCycles } from '../platform/index.ts';
import { stubStrategy } from '../strategies/testing.ts';
import { MAX_PAGES as WORKLOAD_MAX_PAGES, type WorkloadDef } from '../workloads/index.ts';
import { runExperiment } from './runner.ts';
import { literalConfig, literalWorkload, runStrategy, sequentialWrites } from './testing.ts';

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

  it('holds B until each release, and counts response times and deadline misses', () => {
    const w = periodicLiteral(5, 10, 10_000, 100); // each job: 10 × 100 cycles of compute
    const calm = runExperiment(literalConfig(x86, 'oracle', {}, Number.MAX_SAFE_INTEGER), { workload: w });
    expect(calm.metrics.realtime).toEqual({
      wcrtCycles: 1000,
      deadlineMisses: 0,
      jobs: 5,
      baselineWcrtCycles: 1000,
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
      bounds: { maxStallCycles: 10, maxPauseCycles: 10 },
    });
    const r = runExperiment(literalConfig(x86, 'optimistic'), {
      strategy: optimistic,
      workload: literalWorkload(8, [1], [true]),
    });
    expect(r.ok).toBe(false);
    expect(r.metrics.verification.boundsOk).toBe(false);
    expect(r.failures.join('\n')).toMatch(/observed pause \d+ cycles exceeds the analytic bound 10/);
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
