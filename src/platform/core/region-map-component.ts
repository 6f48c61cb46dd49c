/**
 * Region maps (`Region_map_component`, repos/base/src/core/
 * region_map_component.cc, Genode 16.05 on base-foc): attach, detach,
 * `fault_handler`, `state()`, nesting (a region map used as a managed
 * dataspace), and the reflection of a fault to a region map's handler.
 *
 * Semantics kept, with where they come from:
 * - A fault with no attachment at the fault address, or a write to a
 *   read-only attachment, goes to `Region_map_component::fault`, which
 *   enqueues the faulter (rm-faulter.ts) and submits a signal to the region
 *   map's fault handler (signal-source-component.ts); the faulter stays
 *   blocked. The pager (pager.ts) finds such faults.
 * - `state()` reports the first queued fault; `attach()` wakes every faulter
 *   whose fault address the new region covers (`continue_after_resolved_fault`).
 *   A woken faulter resumes without a mapping, faults again, and that retry is
 *   answered with a mapping.
 * - `detach()` unmaps the region from B page by page: base-foc's
 *   `Rm_client::unmap` issues one `l4_task_unmap` per 4 KiB page, then
 *   `l4_cache_dma_coherent` over the region (base-foc map_local.h
 *   `unmap_local`), which costs what costs.ts `cacheMaintenanceCycles` says
 *   (nothing on amd64, a kernel call and a cost per cache line on ARM). The
 *   unmap revokes the core-local page with `L4_FP_OTHER_SPACES`, from every
 *   space it was mapped into ("TODO unmap it only from target space",
 *   region_map_support.cc): a page A maps too (checkpointer-space.ts) is
 *   unmapped from A by the same syscall.
 * - Each region map costs core an allocator_avl block of metadata, each
 *   attachment its own; for a region map of an RM session both come out of
 *   the session's quota (quota.ts).
 *
 * Bookkeeping: region maps and attachments are integer handles into flat
 * typed arrays (tables.ts); a region map's page → attachment lookup is
 * region-lookup.ts. Nothing on the fault path allocates: `attach` takes
 * positional arguments, `state()` fills a caller's `RegionMapState`.
 */
import { Actor, type Clock } from '../clock.ts';
import { cacheMaintenanceCycles } from '../costs.ts';
import { ModelError } from '../errors.ts';
import type { Kernel, Thread } from '../kernel.ts';
import { Revoke } from '../kernel.ts';
import type { CostProfile } from '../profile.ts';
import type { Backing, CheckpointerSpace } from './checkpointer-space.ts';
import type { CoreAccount } from './quota.ts';
import type { RamDataspaces } from './ram-session-component.ts';
import { CHUNK, RegionLookup } from './region-lookup.ts';
import { FaulterQueue } from './rm-faulter.ts';
import type { Signals } from './signal-source-component.ts';
import { capacityFor, NONE, resized } from './tables.ts';
import {
  type Attachment,
  type Dataspace,
  isRegionMap,
  type RamDataspace,
  type RegionMap,
  RegionMapState,
  type SignalContext,
} from './types.ts';

/** The region maps' event counters, named as `metrics.counters` names them in results. */
export class RegionMapCounters {
  /** `Region_map::attach` RPCs. */
  attaches = 0;
  /** `Region_map::detach` RPCs. */
  detaches = 0;
  /** `Region_map::state` RPCs. */
  stateCalls = 0;
}

/** Every region map of core, B's address space (index 0) first. */
export class RegionMaps {
  /** What the region maps count, under the names results give them. */
  readonly counters = new RegionMapCounters();

  // Region maps (never destroyed). Region map r has pages[r] pages; its
  // entries in the lookup start at lookupBase[r].
  private count = 0;
  /** Pages of each region map (read by the pager's walk). */
  pages = new Int32Array(16);
  private lookupBase = new Int32Array(16);
  /** The attachment showing the region map as a managed dataspace, or NONE (at most one in this model). */
  private parent = new Int32Array(16);
  /** The region map holding that attachment. */
  private parentRm = new Int32Array(16);
  /** The signal context submitted on a fault (`fault_handler()`), or NONE. */
  private faultHandler = new Int32Array(16);
  /** The RM session whose quota holds the region map and its regions, or NONE (B's address space). */
  private sessionOf = new Int32Array(16);
  private readonly lookup = new RegionLookup();

