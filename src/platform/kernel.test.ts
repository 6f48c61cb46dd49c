import { describe, expect, it } from 'vitest';
import { Actor, StallCause } from './clock.ts';
import { ModelError } from './errors.ts';
import { countFlexpages, forEachFlexpage, Revoke, TrackingMode } from './kernel.ts';
import { PTE_TRACKED, PTE_WRITABLE } from './mmu.ts';
import { loadProfile } from './profile.ts';
import { plainPlatform, profileWith } from './testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');

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

  it('charges a write under the in-kernel log exactly trap + log append + retried walk, and logs the page', () => {
    const pf = plainPlatform(x86, 32);
    pf.kernel.enableTracking(TrackingMode.log);
    pf.kernel.writeProtect(0, 5);
    pf.mmu.flushAll();
    const t = pf.clock.now;
    pf.mmu.access(3, true);
    expect(pf.clock.now - t).toBe(
      x86.mmu.pageWalk + x86.kernel.pageFaultTrap + x86.kernel.logAppend + x86.mmu.pageWalk,
    );
    const out = new Int32Array(32);
    const t2 = pf.clock.now;
    expect(Array.from(out.subarray(0, pf.kernel.readLog(0, 32, out)))).toEqual([3]);
    expect(pf.clock.now - t2).toBe(x86.kernel.syscall + 32 * x86.kernel.logScanPerPage);
    expect(pf.kernel.readLog(0, 32, out)).toBe(0);
  });

  it('returns exactly the pages written since the last unmap-with-status and clears them', () => {
    const pf = plainPlatform(x86, 64);
    const out = new Int32Array(64);
    const scan = () => {
      let n = 0;
      forEachFlexpage(0, 64, 4, (v, o) => {
        n += pf.kernel.unmap(v, o, Revoke.none, out, n);
      });
      return Array.from(out.subarray(0, n));
    };
    expect(scan()).toHaveLength(64); // the setup wrote every page
    for (const p of [40, 1, 9, 5, 9]) pf.mmu.access(p, true);
    pf.mmu.access(12, false);
    expect(scan()).toEqual([1, 5, 9, 40]);
    expect(scan()).toEqual([]);
  });

  it('charges an unmap one syscall, its present pages, and per-page invalidation up to the threshold', () => {
    const pf = plainPlatform(x86, 64);
    const t = pf.clock.now;
    pf.kernel.unmap(0, 4, Revoke.write); // 16 present pages, all changed
    const k = x86.kernel;
    expect(pf.clock.now - t).toBe(k.syscall + 16 * k.unmapPerPage + 16 * x86.mmu.tlbInvalidatePage);
  });

  it('flushes the whole TLB when an unmap changes more pages than the threshold', () => {
    const pf = plainPlatform(x86, 64);
    for (let p = 0; p < 64; p++) pf.mmu.access(p, false);
    const t = pf.clock.now;
    pf.kernel.unmap(0, 6, Revoke.all);
    expect(pf.clock.now - t).toBe(x86.kernel.syscall + 64 * x86.kernel.unmapPerPage + x86.mmu.tlbFlushAll);
    expect(Array.from(pf.mmu.tag).every((v) => v === -1)).toBe(true);
  });

  it('reports no dirty status on ARMv7, where unmap returns none', () => {
    const pf = plainPlatform(loadProfile('fiasco-oc-armv7'), 16);
    pf.mmu.access(4, true);
    expect(pf.kernel.unmap(0, 4, Revoke.none, new Int32Array(16))).toBe(0);
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
