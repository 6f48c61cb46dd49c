/**
 * The checkpoint ledger keeps running sums and maxima, so the figures of a run
 * do not depend on holding one number per checkpoint, and equal what the
 * per-checkpoint arrays gave.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveParams } from '../params/params.ts';
import { loadProfile, pauseResumeCycles } from '../platform/index.ts';
import { commonParamSpecs } from '../workloads/index.ts';
import { CheckpointLedger } from './metrics.ts';
import { runExperiment } from './runner.ts';
import { literalConfig, literalWorkload, runStrategy } from './testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');

describe('the checkpoint ledger', () => {
  it('gives the same means (the last checkpoint left out) and maxima as summing and searching the per-checkpoint lists, float for float', () => {
    const checkpoint = fc.record({
      copied: fc.nat({ max: 1 << 20 }),
      pause: fc.nat({ max: 1 << 30 }),
      truePositives: fc.nat({ max: 1 << 20 }),
      falsePositives: fc.nat({ max: 1 << 20 }),
      missed: fc.nat({ max: 4 }),
      restoreMismatches: fc.nat({ max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(checkpoint, { minLength: 2, maxLength: 300, size: 'max' }), (list) => {
        const ledger = new CheckpointLedger();
        for (const c of list) ledger.record(c.copied, c, c.pause);
        const regular = list.slice(0, -1);
        const final = list.at(-1)!;
        const copied = list.map((c) => c.copied);
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        expect(ledger.checkpoints).toBe(list.length);
        expect(ledger.meanCopiedPages()).toBe(sum(regular.map((c) => c.copied)) / regular.length);
        expect(ledger.maxCopiedPages).toBe(Math.max(...copied));
        expect(ledger.meanFalsePositives()).toBe(sum(regular.map((c) => c.falsePositives)) / regular.length);
        expect(ledger.meanPauseCycles()).toBe(Math.round(sum(regular.map((c) => c.pause)) / regular.length));
        expect(ledger.last).toEqual({
          pages: final.copied,
          falsePositives: final.falsePositives,
          pauseCycles: final.pause,
        });
        expect(ledger.truePositives).toBe(sum(list.map((c) => c.truePositives)));
        expect(ledger.missedPages).toBe(sum(list.map((c) => c.missed)));
        expect(ledger.restoreMismatches).toBe(sum(list.map((c) => c.restoreMismatches)));
      }),
      { numRuns: 200, seed: 20261126 },
    );
  });

  it('reports no mean (null, not 0) without a regular checkpoint: before any, and with only the final one', () => {
    const ledger = new CheckpointLedger();
    expect([ledger.meanCopiedPages(), ledger.meanFalsePositives(), ledger.meanPauseCycles()]).toEqual([
      null,
      null,
      null,
    ]);
    ledger.record(5, { truePositives: 5, falsePositives: 0, missed: 0, restoreMismatches: 0 }, 100);
    expect([ledger.meanCopiedPages(), ledger.meanFalsePositives(), ledger.meanPauseCycles()]).toEqual([
      null,
      null,
      null,
    ]);
    expect(ledger.maxCopiedPages).toBe(5);
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

describe('what the figures mean', () => {
  it('gives no overhead (null, never 0) over a baseline of 0 cycles', () => {
    // No compute and 4 pages, all in the TLB after setup: the baseline takes 0 cycles,
    // the run one checkpoint pause.
    const w = literalWorkload(4, [0, 1, 2, 3], [true, false, true, false], 0);
    const r = runStrategy(x86, 'oracle', {}, w);
    expect(r.metrics.baselineCycles).toBe(0);
    expect(r.metrics.runtimeCycles).toBeGreaterThan(0);
    expect(r.metrics.overheadPct).toBeNull();
    expect(r.metrics.busyOverheadPct).toBeNull();
  });

  it("reports full-copy's overhead on periodic's busy time (default parameters) above 100 %, where overheadPct is under 1 %", () => {
    const r = runExperiment({
      profile: x86,
      strategy: 'full-copy',
      strategyParams: {},
      workload: 'periodic',
      workloadParams: {},
      common: resolveParams('common', commonParamSpecs, {}),
      intervalCycles: 34_000_000, // 10 ms, the default
      seed: 1,
    });
    const idle = r.metrics.breakdownCycles['idle']!;
    expect(idle).toBeGreaterThan(0);
    expect(r.metrics.overheadPct!).toBeLessThan(1);
    expect(r.metrics.busyOverheadPct!).toBeGreaterThan(100);
    expect(r.metrics.realtime!.deadlineMisses).toBeGreaterThan(0);
  });

  it('gives the same busy overhead as overhead for a workload that never idles', () => {
    const w = literalWorkload(16, [1, 2, 3], [true, true, false]);
    const r = runStrategy(x86, 'fault-notify', {}, w);
    expect(r.metrics.breakdownCycles['idle']).toBeUndefined();
    expect(r.metrics.busyOverheadPct).toBe(r.metrics.overheadPct);
  });

  it('summarizes each stall kind apart: the fault figures are faults, never a pause', () => {
    const w = literalWorkload(16, [1, 2, 3, 1], [true, true, true, true]);
    const r = runStrategy(x86, 'fault-notify', {}, w);
    const { fault, checkpoint } = r.metrics.stallsByKind;
    expect(Object.keys(r.metrics.stallsByKind)).toEqual(Object.keys(r.metrics.stallHistogram));
    expect(fault!.count).toBe(3); // one tracking fault per first write
    expect(checkpoint!.count).toBe(1);
    expect(fault!.maxCycles).toBeLessThan(checkpoint!.maxCycles);
    // The merged summary's max is the pause: what the per-kind summary keeps apart.
    expect(r.metrics.stalls.maxCycles).toBe(checkpoint!.maxCycles);
    expect(checkpoint!.maxCycles).toBe(r.metrics.pause.maxCycles);
  });

  it('reports the peak metadata: on managed-dataspace the attachments come and go inside the RM session quota', () => {
    // Setup attaches every page's dataspace; arming and every re-arm detach what they track,
    // so after the final re-arm no attachment is left. Since issue 11 the region map and its
    // regions are allocated from the RM session's Allocator_guard: that peak is the session's
    // (rm-session-metadata-peak), and the quota rtcr upgrades to covers it.
    const P = 64;
    const w = literalWorkload(P, [1, 2, 3], [true, true, false]);
    const r = runStrategy(x86, 'managed-dataspace', {}, w);
    const { metadataBytes, peakMetadataBytes, quotaBytes, byKind } = r.metrics.memory;
    const m = x86.memory;
    expect(byKind['rm-session-metadata-peak']).toBe(m.regionMapMetadataBytes + P * m.attachmentMetadataBytes);
    expect(quotaBytes).toBeGreaterThanOrEqual(byKind['rm-session-metadata-peak']!);
    // Outside the sessions, core's metadata (B's dataspaces, its own regions) only grows here.
    expect(peakMetadataBytes).toBe(metadataBytes);
    // Strategies with a fixed layout peak at their final figure.
    const flat = runStrategy(x86, 'fault-notify', {}, w).metrics.memory;
    expect(flat.peakMetadataBytes).toBe(flat.metadataBytes);
  });

  it('leaves the final, partial checkpoint out of the per-checkpoint means and reports it apart', () => {
    // 100 writes, page i % 64, checkpointed after accesses 30, 60 and 90: each regular
    // checkpoint copies 30 distinct pages, the final one the last 10.
    const w = literalWorkload(
      64,
      Array.from({ length: 100 }, (_, i) => i % 64),
      Array.from({ length: 100 }, () => true),
    );
    const r = runExperiment(
      { ...literalConfig(x86, 'oracle'), intervalCycles: 0, intervalAccesses: 30 },
      { workload: w },
    );
    expect(r.checkpoints).toBe(4);
    expect(r.metrics.checkpointPages).toEqual({ mean: 30, max: 30, falsePositiveMean: 0 });
    const copy = x86.checkpointer.copyPage;
    expect(r.metrics.finalCheckpoint).toEqual({
      pages: 10,
      falsePositives: 0,
      pauseCycles: pauseResumeCycles(x86) + 10 * copy,
    });
    expect(r.metrics.pause).toEqual({
      maxCycles: pauseResumeCycles(x86) + 30 * copy,
      meanCycles: pauseResumeCycles(x86) + 30 * copy,
    });
  });
});
