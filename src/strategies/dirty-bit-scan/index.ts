/**
 * `dirty-bit-scan`: read the MMU's dirty bits. B runs without tracking faults;
 * at a checkpoint the checkpointer has core unmap B's memory flexpage by
 * flexpage with an empty rights mask, which on x86 Fiasco.OC returns and
 * atomically clears each page's A/D status (`Mem_space::v_delete` →
 * `access_flags()`), and invalidates the TLB. B pays afterwards: TLB misses
 * after the invalidations and a dirty assist on the first write to each page.
 *
 * Genode offers a user component no such call; the model charges one RPC to
 * core per scan for it (an assumed core extension), then core's unmaps.
 * Unavailable where unmap reports no status (Fiasco.OC on ARM).
 */
import {
  Actor,
  forEachFlexpage,
  maxInvalidationCycles,
  pauseResumeCycles,
  Revoke,
  rpcCycles,
} from '../../platform/index.ts';
import { attachPlainRam } from '../common.ts';
import { defineStrategy } from '../types.ts';

export const dirtyBitScan = defineStrategy({
  name: 'dirty-bit-scan',
  doc: 'read and clear hardware dirty bits by unmap-with-status over flexpages at each checkpoint',
  params: {
    flexpageOrder: {
      type: 'integer',
      default: 9,
      min: 0,
      max: 20,
      unit: 'log2 pages',
      doc: 'size of each unmap-with-status flexpage as log2 pages (9 = 2 MiB); larger means fewer syscalls but full TLB flushes',
    },
  },
  requires: () => ['hardwareDirtyBits'],
  create(ctx, params) {
    const { kernel, pages } = ctx;
    const scan = (out: Int32Array | null): number => {
      let n = 0;
      forEachFlexpage(0, pages, params.flexpageOrder, (vpn, order) => {
        n += kernel.unmap(vpn, order, Revoke.none, out, n);
      });
      return n;
    };
    return {
      setupMemory: () => attachPlainRam(ctx),
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
  // The pause: stop and resume B, the RPC to core, the unmaps of every
  // flexpage, the copy of the dirty pages (at most the touched ones).
  bounds(profile, pages, params, touched) {
    const k = profile.kernel;
    // Every flexpage: one syscall, every page present and dirty, the worst invalidation for its size.
    let unmaps = 0;
    forEachFlexpage(0, pages, params.flexpageOrder, (_vpn, order) => {
      const size = Math.min(2 ** order, pages);
      unmaps += k.syscall + size * k.unmapPerPage + maxInvalidationCycles(profile, size);
    });
    const pause =
      pauseResumeCycles(profile) + rpcCycles(profile, 0) + unmaps + touched * profile.checkpointer.copyPage;
    return { maxFaultStallCycles: 0, maxPauseCycles: pause, maxCopiedPages: touched, faultsPerPage: 0 };
  },
});
