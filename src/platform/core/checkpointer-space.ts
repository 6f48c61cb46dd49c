/**
 * A's address space (its PD's region map, `Pd_session_component::address_space`),
 * as far as reading B's memory needs it: A attaches dataspaces into it, faults
 * on them through core's pager, and detaches them (issue 11 point 3; the
 * copy's sequence is the runner's, src/run/copy.ts).
 *
 * Semantics kept (Genode 16.05, base-foc):
 * - `attach` and `detach` are RPCs to core (`Region_map_component::attach`,
 *   `detach`, region_map_component.cc), charged like B's.
 * - A's first access to an attached page faults; core's pager answers with
 *   the largest aligned flexpage around the fault inside the region, up to
 *   `core.maxMapOrder` (`Rm_client::pager`, `Fault_area`), as for B. A
 *   region is attached whole at its natural alignment (`attach` without a
 *   local address tries `log2(size)` first) and RAM dataspaces are naturally
 *   aligned (ram-session-component.ts), so block boundaries are relative to
 *   the region's start. One fault: the exception, the fault IPC, core's
 *   lookup in A's address space (one level), the reply and the mapping.
 * - `detach` issues one `l4_task_unmap` per page of the region, whatever is
 *   mapped, plus a cache operation (base-foc map_local.h `unmap_local`,
 *   called once per detach: `Region_map_component::detach` skips every
 *   further client of the region map, as its `prev_rc` is the current one).
 *   Each revokes the core-local page from every space it is mapped into
 *   (`L4_FP_OTHER_SPACES`; region_map_support.cc, "TODO unmap it only from
 *   target space"): detaching a dataspace of B's RAM from A unmaps it from B
 *   as well, through the kernel's unmap of B's page (kernel.ts), so B faults
 *   through its pager on its next access. The reverse holds too: core's
 *   detach of one of B's regions unmaps A's mapping of those frames
 *   (region-map-component.ts calls `revokeFrame`).
 *
 * Modelled by counting, not by a second page table, because nothing of A's
 * mappings lasts beyond what these counts keep: A has no TLB the thesis
 * measures (its accesses are the `copyPage` memcpy), and its mappings of
 * B's RAM matter only as "mapped or not" per frame — one byte per frame of
 * B's RAM — to know whether A faults and whether an unmap has something to
 * revoke. The copy dataspace A attaches per dataspace it copies (rtcr keeps
 * one copy dataspace per dataspace of B, as large) is checkpoint storage,
 * counted in `checkpointBytes`, not a core object here: only its size and
 * which of its pages A mapped are kept, for as long as it is attached.
 * A's region metadata (in A's PD session) is not tracking metadata and is
 * not counted.
 */
import type { Clock } from '../clock.ts';
import { cacheMaintenanceCycles } from '../costs.ts';
import { ModelError } from '../errors.ts';
import { pow2 } from '../exact.ts';
import { type Kernel, Revoke } from '../kernel.ts';
import type { CostProfile } from '../profile.ts';
import { flexpageOrder } from './pager.ts';
import type { RamDataspaces } from './ram-session-component.ts';
import { resized } from './tables.ts';
import type { RamDataspace } from './types.ts';

/** Up to this many blocks of the copy dataspace mapped, `writeCopy` looks through them instead of a page map (host time only). */
const COPY_BLOCKS_LISTED = 8;

/** The first page of the aligned block of `size` (a power of two) pages holding `page`: int32 masking where it fits (a double % is slow). */
function blockBase(page: number, size: number): number {
  return size <= 2 ** 30 && page >= 0 && (page | 0) === page ? page & -size : page - (page % size);
}

/** What A's address space counts, named as `metrics.counters` names them in results. */
export class CheckpointerSpaceCounters {
  /** `Region_map::attach` RPCs of A for copying (its own address space). */
  copyAttaches = 0;
  /** `Region_map::detach` RPCs of A for copying. */
  copyDetaches = 0;
  /** A's page faults on the dataspaces it attached to copy. */
  copyFaults = 0;
  /** `l4_task_unmap` syscalls of A's detaches on pages B does not show (those B shows are in `unmapCalls`). */
  copyUnmapCalls = 0;
}

