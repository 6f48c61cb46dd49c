/** `kernel-log` on small, hand-countable workloads: exact counts and cycles from the profile. */
import { describe, expect, it } from 'vitest';
import { loadProfile, pauseResumeCycles } from '../../platform/index.ts';
import { literalWorkload, runStrategy, sequentialPass, sequentialWrites } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const linux = loadProfile('linux-x86_64');
const P = 256;

/** 64 written pages, none next to another, in B's first 4 Ki pages. */
const scattered = Array.from({ length: 64 }, (_, i) => i * 61);

describe('kernel-log', () => {
  it('takes one tracking fault per page on a sequential pass and copies every page once', () => {
    expect(sequentialPass(x86, 'kernel-log').metrics.faults).toBe(P);
  });

  it('costs one walk and one in-kernel fault per page, then one checkpoint scanning the bitmap a word at a time', () => {
    const k = x86.kernel;
    const m = x86.mmu;
    const c = x86.cpu;
    const compute = P * 100;
    const r = sequentialPass(x86, 'kernel-log');
    // The walk that finds W missing, the in-kernel fault, the retried walk: no IPC, so B keeps its TLB.
    const faults = P * (m.pageWalk + k.pageFaultTrap + k.logAppend + m.pageWalk);
    const collect = k.syscall + (P / 64) * c.bitmapScanPerWord + P * c.bitmapPerSetBit;
    // re-protect the 256-page run: one flexpage, no page-by-page invalidation on Fiasco.OC
    const rearm = k.syscall + P * k.unmapPerPage;
    const pause = pauseResumeCycles(x86) + collect + P * x86.checkpointer.copyPage + rearm;
    expect(r.metrics.stalls.maxCycles).toBe(pause);
    expect(r.metrics.runtimeCycles).toBe(compute + faults + pause);
    expect(r.metrics.breakdownCycles).toEqual({
      compute,
      'tlb.miss': 2 * P * m.pageWalk,
      'fault.kernel': P * (k.pageFaultTrap + k.logAppend),
      'checkpoint.pause': pauseResumeCycles(x86),
      'checkpoint.collect': collect,
      'checkpoint.copy': P * x86.checkpointer.copyPage,
      'checkpoint.rearm': rearm,
    });
  });

  it('drains a ring in a pause that does not grow with B: 64 written pages in 4 Ki or 256 Ki pages', () => {
    const k = x86.kernel;
    const pause = (log: string, pages: number) =>
      runStrategy(
        x86,
        'kernel-log',
        { log },
        literalWorkload(
          pages,
          scattered,
          scattered.map(() => true),
        ),
      ).metrics.pause.maxCycles;
    // stop, the ring's 64 entries and the reset syscall, the copy, 64 one-page write-protects, resume
    const ring =
      pauseResumeCycles(x86) +
      k.syscall +
      64 * x86.cpu.ringEntry +
      64 * x86.checkpointer.copyPage +
      64 * (k.syscall + k.unmapPerPage);
    expect(pause('ring', 4096)).toBe(ring);
    expect(pause('ring', 262144)).toBe(ring);
    // the bitmap's scan grows with B: 4096 / 64 words against 262144 / 64
    const c = x86.cpu;
    expect(pause('bitmap', 262144) - pause('bitmap', 4096)).toBe(
      ((262144 - 4096) / 64) * c.bitmapScanPerWord,
    );
  });

  it('stops B when the ring fills until the checkpointer drained it: a ringFull stall within the bounds', () => {
    const w = literalWorkload(64, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], Array(10).fill(true));
    const r = runStrategy(x86, 'kernel-log', { log: 'ring', ringEntries: 4 }, w);
    expect(r.ok, r.failures.join('; ')).toBe(true);
    // 10 appends to a ring of 4: it fills twice; each time the notification, A's drain of 4, its reply
    const stall = 2 * x86.kernel.ipcOneWay + 4 * x86.cpu.ringEntry;
    expect(r.metrics.stallHistogram.ringFull).toEqual([[stall, 2]]);
    expect(r.metrics.counters.ringFullNotifications).toBe(2);
    expect(r.metrics.faults).toBe(10);
    expect(r.metrics.finalCheckpoint.pages).toBe(10);
    expect(stall).toBeLessThanOrEqual(r.bounds.maxStallCycles);
  });

  it('re-protects nothing after PAGEMAP_SCAN with PM_SCAN_WP_MATCHING, which write-protects as it scans', () => {
    const r = runStrategy(linux, 'kernel-log', { log: 'pagemap-scan' }, sequentialWrites(P));
    expect(r.ok, r.failures.join('; ')).toBe(true);
    expect(r.metrics.breakdownCycles['checkpoint.collect']).toBe(
      linux.kernel.syscall + P * linux.kernel.logScanPerPage,
    );
    expect(r.metrics.breakdownCycles['checkpoint.rearm']).toBeUndefined();
  });

  it('re-protects every page with soft-dirty clear_refs, not only the written ones', () => {
    const k = linux.kernel;
    const r = runStrategy(linux, 'kernel-log', { log: 'soft-dirty' }, literalWorkload(P, [7], [true]));
    expect(r.ok, r.failures.join('; ')).toBe(true);
    expect(r.metrics.breakdownCycles['checkpoint.collect']).toBe(k.syscall + P * k.logScanPerPage);
    expect(r.metrics.breakdownCycles['checkpoint.rearm']).toBe(
      k.syscall + P * k.unmapPerPage + linux.mmu.tlbFlushAll,
    );
  });

  it('reads and resets the log of 8192 pages at PAGEMAP_SCAN speed on Linux: 285-310 µs (Wine MR 7871)', () => {
    const r = runStrategy(linux, 'kernel-log', { log: 'pagemap-scan' }, sequentialWrites(8192));
    const collect = (r.metrics.breakdownCycles['checkpoint.collect']! * 1e6) / linux.cpu.hz;
    expect(collect).toBeGreaterThanOrEqual(285);
    expect(collect).toBeLessThanOrEqual(310);
  });
});
