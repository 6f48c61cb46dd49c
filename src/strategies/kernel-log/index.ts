/**
 * `kernel-log`: a kernel extension without the round trip. B's pages are
 * write-protected for tracking; the first write to each traps, the kernel
 * logs the page itself and resumes B directly, with no address-space switch
 * (so, unlike `fault-notify`, B keeps its TLB on x86 Fiasco.OC). At a
 * checkpoint the checkpointer reads and resets the log and the pages are
 * write-protected again. B's RAM is mapped in 4 KiB pages (the extension
 * protects per page).
 *
 * What the log is (`log`):
 * - `bitmap`: one bit per page in the kernel, read in one syscall a machine
 *   word at a time plus a store per set bit (O(pages / word) + O(dirty)); the
 *   logged pages are write-protected again.
 * - `ring`: a bounded ring of page numbers, as Intel PML's buffer (Intel SDM
 *   vol. 3 §29.3.6; Linux arch/x86/kvm/vmx: 512 entries) or KVM's dirty ring
 *   (Documentation/virt/kvm/api.rst, KVM_CAP_DIRTY_LOG_RING): A reads it from
 *   shared memory, O(dirty) whatever B's size. When an append fills it, the
 *   kernel notifies A by IPC and B waits until A drained it (a `ringFull`
 *   stall); A keeps what it drained in a list until the checkpoint.
 * - `pagemap-scan`: Linux uffd WP_ASYNC with PAGEMAP_SCAN and
 *   PM_SCAN_WP_MATCHING (fs/proc/task_mmu.c): one walk over B's page tables
 *   reports the written pages and write-protects them in the same pass (the
 *   measured ~36 ns per page includes it): nothing to re-protect.
 * - `soft-dirty`: Linux soft-dirty: read /proc/pid/pagemap, then
 *   `clear_refs` (CLEAR_REFS_SOFT_DIRTY), which write-protects every page of
 *   B, written or not, and flushes B's TLB.
 */
import { bitmapScanCycles, type CostProfile, pauseResumeCycles, TrackingMode } from '../../platform/index.ts';
import { attachPlainRam, maxWriteProtectCycles, writeProtectPages } from '../common.ts';
import { defineStrategy, type Strategy, type TrackerContext } from '../types.ts';

type LogKind = 'bitmap' | 'ring' | 'pagemap-scan' | 'soft-dirty';

export const kernelLog = defineStrategy({
  name: 'kernel-log',
  doc: 'kernel extension: the kernel logs each first write itself and resumes B directly (a bitmap, a PML-like ring, or Linux PAGEMAP_SCAN / soft-dirty)',
  params: {
    log: {
      type: 'enum',
      values: ['bitmap', 'ring', 'pagemap-scan', 'soft-dirty'],
      default: 'bitmap',
      doc: "the log: 'bitmap' (a bit per page, scanned a word at a time, logged pages re-protected), 'ring' (page numbers in a bounded ring A drains, O(dirty); a full ring stops B until A drained it), 'pagemap-scan' (Linux uffd WP_ASYNC + PAGEMAP_SCAN with PM_SCAN_WP_MATCHING: the scan re-protects), 'soft-dirty' (Linux pagemap read, then clear_refs re-protects every page)",
    },
    ringEntries: {
      type: 'integer',
      default: 512,
      min: 1,
      unit: 'entries',
      doc: "entries of the 'ring' log (512: Intel PML's buffer, one 4 KiB page of 8-byte entries)",
    },
  } as const,
  requires: () => ['kernelDirtyLog'],
  create: (ctx, params) => createKernelLog(ctx, params.log, params.ringEntries),
  // A fault stall, every log (kernel.ts trackedWriteFault, then
  // Mmu.slowAccess's retry): the trap, the log append (write re-enabled with
  // it, no IPC), the retried walk; once per page per interval. A full ring
  // (kernel.ts faultDone, after the fault's stall is recorded): the
  // notification IPC, A's handler reading every entry, its reply; at most one
  // per `ringEntries` faults. The pause: stop and resume B, the log's collect
  // and re-arm (`collectBound`), every touched page copied.
  bounds(profile, pages, params, touched) {
    const k = profile.kernel;
    const fault = k.pageFaultTrap + k.logAppend + profile.mmu.pageWalk;
    const ring = params.log === 'ring';
    const pause =
      pauseResumeCycles(profile) +
      collectBound(profile, pages, params.log, touched) +
      touched * profile.checkpointer.copyPage;
    return {
      maxFaultStallCycles: fault,
      maxPauseCycles: pause,
      maxRingFullStallCycles: ring ? 2 * k.ipcOneWay + params.ringEntries * profile.cpu.ringEntry : 0,
      maxCopiedPages: touched,
      faultsPerPage: 1,
      ringEntries: ring ? params.ringEntries : 0,
    };
  },
});

