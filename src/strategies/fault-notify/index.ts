/**
 * `fault-notify`: a kernel extension. B's pages are write-protected for
 * tracking; the first write to each traps, the kernel notifies the
 * checkpointer's tracker thread by IPC, the tracker marks the page in its
 * bitmap and replies, and the kernel re-enables write and resumes B. At a
 * checkpoint the tracker drains its bitmap and write-protects the recorded
 * pages again. On Linux this is userfaultfd write-protect with a handler thread.
 *
 * B's RAM is mapped in 4 KiB pages (the extension protects per page). Each
 * notification is an IPC out of B's address space: on an untagged TLB (x86
 * Fiasco.OC) B refills its TLB after every tracking fault.
 */
import { bitmapScanCycles, pauseResumeCycles, TrackingMode } from '../../platform/index.ts';
import {
  attachPlainRam,
  maxWriteProtectCycles,
  notifyFaultStallCycles,
  PageBitmap,
  writeProtectPages,
} from '../common.ts';
import { defineStrategy } from '../types.ts';

export const faultNotify = defineStrategy({
  name: 'fault-notify',
  doc: 'kernel extension: write-protect; each first write traps and the kernel notifies the checkpointer by IPC',
  params: {
    rearm: {
      type: 'enum',
      values: ['pages', 'region'],
      default: 'pages',
      doc: "how a checkpoint write-protects again: 'pages' (one call per flexpage of the recorded pages, as rtcr would unmap them) or 'region' (one call over B's whole memory, as Linux's UFFDIO_WRITEPROTECT or mprotect of the region: a walk of every present page, a full flush past 33 changed pages; scripts/native/replay.c re-arms so)",
    },
  } as const,
  requires: () => ['kernelFaultNotification'],
  create(ctx, params) {
    const { kernel, pages } = ctx;
    const bitmap = new PageBitmap(ctx, pages);
    const order = Math.ceil(Math.log2(pages));
    return {
      setupMemory: () => attachPlainRam(ctx, true),
      arm() {
        kernel.enableTracking(TrackingMode.notify, (vpn) => bitmap.mark(vpn));
        kernel.writeProtect(0, order);
      },
      collect: (out) => bitmap.drain(out),
      // The pages copied are the pages the bitmap recorded: protect them again,
      // page by page or by one call over B's memory (which changes only those).
      rearm:
        params.rearm === 'region'
          ? (_copied, n) => {
              if (n > 0) kernel.writeProtect(0, order);
            }
          : (copied, n) => writeProtectPages(kernel, copied, n),
      memory: () => ({ 'tracker-bitmap': bitmap.bytes() }),
    };
  },
  // A fault stall: common.ts notifyFaultStallCycles, term by term. A page
  // faults once per interval: its write re-enables write until the re-arm.
  // The pause: stop and resume B, the scan of the whole bitmap with a store per marked page (at most the touched ones),
  // every touched page copied and write-protected again.
  bounds(profile, pages, params, touched) {
    const fault = notifyFaultStallCycles(profile);
    const pause =
      pauseResumeCycles(profile) +
      bitmapScanCycles(profile, pages, touched) +
      touched * profile.checkpointer.copyPage +
      // 'region': one call visiting every page, bounded as a call per page.
      maxWriteProtectCycles(profile, params.rearm === 'region' ? pages : touched);
    return {
      maxFaultStallCycles: fault,
      maxPauseCycles: pause,
      maxRingFullStallCycles: 0,
      maxCopiedPages: touched,
      faultsPerPage: 1,
      ringEntries: 0,
    };
  },
});
