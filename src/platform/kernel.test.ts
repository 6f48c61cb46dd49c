import { describe, expect, it } from 'vitest';
import { Actor, StallCause } from './clock.ts';
import { cacheMaintenanceCycles } from './costs.ts';
import { ModelError } from './errors.ts';
import {
  countFlexpages,
  FpageRights,
  forEachFlexpage,
  Revoke,
  TrackingMode,
  UNMAP_BATCH_MAX,
} from './kernel.ts';
import { PTE_TRACKED, PTE_WRITABLE } from './mmu.ts';
import type { Platform } from './platform.ts';
import { loadProfile } from './profile.ts';
import { plainPlatform, profileWith } from './testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const arm = loadProfile('fiasco-oc-armv7');
const linux = loadProfile('linux-x86_64');

/** TLB entries in use. */
const cached = (pf: Platform) => Array.from(pf.mmu.tag).filter((t) => t !== -1).length;
/** Reads each page once (fills the TLB). */
const readAll = (pf: Platform, pages: number[]) => {
  for (const p of pages) pf.mmu.access(p, false);
};

describe('Fiasco.OC kernel', () => {
  it('charges a write to a page write-protected for notification exactly trap + IPC + tracker + reply + re-enable + retried walk', () => {
    const pf = plainPlatform(x86, 32);
    const seen: number[] = [];
    pf.kernel.enableTracking(TrackingMode.notify, (vpn) => {
      seen.push(vpn);
      pf.clock.charge(Actor.handler, x86.checkpointer.handlerWork);
    });
    pf.kernel.writeProtect(0, 5);
    expect(pf.space.flags(17) & (PTE_WRITABLE | PTE_TRACKED)).toBe(PTE_TRACKED);
    pf.mmu.access(17, false); // reads still hit (walk only)
    pf.stalls.recording = true;
    const t = pf.clock.now;
    pf.mmu.access(17, true);
    const k = x86.kernel;
    const stall =
      k.pageFaultTrap + 2 * k.ipcOneWay + x86.checkpointer.handlerWork + k.mapPerPage + x86.mmu.pageWalk;
    expect(pf.clock.now - t).toBe(x86.mmu.pageWalk + stall); // the walk that found W missing, then the stall
    expect(pf.stalls.durations(StallCause.fault)).toEqual([stall]);
    expect(seen).toEqual([17]);
    expect(pf.space.flags(17) & (PTE_WRITABLE | PTE_TRACKED)).toBe(PTE_WRITABLE);
    const t2 = pf.clock.now;
    pf.mmu.access(17, true); // the second write is free
    expect(pf.clock.now - t2).toBe(0);
  });

  it('charges a write under the in-kernel log exactly trap + log append + retried walk, and reads the log a word at a time', () => {
    const pf = plainPlatform(x86, 200);
    pf.kernel.enableTracking(TrackingMode.log);
    pf.kernel.writeProtect(0, 8);
    const t = pf.clock.now;
    pf.mmu.access(3, true);
    expect(pf.clock.now - t).toBe(
      x86.mmu.pageWalk + x86.kernel.pageFaultTrap + x86.kernel.logAppend + x86.mmu.pageWalk,
    );
    pf.mmu.access(130, true);
    const out = new Int32Array(200);
    const t2 = pf.clock.now;
    expect(Array.from(out.subarray(0, pf.kernel.readLog(0, 200, out)))).toEqual([3, 130]);
    // 200 bits are 4 words of 64 bits; 2 set bits
    const c = x86.cpu;
    expect(pf.clock.now - t2).toBe(x86.kernel.syscall + 4 * c.bitmapScanPerWord + 2 * c.bitmapPerSetBit);
    expect(pf.kernel.readLog(0, 200, out)).toBe(0);
  });

  it('reports one status per flexpage: a 2-page flexpage with one dirty page is dirty as a whole, and both are cleared', () => {
    const pf = plainPlatform(x86, 64);
    for (let v = 0; v < 64; v += 2) pf.kernel.unmap(v, 1, Revoke.none); // clear what the setup left
    pf.mmu.access(5, true); // page 5 of flexpage [4, 6)
    pf.mmu.access(8, false); // page 8 of flexpage [8, 10): referenced only
    expect(pf.kernel.unmap(4, 1, Revoke.none)).toBe(FpageRights.RW);
    expect(pf.kernel.unmap(8, 1, Revoke.none)).toBe(FpageRights.RO);
    expect(pf.kernel.unmap(6, 1, Revoke.none)).toBe(0);
    // access_flags() cleared D and A of every page it visited: the flexpage cannot be split afterwards
    expect(pf.kernel.unmap(4, 0, Revoke.none)).toBe(0);
    expect(pf.kernel.unmap(5, 0, Revoke.none)).toBe(0);
  });

  it('reports exactly the pages written since the last scan with order-0 flexpages', () => {
    const pf = plainPlatform(x86, 64);
    const scan = () => {
      const dirty: number[] = [];
      forEachFlexpage(0, 64, 0, (v, o) => {
        if (pf.kernel.unmap(v, o, Revoke.none) & FpageRights.W) dirty.push(v);
      });
      return dirty;
    };
    expect(scan()).toHaveLength(64); // the setup wrote every page
    for (const p of [40, 1, 9, 5, 9]) pf.mmu.access(p, true);
    pf.mmu.access(12, false);
    expect(scan()).toEqual([1, 5, 9, 40]);
    expect(scan()).toEqual([]);
  });

  it('unmaps up to 61 flexpages in one l4_task_unmap_batch syscall, one status each', () => {
    const pf = plainPlatform(x86, 128);
    const vpns = Int32Array.from({ length: 64 }, (_, i) => 2 * i);
    const orders = new Uint8Array(64).fill(1);
    const status = new Uint8Array(64);
    pf.kernel.unmapBatch(vpns, orders, 0, 61, Revoke.none, status);
    pf.mmu.access(7, true);
    const calls = pf.kernel.counters.unmapCalls;
    const t = pf.clock.now;
    pf.kernel.unmapBatch(vpns, orders, 0, 61, Revoke.none, status);
    expect(pf.kernel.counters.unmapCalls - calls).toBe(1);
    // one syscall, 122 present pages, no page-by-page invalidation on Fiasco.OC
    expect(pf.clock.now - t).toBe(x86.kernel.syscall + 122 * x86.kernel.unmapPerPage);
    expect(
      Array.from(status.subarray(0, 61))
        .map((s, i) => [i, s])
        .filter(([, s]) => s !== 0),
    ).toEqual([
      [3, FpageRights.RW], // [6, 8) holds page 7
    ]);
    expect(UNMAP_BATCH_MAX).toBe(61);
    expect(() => pf.kernel.unmapBatch(vpns, orders, 0, 62, Revoke.none)).toThrow(
      'l4_task_unmap_batch of 62 flexpages: 1 to 61 fit the UTCB',
    );
  });

  it("flushes B's whole TLB after an unmap on Fiasco.OC, never page by page, at no charge of its own", () => {
    for (const profile of [x86, arm]) {
      const pf = plainPlatform(profile, 64);
      readAll(pf, [0, 1, 2, 40, 41]);
      expect(cached(pf)).toBeGreaterThan(0);
      const t = pf.clock.now;
      pf.kernel.unmap(2, 0, Revoke.write); // one page; the entries of 0, 1, 40, 41 go too
      expect(cached(pf)).toBe(0);
      // ARM's TLBIASID per deleted entry is in unmapPerPage; x86 does no TLB work per entry
      expect(pf.clock.now - t).toBe(profile.kernel.syscall + profile.kernel.unmapPerPage);
    }
  });

  it('invalidates page by page on Linux up to 33 changed pages, then flushes the whole TLB', () => {
    const pf = plainPlatform(linux, 128);
    readAll(pf, [0, 1, 2, 3, 100]);
    const k = linux.kernel;
    const m = linux.mmu;
    let t = pf.clock.now;
    pf.kernel.unmap(0, 2, Revoke.write); // 4 pages changed: 4 invlpg, page 100 stays cached
    expect(pf.clock.now - t).toBe(k.syscall + 4 * k.unmapPerPage + 4 * m.tlbInvalidatePage);
    expect(pf.mmu.lookup(100)).toBeGreaterThanOrEqual(0);
    expect(pf.mmu.lookup(1)).toBe(-1);
    t = pf.clock.now;
    pf.kernel.unmap(64, 6, Revoke.all); // 64 > 33 changed: one full flush
    expect(pf.clock.now - t).toBe(k.syscall + 64 * k.unmapPerPage + m.tlbFlushAll);
    expect(cached(pf)).toBe(0);
  });

  it("empties B's TLB at every IPC out of B's space on x86 Fiasco.OC (no PCID), and keeps it on ARMv7 (ASIDs)", () => {
    for (const [profile, kept] of [
      [x86, false],
      [arm, true],
    ] as const) {
      const pf = plainPlatform(profile, 64);
      pf.kernel.enableTracking(TrackingMode.notify, () => {});
      pf.kernel.writeProtect(20, 0);
      readAll(pf, [0, 1, 2, 3]);
      const before = pf.mmu.counters.tlbMisses;
      pf.mmu.access(20, true); // a tracking fault: notification IPC to A and A's reply
      readAll(pf, [0, 1, 2, 3]);
      // the retry's walk of page 20, the walk that found W missing, and, untagged, the refills of 0..3
      expect(pf.mmu.counters.tlbMisses - before).toBe(kept ? 2 : 2 + 4);
    }
  });

  it("keeps B's TLB through the in-kernel log, which leaves B's space for no other", () => {
    const pf = plainPlatform(x86, 64);
    pf.kernel.enableTracking(TrackingMode.log);
    pf.kernel.writeProtect(20, 0);
    readAll(pf, [0, 1, 2, 3, 20]);
    const before = pf.mmu.counters.tlbMisses;
    pf.mmu.access(20, true);
    readAll(pf, [0, 1, 2, 3]);
    expect(pf.mmu.counters.tlbMisses - before).toBe(2); // the walk that found W missing, the retry's
  });

  it('maps a superpage as one entry where core holds the dataspace in superpages, and 4 KiB entries where it does not', () => {
    const big = plainPlatform(x86, 1024, { superpages: true });
    expect(big.kernel.counters.superpagesMapped).toBe(2);
    expect(big.kernel.counters.pagesMapped).toBe(2);
    const small = plainPlatform(x86, 1024);
    expect(small.kernel.counters.superpagesMapped).toBe(0);
    expect(small.kernel.counters.pagesMapped).toBe(1024);
    const t = big.clock.now;
    big.kernel.unmap(0, 10, Revoke.all); // two entries
    expect(big.clock.now - t).toBe(x86.kernel.syscall + 2 * x86.kernel.unmapPerPage);
  });

  it('takes a superpage out whole when an unmap reaches into it, and maps it again as a superpage', () => {
    const pf = plainPlatform(x86, 512, { superpages: true });
    pf.kernel.unmap(100, 0, Revoke.all);
    for (const p of [0, 100, 511]) expect(pf.space.flags(p)).toBe(0);
    pf.mmu.access(7, false);
    expect(pf.kernel.counters.superpagesMapped).toBe(2);
  });

  it('installs a new mapping write-protected for tracking while a tracking extension is active', () => {
    const pf = plainPlatform(x86, 64);
    pf.kernel.enableTracking(TrackingMode.log);
    pf.kernel.writeProtect(0, 6);
    pf.kernel.unmap(8, 3, Revoke.all); // e.g. a detach elsewhere took B's mapping of [8, 16)
    pf.mmu.access(9, true); // core maps the page again; the write is the first since, and is tracked
    const out = new Int32Array(64);
    expect(Array.from(out.subarray(0, pf.kernel.readLog(0, 64, out)))).toEqual([9]);
    expect(pf.space.flags(10) & (PTE_WRITABLE | PTE_TRACKED)).toBe(PTE_TRACKED);
  });

  it('switches the tracking extension off for one syscall: an unmap revoking W clears its marks, and core maps W again', () => {
    const pf = plainPlatform(x86, 64);
    const seen: number[] = [];
    pf.kernel.enableTracking(TrackingMode.notify, (vpn) => seen.push(vpn));
    pf.kernel.writeProtect(0, 6);
    pf.kernel.unmap(0, 6, Revoke.write); // the marks go with W
    expect(pf.space.flags(9) & (PTE_WRITABLE | PTE_TRACKED)).toBe(0);
    const t = pf.clock.now;
    pf.kernel.setTrackingMode(TrackingMode.off);
    expect(pf.clock.now - t).toBe(x86.kernel.syscall);
    pf.mmu.access(9, true); // core's pager maps the page writable: no notification
    expect(seen).toEqual([]);
    expect(pf.space.flags(9) & (PTE_WRITABLE | PTE_TRACKED)).toBe(PTE_WRITABLE);
    pf.kernel.setTrackingMode(TrackingMode.notify, (vpn) => seen.push(vpn));
    pf.kernel.writeProtect(0, 6);
    pf.mmu.access(9, true);
    expect(seen).toEqual([9]);
    expect(() => pf.kernel.setTrackingMode(TrackingMode.notify)).toThrow(
      'write-fault notification needs a handler',
    );
  });

  it('refuses to write-protect a superpage for tracking: the extensions track 4 KiB pages', () => {
    const pf = plainPlatform(x86, 512, { superpages: true });
    pf.kernel.enableTracking(TrackingMode.log);
    expect(() => pf.kernel.writeProtect(0, 9)).toThrow(ModelError);
    expect(() => pf.kernel.writeProtect(0, 9)).toThrow('track 4 KiB pages');
  });

  it('stops B when an append fills the dirty ring until A drained it, a ringFull stall of 2 IPCs and the drain', () => {
    const pf = plainPlatform(x86, 64);
    const drained: number[] = [];
    pf.kernel.enableDirtyRing(4, (ring, n) => {
      drained.push(...ring.subarray(0, n));
      pf.clock.charge(Actor.handler, n * x86.cpu.ringEntry);
    });
    pf.kernel.writeProtect(0, 6);
    pf.stalls.recording = true;
    for (const p of [3, 9, 1, 30, 31]) pf.mmu.access(p, true);
    expect(drained).toEqual([3, 9, 1, 30]);
    expect(pf.stalls.durations(StallCause.ringFull)).toEqual([
      2 * x86.kernel.ipcOneWay + 4 * x86.cpu.ringEntry,
    ]);
    expect(pf.stalls.durations(StallCause.fault)).toHaveLength(5);
    expect(pf.kernel.counters.ringFullNotifications).toBe(1);
    const out = new Int32Array(64);
    const t = pf.clock.now;
    expect(pf.kernel.drainRing(out, 0)).toBe(1);
    expect(out[0]).toBe(31);
    expect(pf.clock.now - t).toBe(x86.kernel.syscall + x86.cpu.ringEntry);
  });

  it("write-protects the written pages within PAGEMAP_SCAN on Linux, at the scan's cost per page", () => {
    const pf = plainPlatform(linux, 64);
    pf.kernel.enableTracking(TrackingMode.log);
    pf.kernel.writeProtect(0, 6);
    for (const p of [2, 50]) pf.mmu.access(p, true);
    const out = new Int32Array(64);
    const t = pf.clock.now;
    expect(Array.from(out.subarray(0, pf.kernel.pagemapScan(0, 64, out)))).toEqual([2, 50]);
    expect(pf.clock.now - t).toBe(linux.kernel.syscall + 64 * linux.kernel.logScanPerPage);
    expect(pf.space.flags(50) & (PTE_WRITABLE | PTE_TRACKED)).toBe(PTE_TRACKED);
    expect(pf.mmu.cachedWritableDirty(50)).toBe(false);
  });

  it('write-protects every page with soft-dirty clear_refs on Linux, written or not, and flushes the TLB', () => {
    const pf = plainPlatform(linux, 64);
    pf.kernel.enableTracking(TrackingMode.log);
    pf.kernel.clearSoftDirty();
    pf.mmu.access(5, true);
    const out = new Int32Array(64);
    expect(pf.kernel.readSoftDirty(0, 64, out)).toBe(1);
    const t = pf.clock.now;
    pf.kernel.clearSoftDirty();
    const k = linux.kernel;
    expect(pf.clock.now - t).toBe(k.syscall + 64 * k.unmapPerPage + linux.mmu.tlbFlushAll);
    expect(cached(pf)).toBe(0);
  });

  it('charges no cache maintenance on amd64, and on ARM a kernel call plus every cache line of the range', () => {
    expect(cacheMaintenanceCycles(x86, 256)).toBe(0);
    const lines = 4096 / arm.cpu.cacheLineBytes;
    expect(cacheMaintenanceCycles(arm, 2)).toBe(
      arm.kernel.cacheMaintenanceCall + 2 * lines * arm.kernel.cacheMaintenancePerLine,
    );
  });

  it('reports no dirty status on ARMv7, where unmap returns none', () => {
    const pf = plainPlatform(arm, 16);
    pf.mmu.access(4, true);
    expect(pf.kernel.unmap(0, 4, Revoke.none)).toBe(0);
  });

  it('refuses a flexpage that is not aligned to its size', () => {
    const pf = plainPlatform(x86, 64);
    expect(() => pf.kernel.unmap(8, 4, Revoke.all)).toThrow(ModelError);
    expect(() => pf.kernel.unmap(8, 4, Revoke.all)).toThrow('flexpage at page 8 of order 4 is not aligned');
  });

  it('covers a range with the largest aligned flexpages', () => {
    const got: [number, number][] = [];
    forEachFlexpage(3, 21, 30, (v, o) => got.push([v, o]));
    expect(got).toEqual([
      [3, 0],
      [4, 2],
      [8, 3],
      [16, 2],
      [20, 0],
    ]);
    expect(countFlexpages(0, 1024, 9)).toBe(2);
  });

  it('refuses a tracking extension the profile lacks', () => {
    const p = profileWith('fiasco-oc-x86_64', { capabilities: { kernelDirtyLog: false } });
    const pf = plainPlatform(p, 8);
    expect(() => pf.kernel.enableTracking(TrackingMode.log)).toThrow(
      "the in-kernel dirty log needs capability 'kernelDirtyLog', which profile fiasco-oc-x86_64 lacks",
    );
  });
});