  // Attachments, by slot. A free slot has attDs NONE and attAt the next free
  // slot. The pager's walk reads attAt, attPages, attOffset and attDs.
  private attSlots = 0;
  private attFree = NONE;
  /** Page of its region map each attachment starts at. */
  attAt = new Int32Array(16);
  /** Pages each attachment covers. */
  attPages = new Int32Array(16);
  /** Page of its dataspace each attachment starts at. */
  attOffset = new Int32Array(16);
  /** The dataspace handle × 2 + 1 if writable. */
  attDs = new Int32Array(16);

  private readonly faulters = new FaulterQueue();

  // Scratch result of `place`.
  private placeDelta = 0;
  private placeLo = 0;
  private placeHi = 0;

  constructor(
    private readonly profile: CostProfile,
    private readonly clock: Clock,
    private readonly kernel: Kernel,
    private readonly account: CoreAccount,
    private readonly ram: RamDataspaces,
    private readonly signals: Signals,
    private readonly checkpointer: CheckpointerSpace,
  ) {}

  /** Makes room for `regionMaps` more region maps of `pages` pages together, and `attachments` more attachments. */
  reserve(regionMaps: number, pages: number, attachments: number): void {
    this.grow(regionMaps, true);
    this.lookup.reserve(Math.ceil(pages / CHUNK) + regionMaps);
    this.growAttachments(attachments, true);
  }

  private grow(extra: number, exact: boolean): void {
    const need = this.count + extra;
    if (need <= this.parent.length) return;
    const n = capacityFor(this.parent.length, need, exact);
    this.lookupBase = resized(this.lookupBase, n);
    this.pages = resized(this.pages, n);
    this.parent = resized(this.parent, n);
    this.parentRm = resized(this.parentRm, n);
    this.faultHandler = resized(this.faultHandler, n);
    this.sessionOf = resized(this.sessionOf, n);
  }

  private growAttachments(extra: number, exact: boolean): void {
    let free = 0;
    for (let s = this.attFree; s !== NONE; s = this.attAt[s]!) free++;
    const need = this.attSlots + Math.max(0, extra - free);
    if (need <= this.attAt.length) return;
    const n = capacityFor(this.attAt.length, need, exact);
    this.attAt = resized(this.attAt, n);
    this.attPages = resized(this.attPages, n);
    this.attOffset = resized(this.attOffset, n);
    this.attDs = resized(this.attDs, n);
  }

  /** Region map index of `rm`. @throws ModelError for anything but a region map of this core. */
  index(rm: RegionMap): number {
    const r = rm >> 1;
    if ((rm & 1) !== 1 || r < 0 || r >= this.count) throw new ModelError(`no region map ${rm}`);
    return r;
  }

  /**
   * A new region map of `pages` pages, allocated from RM session `session`'s
   * quota (NONE: B's address space, whose metadata is not the tracker's).
   */
  create(pages: number, session: number): RegionMap {
    if (!Number.isInteger(pages) || pages < 1) throw new ModelError(`region map of ${pages} pages`);
    this.grow(1, false);
    const base = this.lookup.add(pages);
    const r = this.count++;
    this.pages[r] = pages;
    this.lookupBase[r] = base;
    this.parent[r] = NONE;
    this.parentRm[r] = NONE;
    this.faultHandler[r] = NONE;
    this.sessionOf[r] = session;
    if (session !== NONE) this.account.consume(session, this.profile.memory.regionMapMetadataBytes, 0);
    return (r * 2 + 1) as RegionMap;
  }

  /** Size of a dataspace (RAM or managed) in pages. */
  pagesOf(ds: Dataspace): number {
    if (isRegionMap(ds)) {
      const r = this.index(ds);
      return this.pages[r]!;
    }
    return this.ram.pagesOf(ds);
  }

  /** Attachment + 1 at `page` of region map `r`, or 0 (the pager's lookup). */
  slotAt(r: number, page: number): number {
    return this.lookup.slotAt(this.lookupBase[r]!, page);
  }

  /** `Region_map::fault_handler`: the signal context submitted on a fault in `rm` (null: none). */
  setFaultHandler(rm: RegionMap, ctx: SignalContext | null): void {
    const r = this.index(rm);
    if (ctx !== null && !this.signals.has(ctx)) throw new ModelError(`no signal context ${ctx}`);
    this.faultHandler[r] = ctx ?? NONE;
  }

