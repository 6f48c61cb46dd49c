/**
 * Unmap-with-status over all of B, flexpage by flexpage, `batch` flexpages to
 * an `l4_task_unmap_batch` syscall: what `dirty-bit-scan` does at every
 * checkpoint (revoking nothing, to read and clear the D bits) and what
 * `adaptive` does when it moves from write-fault tracking to scanning
 * (revoking W, to clear the tracking marks with the D bits). The status
 * comes back as one value per flexpage, the OR over its pages (map_util.cpp
 * `unmap()` ORs each page's rights into `flushed_rights`; task.cpp
 * `Task::sys_unmap` writes one status back per flexpage), so every page of a
 * flexpage reported dirty is reported.
 */
import {
  type CostProfile,
  countFlexpages,
  FpageRights,
  forEachFlexpage,
  type Kernel,
  maxInvalidationCycles,
  pow2,
  type RevokeMode,
} from '../platform/index.ts';

/** The flexpages covering B, once, and one pass of unmaps over them. */
export class FlexpageScan {
  private readonly count: number;
  private readonly vpns: Int32Array;
  private readonly orders: Uint8Array;
  private readonly status: Uint8Array;

  constructor(
    private readonly kernel: Kernel,
    private readonly pages: number,
    order: number,
    private readonly batch: number,
  ) {
    this.count = countFlexpages(0, pages, order);
    this.vpns = new Int32Array(this.count);
    this.orders = new Uint8Array(this.count);
    this.status = new Uint8Array(this.count);
    let f = 0;
    forEachFlexpage(0, pages, order, (vpn, o) => {
      this.vpns[f] = vpn;
      this.orders[f++] = o;
    });
  }

  /**
   * Unmaps every flexpage withdrawing `revoke`, `batch` to a syscall; appends
   * the pages of the flexpages reported dirty to `out` (ascending) and
   * returns how many, or discards the status when `out` is null.
   */
  run(revoke: RevokeMode, out: Int32Array | null): number {
    const { count, vpns, orders, status, batch, pages } = this;
    for (let i = 0; i < count; i += batch) {
      this.kernel.unmapBatch(vpns, orders, i, Math.min(batch, count - i), revoke, status);
    }
    if (out === null) return 0;
    let n = 0;
    for (let i = 0; i < count; i++) {
      if ((status[i]! & FpageRights.W) === 0) continue;
      const end = Math.min(vpns[i]! + pow2(orders[i]!), pages);
      for (let p = vpns[i]!; p < end; p++) out[n++] = p;
    }
    return n;
  }
}

/**
 * The most one `FlexpageScan.run` over B's `pages` pages costs, whatever it
 * revokes (kernel.ts `unmapBatch`): one syscall per batch, every entry of its
 * flexpages present, as 4 KiB entries at most, and changed, the worst
 * invalidation.
 */
export function maxFlexpageScanCycles(
  profile: CostProfile,
  pages: number,
  order: number,
  batch: number,
): number {
  const k = profile.kernel;
  let unmaps = 0;
  let inBatch = 0;
  let batchPages = 0;
  const closeBatch = () => {
    unmaps += k.syscall + batchPages * k.unmapPerPage + maxInvalidationCycles(profile, batchPages);
    inBatch = 0;
    batchPages = 0;
  };
  forEachFlexpage(0, pages, order, (vpn, o) => {
    batchPages += Math.min(2 ** o, pages - vpn);
    if (++inBatch === batch) closeBatch();
  });
  if (inBatch > 0) closeBatch();
  return unmaps;
}