/**
 * The most a checkpoint's collect and re-arm cost for B's `pages` pages, at
 * most `touched` of them logged (each page is logged once per interval: its
 * write re-enables write until the re-arm).
 * - bitmap (kernel.ts readLog, then writeProtectPages): one syscall, the scan
 *   a word at a time and a store per logged page; a write-protect per page.
 * - ring (drainRing, then writeProtectPages): A reads what the ring holds,
 *   one syscall resets it (what a full ring held was drained in its stall);
 *   a write-protect per page.
 * - pagemap-scan (pagemapScan): one syscall, `logScanPerPage` over every page,
 *   the re-protect and its flush included; no re-arm.
 * - soft-dirty (readSoftDirty, then clearSoftDirty): one syscall and
 *   `logScanPerPage` over every page; clear_refs: one syscall, every present
 *   entry (4 KiB pages: at most `pages`) write-protected, a full flush.
 */
function collectBound(profile: CostProfile, pages: number, log: LogKind, touched: number): number {
  const k = profile.kernel;
  switch (log) {
    case 'bitmap':
      return k.syscall + bitmapScanCycles(profile, pages, touched) + maxWriteProtectCycles(profile, touched);
    case 'ring':
      return k.syscall + touched * profile.cpu.ringEntry + maxWriteProtectCycles(profile, touched);
    case 'pagemap-scan':
      return k.syscall + pages * k.logScanPerPage;
    case 'soft-dirty':
      return (
        k.syscall +
        pages * k.logScanPerPage +
        k.syscall +
        pages * k.unmapPerPage +
        (k.unmapFlushesSpace ? 0 : profile.mmu.tlbFlushAll)
      );
  }
}

function createKernelLog(ctx: TrackerContext, log: LogKind, ringEntries: number): Strategy {
  const { kernel, pages, clock, profile } = ctx;
  const protectAll = () => kernel.writeProtect(0, Math.ceil(Math.log2(pages)));
  // What A drained from a full ring since the last checkpoint (log=ring).
  const drained = log === 'ring' ? new Int32Array(pages) : null;
  let nDrained = 0;
  return {
    setupMemory: () => attachPlainRam(ctx, true),
    arm() {
      if (log === 'ring') {
        kernel.enableDirtyRing(ringEntries, (ring, n) => {
          drained!.set(ring.subarray(0, n), nDrained);
          nDrained += n;
          clock.chargeHandler(n * profile.cpu.ringEntry);
        });
      } else kernel.enableTracking(TrackingMode.log);
      if (log === 'soft-dirty') kernel.clearSoftDirty();
      else protectAll();
    },
    collect(out) {
      switch (log) {
        case 'bitmap':
          return kernel.readLog(0, pages, out);
        case 'ring': {
          out.set(drained!.subarray(0, nDrained));
          const n = nDrained + kernel.drainRing(out, nDrained);
          nDrained = 0;
          return n;
        }
        case 'pagemap-scan':
          return kernel.pagemapScan(0, pages, out);
        case 'soft-dirty':
          return kernel.readSoftDirty(0, pages, out);
      }
    },
    rearm(copied, n) {
      // The pages copied are the pages the log held: protect them again
      // (PAGEMAP_SCAN did already; clear_refs protects every page).
      if (log === 'bitmap' || log === 'ring') writeProtectPages(kernel, copied, n);
      else if (log === 'soft-dirty') kernel.clearSoftDirty();
    },
    memory(): Record<string, number> {
      switch (log) {
        case 'bitmap':
          return { 'kernel-log': Math.ceil(pages / 8) };
        case 'ring':
          // The kernel's ring of 8-byte entries, and A's list of what it drained (sized for every page).
          return { 'kernel-log': ringEntries * 8, 'tracker-list': pages * 4 };
        case 'pagemap-scan':
          // The log is the page-table entries' uffd-wp bits.
          return {};
        case 'soft-dirty':
          // The log is the page-table entries' soft-dirty bits; A reads them as one 8-byte pagemap entry per page.
          return { 'pagemap-buffer': pages * 8 };
      }
    },
  };
}