  /** The attachment of `rm` covering `page`, or null. */
  attachmentAt(rm: RegionMap, page: number): Attachment | null {
    const r = this.index(rm);
    if (!Number.isInteger(page) || page < 0 || page >= this.pages[r]!) return null;
    const s = this.slotAt(r, page);
    return s === 0 ? null : ((s - 1) as Attachment);
  }

  /** Faulters queued on `rm`. */
  queuedFaulters(rm: RegionMap): number {
    return this.faulters.countOf(this.index(rm));
  }

  /**
   * `Region_map::attach` (an RPC): attaches `pages` pages of `ds` from page
   * `offset` at page `at` of `rm` (`pages` 0: the rest of the dataspace, as
   * Genode's size 0), and wakes every faulter the region covers.
   */
  attach(rm: RegionMap, ds: Dataspace, at: number, pages = 0, offset = 0, writable = true): Attachment {
    const r = this.index(rm);
    const dsPages = this.pagesOf(ds);
    const n = pages === 0 ? dsPages - offset : pages;
    if (offset < 0 || offset + n > dsPages) {
      throw new ModelError(`attach: pages [${offset}, ${offset + n}) exceed dataspace of ${dsPages} pages`);
    }
    if (isRegionMap(ds)) {
      const inner = ds >> 1;
      if (this.parent[inner] !== NONE) {
        throw new ModelError(
          `attach: managed dataspace ${inner} is already attached (the model allows one attachment)`,
        );
      }
      for (let up = r; up !== NONE; up = this.parentRm[up]!) {
        if (up === inner) throw new ModelError(`attach: region map ${inner} would contain itself`);
      }
    }
    this.kernel.rpc(this.profile.core.attachWork, Actor.core);
    const rmPages = this.pages[r]!;
    if (at < 0 || n < 1 || at + n > rmPages || !Number.isInteger(at)) {
      throw new ModelError(`attach: region [${at}, ${at + n}) outside region map ${r} of ${rmPages} pages`);
    }
    const base = this.lookupBase[r]!;
    const conflict = this.lookup.firstAttached(base, at, at + n);
    if (conflict >= 0) throw new ModelError(`attach: region conflict at page ${conflict} of region map ${r}`);
    if (this.attFree === NONE) this.growAttachments(1, false);
    let a = this.attFree;
    if (a !== NONE) this.attFree = this.attAt[a]!;
    else a = this.attSlots++;
    this.attAt[a] = at;
    this.attPages[a] = n;
    this.attOffset[a] = offset;
    this.attDs[a] = ds * 2 + (writable ? 1 : 0);
    this.lookup.setRange(base, rmPages, at, at + n, a + 1);
    if (isRegionMap(ds)) {
      this.parent[ds >> 1] = a;
      this.parentRm[ds >> 1] = r;
    }
    const session = this.sessionOf[r]!;
    const bytes = this.profile.memory.attachmentMetadataBytes;
    if (session !== NONE) this.account.consume(session, bytes, this.profile.core.attachWork);
    else this.account.account('attachment-metadata', bytes, false);
    this.counters.attaches++;
    this.faulters.wakeIn(r, at, n, this.kernel);
    return a as Attachment;
  }

  /**
   * `Region_map::detach` (an RPC): removes the region starting at page `at`
   * and unmaps it from B, one `l4_task_unmap` per page, plus a cache operation.
   */
  detach(rm: RegionMap, at: number): void {
    const r = this.index(rm);
    this.kernel.rpc(this.profile.core.detachWork, Actor.core);
    const s = Number.isInteger(at) && at >= 0 && at < this.pages[r]! ? this.slotAt(r, at) : 0;
    const a = s - 1;
    if (s === 0 || this.attAt[a] !== at)
      throw new ModelError(`detach: no region starts at page ${at} of region map ${r}`);
    const pages = this.attPages[a]!;
    const offset = this.attOffset[a]!;
    const ds = this.attDs[a]! >> 1;
    this.lookup.setRange(this.lookupBase[r]!, this.pages[r]!, at, at + pages, 0);
    this.attDs[a] = NONE;
    this.attAt[a] = this.attFree;
    this.attFree = a;
    const session = this.sessionOf[r]!;
    const bytes = this.profile.memory.attachmentMetadataBytes;
    if (session !== NONE) this.account.release(session, bytes);
    else this.account.account('attachment-metadata', -bytes, false);
    if ((ds & 1) === 1) {
      this.parent[ds >> 1] = NONE;
      this.parentRm[ds >> 1] = NONE;
    }
    this.counters.detaches++;
    if (this.place(r)) {
      const lo = Math.max(at + this.placeDelta, this.placeLo);
      const hi = Math.min(at + pages + this.placeDelta, this.placeHi);
      // Frame of B page vpn, for a RAM dataspace: A may map it too, and the same unmap revokes that.
      const frameAt0 = (ds & 1) === 0 ? this.ram.firstFrame(ds) + offset - at - this.placeDelta : -1;
      const unmapPerPage = this.profile.kernel.unmapPerPage;
      for (let vpn = lo; vpn < hi; vpn++) {
        this.kernel.unmap(vpn, 0, Revoke.all);
        if (frameAt0 >= 0 && this.checkpointer.revokeFrame(frameAt0 + vpn))
          this.clock.charge(Actor.kernel, unmapPerPage);
      }
    }
    // (issue 10) l4_cache_dma_coherent over the region: nothing on amd64, a kernel call plus a cost per cache line on ARM.
    this.clock.charge(Actor.kernel, cacheMaintenanceCycles(this.profile, pages));
  }

