/**
 * `dirty-bit-scan`: read the MMU's dirty bits. B runs without tracking faults;
 * at a checkpoint the checkpointer has core unmap B's memory flexpage by
 * flexpage with an empty rights mask, which on x86 Fiasco.OC returns and
 * atomically clears each page's A/D status (`Mem_space::v_delete` →
 * `access_flags()`, ia32/paging-ia32.cpp). The status comes back as one value
 * per flexpage, the OR over its pages (map_util.cpp `unmap()` ORs each page's
 * rights into `flushed_rights`; task.cpp `Task::sys_unmap` writes one status
 * back per flexpage), so every page of a flexpage reported dirty is copied:
 * `flexpageOrder` 0 is exact, larger orders trade precision for fewer
 * entries to walk. Flexpages go `batch` to a syscall (`l4_task_unmap_batch`,
 * at most UNMAP_BATCH_MAX, the UTCB's limit). B pays afterwards: TLB misses
 * after the flush and a dirty assist on the first write to each page.
 *
 * A flexpage smaller than a superpage reads one D bit for the whole
 * superpage, so below the superpage order B's RAM is mapped in 4 KiB pages
 * (core's small-pages attribute); from that order on it keeps superpages.
 *
 * Genode offers a user component no such call; the model charges one RPC to
 * core per scan for it (an assumed core extension), then core's unmaps.
 * Unavailable where unmap reports no status (Fiasco.OC on ARM).
 */
import { pauseResumeCycles, Revoke, rpcCycles, UNMAP_BATCH_MAX } from '../../platform/index.ts';
import { attachPlainRam } from '../common.ts';
import { FlexpageScan, maxFlexpageScanCycles } from '../flexpage-scan.ts';
import { defineStrategy } from '../types.ts';

export const dirtyBitScan = defineStrategy({
  name: 'dirty-bit-scan',
  doc: 'read and clear hardware dirty bits by unmap-with-status over flexpages at each checkpoint (one status per flexpage)',
  params: {
    flexpageOrder: {
      type: 'integer',
      default: 0,
      min: 0,
      max: 20,
      unit: 'log2 pages',
      doc: 'size of each unmap-with-status flexpage as log2 pages: one dirty status for all its pages, so 0 is exact and larger orders copy every page of a dirty flexpage; from the superpage order on, B keeps superpages',
    },
    batch: {
      type: 'integer',
      default: UNMAP_BATCH_MAX,
      min: 1,
      max: UNMAP_BATCH_MAX,
      unit: 'flexpages',
      doc: 'flexpages per l4_task_unmap_batch syscall (at most L4_UTCB_GENERIC_DATA_SIZE - 2 = 61, l4sys task.h)',
    },
  },
  requires: () => ['hardwareDirtyBits'],
  create(ctx, params) {
    const { kernel, pages, profile } = ctx;
    const scan = new FlexpageScan(kernel, pages, params.flexpageOrder, params.batch);
    return {
      // One D bit per superpage: below the superpage order, B's RAM must be 4 KiB pages.
      setupMemory: () => attachPlainRam(ctx, params.flexpageOrder < profile.mmu.superpageOrder),
      // Clear the status the setup left, so the first interval starts clean.
      arm: () => {
        scan.run(Revoke.none, null);
      },
      collect(out) {
        kernel.rpcCore(0); // ask core to scan B's mappings (assumed core extension)
        return scan.run(Revoke.none, out);
      },
      rearm: () => {},
    };
  },
  // No fault stalls: B's pages stay mapped and writable (the scan revokes
  // nothing); the dirty assists and TLB misses it causes are B's own time.
  // The pause: stop and resume B, the RPC to core, every batch of unmaps
  // (kernel.ts unmapBatch: one syscall, every entry of its flexpages present,
  // as 4 KiB entries at most, and changed, the worst invalidation), and the
  // copy of every page of a flexpage reported dirty: at most one flexpage
  // per touched page.
  bounds(profile, pages, params, touched) {
    const unmaps = maxFlexpageScanCycles(profile, pages, params.flexpageOrder, params.batch);
    const copied = Math.min(pages, touched * 2 ** params.flexpageOrder);
    const pause =
      pauseResumeCycles(profile) + rpcCycles(profile, 0) + unmaps + copied * profile.checkpointer.copyPage;
    return {
      maxFaultStallCycles: 0,
      maxPauseCycles: pause,
      maxRingFullStallCycles: 0,
      maxCopiedPages: copied,
      faultsPerPage: 0,
      ringEntries: 0,
    };
  },
});
