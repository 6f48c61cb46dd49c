/**
 * The pager: how core answers B's page faults.
 *
 * A fault IPC of B reaches core's pager entrypoint (base-foc
 * `Pager_entrypoint::entry`, repos/base-foc/src/core/pager.cc), which calls
 * `Rm_client::pager` (repos/base/src/core/region_map_component.cc): walk the
 * region maps from B's address space down through nested managed dataspaces
 * to the dataspace at the fault address, charging one lookup per level.
 * - Found, with the rights the access needs: reply with the largest flexpage
 *   around the fault that fits the region in every nesting level
 *   (`Fault_area::constrain`), limited by the platform's
 *   `constrain_map_size_log2` (profile `core.maxMapOrder`).
 * - No attachment at the address, or a write to a read-only attachment:
 *   reflect the fault to that region map (`Region_map_component::fault`,
 *   region-map-component.ts); B stays blocked until an attach wakes it
 *   (`Pager_object::wake_up`, kernel.ts `wakeUp`).
 */
import type { Clock } from '../clock.ts';
import { pow2 } from '../exact.ts';
import type { Kernel, Pager, Thread } from '../kernel.ts';
import type { CostProfile } from '../profile.ts';
import type { RamDataspaces } from './ram-session-component.ts';
import type { RegionMaps } from './region-map-component.ts';

/**
 * The order of the largest aligned flexpage around page `page` inside pages
 * [lo, hi), up to `maxOrder` (`Fault_area::constrain`, region_map_component.cc;
 * the limit is base-foc's `constrain_map_size_log2`): how core answers any
 * fault, B's or A's (checkpointer-space.ts).
 */
export function flexpageOrder(page: number, lo: number, hi: number, maxOrder: number): number {
  if (maxOrder <= 30 && (page | 0) === page && page >= 0) {
    // The same walk in int32 arithmetic (every fault takes it: issue 16); blocks up to 2^30 pages.
    let order = 0;
    while (order < maxOrder) {
      const size = 2 << order;
      const base = page & -size;
      if (base < lo || base + size > hi) break;
      order++;
    }
    return order;
  }
  let order = 0;
  while (order < maxOrder) {
    const size = 2 ** (order + 1);
    const base = page - (page % size);
    if (base < lo || base + size > hi) break;
    order++;
  }
  return order;
}

/** The pager's event counters, named as `metrics.counters` names them in results. */
export class PagerCounters {
  /** Faults core's pager answered with a mapping. */
  pagerMaps = 0;
  /** Faults core reflected to a region map's fault handler. */
  regionMapFaults = 0;
}

/** B's pager: the kernel sends it every page fault of B that no tracking extension takes. */
export class CorePager implements Pager {
  /** What the pager counts, under the names results give them. */
  readonly counters = new PagerCounters();

  constructor(
    private readonly profile: CostProfile,
    private readonly clock: Clock,
    private readonly kernel: Kernel,
    private readonly maps: RegionMaps,
    private readonly ram: RamDataspaces,
  ) {}

  /** `Rm_client::pager` for a fault IPC of B at page `vpn`. */
  handleFault(thread: Thread, vpn: number, write: boolean): void {
    const maps = this.maps;
    const lookupCycles = this.profile.core.regionLookup;
    let r = 0; // the region map walked, B's address space first
    let page = vpn; // fault page relative to r
    let delta = 0; // B page = page + delta
    // One record per attachment (region-map-component.ts): at, pages, offset, dataspace × 2 + writable.
    const att = maps.attRec;
    let lo = 0;
    let hi = maps.mapRec[0]!;
    for (;;) {
      this.clock.chargeCore(lookupCycles);
      const s = maps.slotAt(r, page);
      if (s === 0) {
        this.reflect(r, thread, page, write);
        return;
      }
      const a = 4 * (s - 1);
      const at = att[a]!;
      const offset = att[a + 2]!;
      const dsw = att[a + 3]!;
      const ds = dsw >> 1;
      lo = Math.max(lo, at + delta);
      hi = Math.min(hi, at + att[a + 1]! + delta);
      if ((ds & 1) === 1) {
        delta += at - offset;
        page = page - at + offset;
        r = ds >> 1;
        continue;
      }
      const writable = (dsw & 1) === 1;
      if (write && !writable) {
        this.reflect(r, thread, page, write);
        return;
      }
      const order = flexpageOrder(vpn, lo, hi, this.profile.core.maxMapOrder);
      const size = pow2(order);
      // vpn is an int32 (B's page), so a block up to 2^30 pages is a mask away (a double % cost ~5 % of a fault).
      const base = order <= 30 ? vpn & -size : vpn - (vpn % size);
      const frame = this.ram.firstFrame(ds) + (base - delta - at + offset);
      this.counters.pagerMaps++;
      // (issue 10) Whether core holds the dataspace in superpages decides whether Fiasco may install them.
      this.kernel.replyMap(thread, base, size, writable, frame, this.ram.superpages(ds));
      return;
    }
  }

  /** Reflects the fault at `page` of region map `r` to the region map's handler; B stays blocked. */
  private reflect(r: number, thread: Thread, page: number, write: boolean): void {
    this.maps.fault(r, thread, page, write);
    this.counters.regionMapFaults++;
  }
}
