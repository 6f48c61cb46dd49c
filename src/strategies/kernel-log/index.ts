/**
 * `kernel-log`: a kernel extension without the round trip. B's pages are
 * write-protected for tracking; the first write to each traps, the kernel
 * logs the page itself and resumes B directly (like Linux soft-dirty, uffd
 * WP_ASYNC, or Intel PML). At a checkpoint the checkpointer reads and resets
 * the log in one syscall and write-protects the logged pages again.
 */
import { pauseResumeCycles, TrackingMode } from '../../platform/index.ts';
import { attachPlainRam, maxWriteProtectCycles, writeProtectPages } from '../common.ts';
import { defineStrategy } from '../types.ts';

export const kernelLog = defineStrategy({
  name: 'kernel-log',
  doc: 'kernel extension: the kernel logs each first write itself and resumes B directly (soft-dirty, PML)',
  params: {},
  requires: () => ['kernelDirtyLog'],
  create(ctx) {
    const { kernel, pages } = ctx;
    return {
      setupMemory: () => attachPlainRam(ctx),
      arm() {
        kernel.enableTracking(TrackingMode.log);
        kernel.writeProtect(0, Math.ceil(Math.log2(pages)));
      },
      collect: (out) => kernel.readLog(0, pages, out),
      // The pages copied are the pages the log held: protect them again.
      rearm: (copied, n) => writeProtectPages(kernel, copied, n),
      // The log lives in the kernel: one bit per page.
      memory: () => ({ 'kernel-log': Math.ceil(pages / 8) }),
    };
  },
  // A fault stall (kernel.ts trackedWriteFault, then Mmu.slowAccess's retry):
  // the trap, the log append (write re-enabled with it), the retried walk;
  // once per page per interval. The pause: stop and resume B, the log read
  // (one syscall, every page scanned), every touched page copied and
  // write-protected again.
  bounds(profile, pages, _params, touched) {
    const k = profile.kernel;
    const fault = k.pageFaultTrap + k.logAppend + profile.mmu.pageWalk;
    const pause =
      pauseResumeCycles(profile) +
      k.syscall +
      pages * k.logScanPerPage +
      touched * profile.checkpointer.copyPage +
      maxWriteProtectCycles(profile, touched);
    return { maxFaultStallCycles: fault, maxPauseCycles: pause, maxCopiedPages: touched, faultsPerPage: 1 };
  },
});
