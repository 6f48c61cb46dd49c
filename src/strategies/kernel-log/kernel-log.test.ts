/** `kernel-log` on small, hand-countable workloads: exact counts and cycles from the profile. */
import { describe, expect, it } from 'vitest';
import { loadProfile, pauseResumeCycles } from '../../platform/index.ts';
import { runStrategy, sequentialPass, sequentialWrites } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('kernel-log', () => {
  it('takes one tracking fault per page on a sequential pass and copies every page once', () => {
    expect(sequentialPass(x86, 'kernel-log').metrics.faults).toBe(P);
  });

  it('costs one walk and one in-kernel fault per page, then one checkpoint', () => {
    const k = x86.kernel;
    const m = x86.mmu;
    const compute = P * 100;
    const r = sequentialPass(x86, 'kernel-log');
    const faults = P * (m.pageWalk + k.pageFaultTrap + k.logAppend + m.pageWalk);
    const pause =
      pauseResumeCycles(x86) +
      k.syscall +
      P * k.logScanPerPage +
      P * x86.checkpointer.copyPage +
      (k.syscall + P * k.unmapPerPage + m.tlbFlushAll); // re-protect the 256-page run: one flexpage
    expect(r.metrics.stalls.maxCycles).toBe(pause);
    expect(r.metrics.runtimeCycles).toBe(compute + faults + pause);
    expect(r.metrics.breakdownCycles).toEqual({
      compute,
      'tlb.miss': 2 * P * m.pageWalk,
      'fault.kernel': P * (k.pageFaultTrap + k.logAppend),
      'checkpoint.pause': pauseResumeCycles(x86),
      'checkpoint.collect': k.syscall + P * k.logScanPerPage,
      'checkpoint.copy': P * x86.checkpointer.copyPage,
      'checkpoint.rearm': k.syscall + P * k.unmapPerPage + m.tlbFlushAll,
    });
  });

  it('reads and resets the log of 8192 pages at PAGEMAP_SCAN speed on Linux: 285-310 µs (Wine MR 7871)', () => {
    const linux = loadProfile('linux-x86_64');
    const r = runStrategy(linux, 'kernel-log', {}, sequentialWrites(8192));
    const collect = (r.metrics.breakdownCycles['checkpoint.collect']! * 1e6) / linux.cpu.hz;
    expect(collect).toBeGreaterThanOrEqual(285);
    expect(collect).toBeLessThanOrEqual(310);
  });
});
