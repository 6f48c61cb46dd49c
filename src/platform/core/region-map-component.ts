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
 * Bookkeeping: region maps and attachments are integer handles into typed
 * arrays of one record per object (tables.ts: a fault reads one cache line
 * of each object it meets); a region map's page → attachment lookup is
 * region-lookup.ts. Nothing on the fault path allocates: `attach` takes
 * positional arguments, `state()` fills a caller's `RegionMapState`.
 */
import type { Clock } from '../clock.ts';
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

  /** Region maps so far (never destroyed). */
  private count = 0;
  /**
   * One record per region map (tables.ts), eight int32 (32 bytes), what a
   * fault reads first: [0] its pages, [1] its one top entry in the lookup
   * when it has at most CHUNK pages, else where its top entries start in the
   * lookup's `top` (region-lookup.ts), [2] the signal context submitted on a fault (`fault_handler()`)
   * or NONE, [3] the RM session whose quota holds the region map and its
   * regions, or NONE (B's address space); then what detach reads: [4] the
   * attachment showing the region map as a managed dataspace, or NONE (at
   * most one in this model), [5] the region map holding that attachment;
   * [6], [7] unused. The pager reads [0] of B's address space (index 0).
   */
  mapRec = new Int32Array(8 * 16);
  private readonly lookup = new RegionLookup();

  /** Attachment slots so far, and the first free one (NONE: none free). */
  private attSlots = 0;
  private attFree = NONE;
  /**
   * One record per attachment slot (tables.ts), four int32 (16 bytes), all
   * read by the pager's walk: [0] the page of its region map it starts at,
   * [1] the pages it covers, [2] the page of its dataspace it starts at,
   * [3] the dataspace handle × 2 + 1 if writable. A free slot has [3] NONE
   * and [0] the next free slot.
   */
  attRec = new Int32Array(4 * 16);

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
    const capacity = this.mapRec.length >> 3;
    if (need <= capacity) return;
    this.mapRec = resized(this.mapRec, 8 * capacityFor(capacity, need, exact));
  }

  private growAttachments(extra: number, exact: boolean): void {
    let free = 0;
    for (let s = this.attFree; s !== NONE; s = this.attRec[4 * s]!) free++;
    const need = this.attSlots + Math.max(0, extra - free);
    const capacity = this.attRec.length >> 2;
    if (need <= capacity) return;
    this.attRec = resized(this.attRec, 4 * capacityFor(capacity, need, exact));
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
    const base = pages > CHUNK ? this.lookup.add(pages) : 0; // else: [1] is its top entry, nothing attached
    const r = this.count++;
    const o = 8 * r;
    const m = this.mapRec;
    m[o] = pages;
    m[o + 1] = base;
    m[o + 2] = NONE;
    m[o + 3] = session;
    m[o + 4] = NONE;
    m[o + 5] = NONE;
    if (session !== NONE) this.account.consume(session, this.profile.memory.regionMapMetadataBytes, 0);
    return (r * 2 + 1) as RegionMap;
  }

  /** Size of a dataspace (RAM or managed) in pages. */
  pagesOf(ds: Dataspace): number {
    if (isRegionMap(ds)) return this.mapRec[8 * this.index(ds)]!;
    return this.ram.pagesOf(ds);
  }

  /** Attachment + 1 at `page` of region map `r`, or 0 (the pager's lookup). */
  slotAt(r: number, page: number): number {
    const m = this.mapRec;
    const o = 8 * r;
    return m[o]! > CHUNK
      ? this.lookup.slotAt(this.lookup.top, m[o + 1]!, page)
      : this.lookup.slotAt(m, o + 1, page);
  }

  /** `Region_map::fault_handler`: the signal context submitted on a fault in `rm` (null: none). */
  setFaultHandler(rm: RegionMap, ctx: SignalContext | null): void {
    const r = this.index(rm);
    if (ctx !== null && !this.signals.has(ctx)) throw new ModelError(`no signal context ${ctx}`);
    this.mapRec[8 * r + 2] = ctx ?? NONE;
  }

  /** The attachment of `rm` covering `page`, or null. */
  attachmentAt(rm: RegionMap, page: number): Attachment | null {
    const r = this.index(rm);
    if (!Number.isInteger(page) || page < 0 || page >= this.mapRec[8 * r]!) return null;
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
      if (this.mapRec[8 * inner + 4] !== NONE) {
        throw new ModelError(
          `attach: managed dataspace ${inner} is already attached (the model allows one attachment)`,
        );
      }
      for (let up = r; up !== NONE; up = this.mapRec[8 * up + 5]!) {
        if (up === inner) throw new ModelError(`attach: region map ${inner} would contain itself`);
      }
    }
    this.kernel.rpcCore(this.profile.core.attachWork);
    const o = 8 * r;
    const rmPages = this.mapRec[o]!;
    if (at < 0 || n < 1 || at + n > rmPages || !Number.isInteger(at)) {
      throw new ModelError(`attach: region [${at}, ${at + n}) outside region map ${r} of ${rmPages} pages`);
    }
    const big = rmPages > CHUNK;
    const tops = big ? this.lookup.top : this.mapRec;
    const base = big ? this.mapRec[o + 1]! : o + 1;
    const conflict = this.lookup.firstAttached(tops, base, at, at + n);
    if (conflict >= 0) throw new ModelError(`attach: region conflict at page ${conflict} of region map ${r}`);
    if (this.attFree === NONE) this.growAttachments(1, false);
    const att = this.attRec;
    let a = this.attFree;
    if (a !== NONE) this.attFree = att[4 * a]!;
    else a = this.attSlots++;
    att[4 * a] = at;
    att[4 * a + 1] = n;
    att[4 * a + 2] = offset;
    att[4 * a + 3] = ds * 2 + (writable ? 1 : 0);
    this.lookup.setRange(tops, base, rmPages, at, at + n, a + 1);
    const maps = this.mapRec;
    if (isRegionMap(ds)) {
      maps[8 * (ds >> 1) + 4] = a;
      maps[8 * (ds >> 1) + 5] = r;
    }
    const session = maps[o + 3]!;
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
    this.kernel.rpcCore(this.profile.core.detachWork);
    const maps = this.mapRec;
    const o = 8 * r;
    const rmPages = maps[o]!;
    const big = rmPages > CHUNK;
    const tops = big ? this.lookup.top : maps;
    const base = big ? maps[o + 1]! : o + 1;
    const s = Number.isInteger(at) && at >= 0 && at < rmPages ? this.lookup.slotAt(tops, base, at) : 0;
    const att = this.attRec;
    const a = s - 1;
    if (s === 0 || att[4 * a] !== at)
      throw new ModelError(`detach: no region starts at page ${at} of region map ${r}`);
    const pages = att[4 * a + 1]!;
    const offset = att[4 * a + 2]!;
    const ds = att[4 * a + 3]! >> 1;
    this.lookup.setRange(tops, base, rmPages, at, at + pages, 0);
    att[4 * a + 3] = NONE;
    att[4 * a] = this.attFree;
    this.attFree = a;
    const session = maps[o + 3]!;
    const bytes = this.profile.memory.attachmentMetadataBytes;
    if (session !== NONE) this.account.release(session, bytes);
    else this.account.account('attachment-metadata', -bytes, false);
    if ((ds & 1) === 1) {
      maps[8 * (ds >> 1) + 4] = NONE;
      maps[8 * (ds >> 1) + 5] = NONE;
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
          this.clock.chargeKernel(unmapPerPage);
      }
    }
    // (issue 10) l4_cache_dma_coherent over the region: nothing on amd64, a kernel call plus a cost per cache line on ARM.
    this.clock.chargeKernel(cacheMaintenanceCycles(this.profile, pages));
  }

  /** `Region_map::state()` (an RPC): fills `out` with the first queued fault of `rm`, and returns it. */
  state(rm: RegionMap, out: RegionMapState = new RegionMapState()): RegionMapState {
    const r = this.index(rm);
    this.kernel.rpcCore(this.profile.core.stateWork);
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
    const maps = this.mapRec;
    if (r === 0) {
      this.placeDelta = 0;
      this.placeLo = 0;
      this.placeHi = maps[0]!;
      return true;
    }
    const a = maps[8 * r + 4]!;
    if (a === NONE || !this.place(maps[8 * r + 5]!)) return false;
    const att = this.attRec;
    const outer = this.placeDelta;
    const at = att[4 * a]!;
    this.placeLo = Math.max(this.placeLo, at + outer);
    this.placeHi = Math.min(this.placeHi, at + att[4 * a + 1]! + outer);
    this.placeDelta = outer + at - att[4 * a + 2]!;
    return true;
  }

  /**
   * Where B's page `vpn` is backed, walking B's region maps as the pager does
   * (no cost: A finds it in its own lists, as rtcr keeps the dataspaces it
   * hands out); fills `out`, or returns false when nothing is attached there.
   */
  backingOf(vpn: number, out: Backing): boolean {
    const maps = this.mapRec;
    const att = this.attRec;
    if (!Number.isInteger(vpn) || vpn < 0 || vpn >= maps[0]!) return false;
    let r = 0;
    let page = vpn;
    let delta = 0;
    let lo = 0;
    let hi = maps[0]!;
    for (let levels = 1; ; levels++) {
      const s = this.slotAt(r, page);
      if (s === 0) return false;
      const a = 4 * (s - 1);
      const at = att[a]!;
      const pages = att[a + 1]!;
      const offset = att[a + 2]!;
      const ds = att[a + 3]! >> 1;
      lo = Math.max(lo, at + delta);
      hi = Math.min(hi, at + pages + delta);
      if (r === 0) {
        out.allocBase = at;
        out.allocPages = pages;
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
    const ctx = this.mapRec[8 * r + 2]!;
    if (r === 0 || ctx === NONE) {
      throw new ModelError(
        `unresolvable ${write ? 'write' : 'read'} fault at page ${page} of region map ${r}: no fault handler`,
      );
    }
    this.faulters.enqueue(r, thread, page, write);
    this.signals.submit(ctx as SignalContext);
  }
}