/** Where B's page is backed, as `Core.backingOf` fills it in. */
export class Backing {
  /** The RAM dataspace holding the page. */
  ds = 0 as RamDataspace;
  /** Its size in pages. */
  dsPages = 0;
  /** The B page of the dataspace's page 0 (B page = dataspace page + bBase). */
  bBase = 0;
  /** The B pages [bLo, bHi) where B shows the dataspace now. */
  bLo = 0;
  bHi = 0;
  /** Region maps walked from B's address space to the dataspace (1: attached in B's address space itself). */
  levels = 0;
  /** The region of B's address space (one of B's RAM allocations) holding the page: first page and size. */
  allocBase = 0;
  allocPages = 0;
}

export class CheckpointerSpace {
  /** What A's address space counts, under the names results give them. */
  readonly counters = new CheckpointerSpaceCounters();
  /** 1 where A maps the frame of B's RAM (grown on first use). */
  private frames = new Uint8Array(0);
  /** The copy dataspace attached now (0 pages: none), which of its pages A maps, and the blocks mapped. */
  private copyPages = 0;
  private copyMapped = new Uint8Array(0);
  private copyBlocks = new Int32Array(16);
  private copyBlockCount = 0;
  private copyMappedPages = 0;

  constructor(
    private readonly profile: CostProfile,
    private readonly clock: Clock,
    private readonly kernel: Kernel,
    private readonly ram: RamDataspaces,
  ) {}

  private framesFor(frame: number): Uint8Array {
    if (frame >= this.frames.length)
      this.frames = resized(this.frames, Math.max(frame + 1, this.ram.frameCount(), this.frames.length * 2));
    return this.frames;
  }

  /** The order of the largest aligned block around `page` inside a region of `pages` pages (Fault_area). */
  private blockOrder(page: number, pages: number): number {
    return flexpageOrder(page, 0, pages, this.profile.core.maxMapOrder);
  }

  /**
   * A's page fault answered with a mapping of `count` pages: the exception,
   * the fault IPC and the reply (between A and core: B's address space is not
   * involved, so they are charged here, not through the kernel's B-side IPC),
   * core's lookup in A's address space (one level), the mapping.
   */
  private fault(count: number): void {
    const k = this.profile.kernel;
    this.counters.copyFaults++;
    this.clock.chargeKernel(k.pageFaultTrap + count * k.mapPerPage);
    this.clock.chargeIpc(2 * k.ipcOneWay);
    this.clock.chargeCore(this.profile.core.regionLookup);
  }

  /** `Region_map::attach` of a dataspace into A's address space (an RPC). */
  attach(): void {
    this.counters.copyAttaches++;
    this.kernel.rpcCore(this.profile.core.attachWork);
  }

  /** A holds all of RAM dataspace `ds` mapped (attached for good, every page read once: setup). */
  keepMapped(ds: RamDataspace): void {
    const first = this.ram.firstFrame(ds);
    const n = this.ram.pagesOf(ds);
    this.framesFor(first + n - 1).fill(1, first, first + n);
  }

  /** A reads page `page` of RAM dataspace `ds`, attached whole in A: faults unless A maps its frame. */
  read(ds: RamDataspace, page: number): void {
    const first = this.ram.firstFrame(ds);
    const frames = this.framesFor(first + page);
    if (frames[first + page] === 1) return;
    const pages = this.ram.pagesOf(ds);
    const size = pow2(this.blockOrder(page, pages));
    const base = blockBase(page, size);
    this.fault(size);
    if (size === 1) frames[first + base] = 1;
    else frames.fill(1, first + base, first + base + size);
  }

  /**
   * `Region_map::detach` of RAM dataspace `ds` from A: one `l4_task_unmap`
   * per page, each revoking the page from A and from B where B shows it
   * (`b`: where, as `Core.backingOf` found it; null: nowhere), plus a cache
   * operation.
   */
  detach(ds: RamDataspace, b: Backing | null): void {
    this.counters.copyDetaches++;
    this.kernel.rpcCore(this.profile.core.detachWork);
    if (b !== null && b.ds !== ds) throw new ModelError(`detach: backing of dataspace ${b.ds}, not ${ds}`);
    const k = this.profile.kernel;
    const first = this.ram.firstFrame(ds);
    const n = this.ram.pagesOf(ds);
    const frames = this.framesFor(first + n - 1);
    for (let i = 0; i < n; i++) {
      const vpn = b === null ? -1 : b.bBase + i;
      if (b !== null && vpn >= b.bLo && vpn < b.bHi) this.kernel.unmap(vpn, 0, Revoke.all);
      else {
        this.counters.copyUnmapCalls++;
        this.clock.chargeKernel(k.syscall);
      }
      if (frames[first + i] === 1) {
        frames[first + i] = 0;
        this.clock.chargeKernel(k.unmapPerPage);
      }
    }
    // unmap_local's l4_cache_dma_coherent, as region-map-component.ts detach charges it (issue 10).
    this.clock.chargeKernel(cacheMaintenanceCycles(this.profile, n));
  }

