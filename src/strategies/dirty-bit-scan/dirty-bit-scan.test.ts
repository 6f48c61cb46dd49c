/** `dirty-bit-scan` on small, hand-countable workloads: exact counts and cycles from the profile. */
import { describe, expect, it } from 'vitest';
import { loadProfile, pauseResumeCycles, rpcCycles } from '../../platform/index.ts';
import { literalWorkload, runStrategy, sequentialPass, sequentialWrites } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('dirty-bit-scan', () => {
  it('takes no fault; a walk per page after the arming flush, and one batched scan at the checkpoint', () => {
    const k = x86.kernel;
    const m = x86.mmu;
    const r = sequentialPass(x86, 'dirty-bit-scan');
    // 256 order-0 flexpages, 61 to a syscall: 5 l4_task_unmap_batch calls; Fiasco.OC
    // invalidates no page by page (the space flush costs nothing of its own on x86)
    const scan = rpcCycles(x86, 0) + 5 * k.syscall + P * k.unmapPerPage;
    const pause = pauseResumeCycles(x86) + scan + P * x86.checkpointer.copyPage;
    expect(r.metrics.faults).toBe(0);
    expect(r.metrics.counters.unmapCalls).toBe(5);
    expect(r.metrics.runtimeCycles).toBe(P * 100 + P * m.pageWalk + pause);
    expect(r.metrics.counters.dirtyAssists).toBe(0); // every entry was refilled by a write walk, which sets D
  });

  it('issues one syscall per `batch` flexpages', () => {
    expect(sequentialPass(x86, 'dirty-bit-scan', { batch: 1 }).metrics.counters.unmapCalls).toBe(P);
    expect(sequentialPass(x86, 'dirty-bit-scan', { batch: 61 }).metrics.counters.unmapCalls).toBe(5);
    expect(sequentialPass(x86, 'dirty-bit-scan', { flexpageOrder: 2 }).metrics.counters.unmapCalls).toBe(2);
  });

  it('copies both pages of a 2-page flexpage with one dirty page: one status per flexpage', () => {
    const w = literalWorkload(P, [5], [true]);
    const exact = runStrategy(x86, 'dirty-bit-scan', {}, w);
    expect(exact.metrics.finalCheckpoint.pages).toBe(1);
    expect(exact.metrics.precision).toBe(1);
    const pairs = runStrategy(x86, 'dirty-bit-scan', { flexpageOrder: 1 }, w);
    expect(pairs.ok, pairs.failures.join('; ')).toBe(true);
    expect(pairs.metrics.finalCheckpoint.pages).toBe(2); // pages 4 and 5
    expect(pairs.metrics.precision).toBe(0.5);
  });

  it('loses precision on a scattered write set as the flexpage grows: 2 written pages of 512, order 8', () => {
    const w = literalWorkload(512, [3, 300], [true, true]);
    const r = runStrategy(x86, 'dirty-bit-scan', { flexpageOrder: 8 }, w);
    expect(r.metrics.finalCheckpoint.pages).toBe(512);
    expect(r.metrics.precision).toBe(2 / 512);
  });

  it('keeps B in superpages from the superpage order on: one TLB miss per 2 MiB instead of one per page', () => {
    const pages = 1024;
    const exact = sequentialPass(x86, 'dirty-bit-scan', {}, pages);
    const super_ = sequentialPass(x86, 'dirty-bit-scan', { flexpageOrder: 9 }, pages);
    expect(exact.metrics.counters.tlbMisses).toBe(pages);
    expect(super_.metrics.counters.tlbMisses).toBe(2);
    // each superpage's entry is refilled by a write walk, which sets its one D bit: no assist
    expect(super_.metrics.counters.dirtyAssists).toBe(0);
  });

  it('is refused on ARMv7, naming capability and profile', () => {
    expect(() =>
      runStrategy(loadProfile('fiasco-oc-armv7'), 'dirty-bit-scan', {}, sequentialWrites(P)),
    ).toThrow(
      "strategy 'dirty-bit-scan' needs capability 'hardwareDirtyBits', which profile fiasco-oc-armv7 lacks",
    );
  });
});
