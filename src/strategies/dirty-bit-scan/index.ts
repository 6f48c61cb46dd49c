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
import {
  Actor,
  countFlexpages,
  FpageRights,
  forEachFlexpage,
  maxInvalidationCycles,
  pauseResumeCycles,
  Revoke,
  rpcCycles,
  UNMAP_BATCH_MAX,
} from '../../platform/index.ts';
import { attachPlainRam } from '../common.ts';
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
    // The flexpages covering B, once: start page and order of each.
    const count = countFlexpages(0, pages, params.flexpageOrder);
    const vpns = new Int32Array(count);
    const orders = new Uint8Array(count);
    const status = new Uint8Array(count);
    let f = 0;
    forEachFlexpage(0, pages, params.flexpageOrder, (vpn, order) => {
      vpns[f] = vpn;
      orders[f++] = order;
    });
    /** Unmaps every flexpage with an empty rights mask, `batch` to a syscall; appends the pages of dirty ones to `out`. */
    const scan = (out: Int32Array | null): number => {
      for (let i = 0; i < count; i += params.batch) {
        kernel.unmapBatch(vpns, orders, i, Math.min(params.batch, count - i), Revoke.none, status);
      }
      if (out === null) return 0;
      let n = 0;
      for (let i = 0; i < count; i++) {
        if ((status[i]! & FpageRights.W) === 0) continue;
        const end = Math.min(vpns[i]! + 2 ** orders[i]!, pages);
        for (let p = vpns[i]!; p < end; p++) out[n++] = p;
      }
      return n;
    };
    return {
      // One D bit per superpage: below the superpage order, B's RAM must be 4 KiB pages.
      setupMemory: () => attachPlainRam(ctx, params.flexpageOrder < profile.mmu.superpageOrder),
      // Clear the status the setup left, so the first interval starts clean.
      arm: () => {
        scan(null);
      },
      collect(out) {
        kernel.rpc(0, Actor.core); // ask core to scan B's mappings (assumed core extension)
        return scan(out);
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
    const k = profile.kernel;
    let unmaps = 0;
    let inBatch = 0;
    let batchPages = 0;
    const closeBatch = () => {
      unmaps += k.syscall + batchPages * k.unmapPerPage + maxInvalidationCycles(profile, batchPages);
      inBatch = 0;
      batchPages = 0;
    };
    forEachFlexpage(0, pages, params.flexpageOrder, (vpn, order) => {
      batchPages += Math.min(2 ** order, pages - vpn);
      if (++inBatch === params.batch) closeBatch();
    });
    if (inBatch > 0) closeBatch();
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