  /** `Region_map::state()` (an RPC): fills `out` with the first queued fault of `rm`, and returns it. */
  state(rm: RegionMap, out: RegionMapState = new RegionMapState()): RegionMapState {
    const r = this.index(rm);
    this.kernel.rpc(this.profile.core.stateWork, Actor.core);
    this.counters.stateCalls++;
    this.faulters.firstOf(r, out);
    return out;
  }

  /**
   * Where page 0 of region map `r` lies in B's address space (placeDelta: B
   * page = page + placeDelta) and the window [placeLo, placeHi) of B pages it
   * can show; false when `r` is not reachable from B's address space.
   */
  private place(r: number): boolean {
    if (r === 0) {
      this.placeDelta = 0;
      this.placeLo = 0;
      this.placeHi = this.pages[0]!;
      return true;
    }
    const a = this.parent[r]!;
    if (a === NONE || !this.place(this.parentRm[r]!)) return false;
    const outer = this.placeDelta;
    const at = this.attAt[a]!;
    this.placeLo = Math.max(this.placeLo, at + outer);
    this.placeHi = Math.min(this.placeHi, at + this.attPages[a]! + outer);
    this.placeDelta = outer + at - this.attOffset[a]!;
    return true;
  }

  /**
   * Where B's page `vpn` is backed, walking B's region maps as the pager does
   * (no cost: A finds it in its own lists, as rtcr keeps the dataspaces it
   * hands out); fills `out`, or returns false when nothing is attached there.
   */
  backingOf(vpn: number, out: Backing): boolean {
    if (!Number.isInteger(vpn) || vpn < 0 || vpn >= this.pages[0]!) return false;
    let r = 0;
    let page = vpn;
    let delta = 0;
    let lo = 0;
    let hi = this.pages[0]!;
    for (let levels = 1; ; levels++) {
      const s = this.slotAt(r, page);
      if (s === 0) return false;
      const a = s - 1;
      const at = this.attAt[a]!;
      const offset = this.attOffset[a]!;
      const ds = this.attDs[a]! >> 1;
      lo = Math.max(lo, at + delta);
      hi = Math.min(hi, at + this.attPages[a]! + delta);
      if (r === 0) {
        out.allocBase = at;
        out.allocPages = this.attPages[a]!;
      }
      if ((ds & 1) === 1) {
        delta += at - offset;
        page = page - at + offset;
        r = ds >> 1;
        continue;
      }
      out.ds = ds as RamDataspace;
      out.dsPages = this.ram.pagesOf(ds as RamDataspace);
      out.bBase = delta + at - offset;
      out.bLo = lo;
      out.bHi = hi;
      out.levels = levels;
      return true;
    }
  }

  /**
   * `Region_map_component::fault`: queues B's `thread`, faulting at `page` of
   * region map `r`, and signals the region map's fault handler.
   * @throws ModelError when the region map has no fault handler (B would block forever).
   */
  fault(r: number, thread: Thread, page: number, write: boolean): void {
    const ctx = this.faultHandler[r]!;
    if (r === 0 || ctx === NONE) {
      throw new ModelError(
        `unresolvable ${write ? 'write' : 'read'} fault at page ${page} of region map ${r}: no fault handler`,
      );
    }
    this.faulters.enqueue(r, thread, page, write);
    this.signals.submit(ctx as SignalContext);
  }
}