  /**
   * Unmaps A's mapping of `frame`, if any, as an unmap of B's region revokes
   * it: returns whether there was one (the caller's syscall pays for it).
   */
  revokeFrame(frame: number): boolean {
    if (frame >= this.frames.length || this.frames[frame] === 0) return false;
    this.frames[frame] = 0;
    return true;
  }

  /** `Region_map::attach` of a copy dataspace of `pages` pages into A (checkpoint storage; B never maps it). */
  attachCopy(pages: number): void {
    if (this.copyPages !== 0) throw new ModelError('attachCopy: a copy dataspace is attached already');
    this.attach();
    this.copyPages = pages;
    if (this.copyMapped.length < pages) this.copyMapped = new Uint8Array(pages);
  }

  /** A writes page `page` of the attached copy dataspace: faults unless A maps it. */
  writeCopy(page: number): void {
    if (this.copyMaps(page)) return;
    const size = pow2(this.blockOrder(page, this.copyPages));
    const base = blockBase(page, size);
    this.fault(size);
    if (this.copyBlockCount + 2 > this.copyBlocks.length)
      this.copyBlocks = resized(this.copyBlocks, this.copyBlocks.length * 2);
    this.copyBlocks[this.copyBlockCount++] = base;
    this.copyBlocks[this.copyBlockCount++] = size;
    this.copyMappedPages += size;
    const blocks = this.copyBlockCount / 2;
    if (blocks === COPY_BLOCKS_LISTED + 1) {
      for (let i = 0; i < this.copyBlockCount; i += 2)
        this.copyMapped.fill(1, this.copyBlocks[i]!, this.copyBlocks[i]! + this.copyBlocks[i + 1]!);
    } else if (blocks > COPY_BLOCKS_LISTED) this.copyMapped.fill(1, base, base + size);
  }

  /**
   * Whether A maps page `page` of the copy dataspace: a look through the
   * blocks it mapped while they are few, else its page map (filled only
   * then: a block is up to 2^maxMapOrder pages, and a copy often maps one).
   */
  private copyMaps(page: number): boolean {
    if (this.copyBlockCount > 2 * COPY_BLOCKS_LISTED) return this.copyMapped[page] === 1;
    for (let i = 0; i < this.copyBlockCount; i += 2) {
      const from = this.copyBlocks[i]!;
      if (page >= from && page < from + this.copyBlocks[i + 1]!) return true;
    }
    return false;
  }

  /** `Region_map::detach` of the copy dataspace: one `l4_task_unmap` per page of it, plus a cache operation. */
  detachCopy(): void {
    const n = this.copyPages;
    if (n === 0) throw new ModelError('detachCopy: no copy dataspace is attached');
    const k = this.profile.kernel;
    this.counters.copyDetaches++;
    this.kernel.rpcCore(this.profile.core.detachWork);
    this.counters.copyUnmapCalls += n;
    this.clock.chargeKernel(n * k.syscall + this.copyMappedPages * k.unmapPerPage);
    this.clock.chargeKernel(cacheMaintenanceCycles(this.profile, n)); // l4_cache_dma_coherent (issue 10)
    if (this.copyBlockCount > 2 * COPY_BLOCKS_LISTED) {
      for (let i = 0; i < this.copyBlockCount; i += 2) {
        const base = this.copyBlocks[i]!;
        this.copyMapped.fill(0, base, base + this.copyBlocks[i + 1]!);
      }
    }
    this.copyBlockCount = 0;
    this.copyMappedPages = 0;
    this.copyPages = 0;
  }
}
