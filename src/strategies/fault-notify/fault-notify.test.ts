/** `fault-notify` on small, hand-countable workloads: exact counts and cycles from the profile. */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../platform/index.ts';
import { runExperiment } from '../../run/index.ts';
import { literalWorkload, runStrategy, sequentialPass } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('fault-notify', () => {
  it('takes one tracking fault per page on a sequential pass and copies every page once', () => {
    expect(sequentialPass(x86, 'fault-notify').metrics.faults).toBe(P);
  });

  it('costs per first write: trap, two IPCs, the tracker, the re-enable and the retried walk', () => {
    const k = x86.kernel;
    const r = sequentialPass(x86, 'fault-notify');
    const perFault =
      k.pageFaultTrap + 2 * k.ipcOneWay + x86.checkpointer.handlerWork + k.mapPerPage + x86.mmu.pageWalk;
    expect(r.metrics.stalls.p50Cycles).toBe(perFault);
    expect(r.metrics.breakdownCycles['fault.ipc']).toBe(P * 2 * k.ipcOneWay);
    expect(r.metrics.breakdownCycles['fault.handler']).toBe(P * x86.checkpointer.handlerWork);
  });

  it('scans its bitmap at a checkpoint a 64-bit word at a time, plus a store per marked page', () => {
    const c = x86.cpu;
    const r = sequentialPass(x86, 'fault-notify');
    expect(r.metrics.breakdownCycles['checkpoint.collect']).toBe(
      (P / 64) * c.bitmapScanPerWord + P * c.bitmapPerSetBit,
    );
  });

  it("makes B refill its TLB after each tracking fault on x86 Fiasco.OC (the IPC leaves B's untagged space), not on ARMv7", () => {
    // read pages 0-9, write page 20 (a tracking fault), read 0-9 again
    const reads = Array.from({ length: 10 }, (_, i) => i);
    const pages = [...reads, 20, ...reads];
    const w = literalWorkload(
      64,
      pages,
      pages.map((p) => p === 20),
    );
    const misses = (name: string) =>
      runStrategy(loadProfile(name), 'fault-notify', {}, w).metrics.counters.tlbMisses;
    // 10 walks, the walk that finds W missing and the retry's, then (untagged) 10 refills
    expect(misses('fiasco-oc-x86_64')).toBe(10 + 2 + 10);
    expect(misses('fiasco-oc-armv7')).toBe(10 + 2);
    expect(runStrategy(x86, 'kernel-log', {}, w).metrics.counters.tlbMisses).toBe(10 + 2);
  });

  it('costs a userfaultfd-wp fault with a handler thread on Linux: 4.74 µs (Peter Xu 2020), within 1 %', () => {
    const linux = loadProfile('linux-x86_64');
    const r = sequentialPass(linux, 'fault-notify');
    expect(r.metrics.faults).toBe(P);
    const us = (r.metrics.stalls.p50Cycles * 1e6) / linux.cpu.hz;
    expect(Math.abs(us - 4.74) / 4.74).toBeLessThan(0.01);
  });
});

describe('fault-notify rearm=region', () => {
  const linux = loadProfile('linux-x86_64');
  const run = (rearm: string) =>
    runExperiment({
      profile: linux,
      strategy: 'fault-notify',
      strategyParams: { rearm },
      workload: 'uniform',
      workloadParams: {},
      common: { pages: P, accesses: 4000, writeRatio: 0.3, computeCycles: 0 },
      intervalCycles: 0,
      intervalAccesses: 1000,
      seed: 3,
    });

  it('write-protects again by one call over B (a syscall, every present page, a full flush past 33 changed), faulting as page by page does', () => {
    const pages = run('pages');
    const region = run('region');
    expect(region.ok, region.failures.join('; ')).toBe(true);
    expect(region.metrics.faults).toBe(pages.metrics.faults);
    expect(region.metrics.checkpointPages).toEqual(pages.metrics.checkpointPages);
    const k = linux.kernel;
    // All four checkpoints re-arm, each with ~200 written pages (past the 33-page ceiling).
    expect(region.metrics.breakdownCycles['checkpoint.rearm']).toBe(
      4 * (k.syscall + P * k.unmapPerPage + linux.mmu.tlbFlushAll),
    );
    expect(region.metrics.breakdownCycles['checkpoint.rearm']).not.toBe(
      pages.metrics.breakdownCycles['checkpoint.rearm'],
    );
  });
});
