/**
 * Genode core, as base-foc 16.05 behaves (design §2): RAM dataspaces, region
 * maps with attach/detach/fault_handler/state(), managed dataspaces (a region
 * map used as a dataspace, nested), the pager that resolves B's faults by
 * walking nested region maps, signals, and the quota and metadata every RM
 * session, region map, attachment and dataspace costs.
 *
 * Semantics kept, with where they come from (repos/base/src/core/
 * region_map_component.cc unless said otherwise):
 * - `Rm_client::pager` walks the region maps; with no attachment at the fault
 *   address, or a write to a read-only attachment, it calls
 *   `Region_map_component::fault`, which enqueues the faulter and submits a
 *   signal to the region map's fault handler; the faulter stays blocked.
 * - Otherwise it answers with the largest flexpage around the fault that fits
 *   the region in every nesting level (`Fault_area::constrain`), limited by
 *   the platform's `constrain_map_size_log2` (profile `core.maxMapOrder`).
 *   The model assumes core allocates RAM dataspaces naturally aligned, so the
 *   source side never constrains the flexpage further.
 * - `state()` reports the first queued fault; `attach()` wakes every faulter
 *   whose fault address the new region covers (`continue_after_resolved_fault`).
 *   A woken faulter resumes without a mapping, faults again, and that retry is
 *   answered with a mapping.
 * - `detach()` unmaps the region from B page by page: base-foc's
 *   `Rm_client::unmap` issues one `l4_task_unmap` per 4 KiB page, plus a
 *   cache operation (base-foc map_local.h).
 * - Each RM session carries its RAM quota; each region map costs core an
 *   allocator_avl block of metadata; before 16.05 every managed dataspace
 *   needs its own RM session (profile capability `rmSessionPerManagedDataspace`).
 */
import { type Clock, Kind } from './clock.ts';
import { ModelError } from './errors.ts';
import type { Kernel, Pager, Thread } from './kernel.ts';
import { Revoke } from './kernel.ts';
import type { CostProfile } from './profile.ts';

/** Bytes per page of the emulated platform. */
export const PAGE_SIZE = 4096;

/** Where B's memory starts in its virtual address space (for reported fault addresses). */
export const TARGET_VIRT_BASE = 0x1000_0000;

/** A RAM dataspace: `pages` physically contiguous frames from `frameBase`. */
export class RamDataspace {
  readonly kind = 'ram' as const;
  constructor(
    readonly id: number,
    readonly pages: number,
    readonly frameBase: number,
  ) {}
}

/** A region of a region map: `pages` pages of `ds` from page `offset`, at page `at`. */
export interface Attachment {
  /** The region map holding this attachment. */
  readonly rm: RegionMap;
  /** First page of the region in the region map. */
  readonly at: number;
  /** Length in pages. */
  readonly pages: number;
  /** First page of the dataspace the region shows. */
  readonly offset: number;
  /** A RAM dataspace, or a region map used as managed dataspace. */
  readonly ds: RamDataspace | RegionMap;
  /** False for a read-only attachment. */
  readonly writable: boolean;
}

/** Fault state of a region map, as `Region_map::state()` returns it. */
export interface RegionMapState {
  readonly type: 'READY' | 'READ_FAULT' | 'WRITE_FAULT';
  /** Fault address in bytes, relative to the region map (0 when READY). */
  readonly addr: number;
}

/** A Genode signal context: submitting it runs the handler (A's signal handler thread). */
export interface SignalContext {
  readonly handler: () => void;
}

interface Faulter {
  readonly thread: Thread;
  /** Fault page, relative to the region map. */
  readonly page: number;
  readonly write: boolean;
}

/** An RM session; since 16.05 it can create many region maps (managed dataspaces). */
export class RmSession {
  readonly regionMaps: RegionMap[] = [];
  constructor(
    private readonly core: Core,
    readonly id: number,
  ) {}

  /** `Rm_session::create(size)`: a new region map usable as a managed dataspace. */
  createRegionMap(pages: number): RegionMap {
    if (this.core.profile.capabilities.rmSessionPerManagedDataspace && this.regionMaps.length > 0) {
      throw new ModelError(
        `RM session ${this.id} already has a region map; profile ${this.core.profile.name} needs one RM session per managed dataspace`,
      );
    }
    const rm = this.core.newRegionMap(pages, true);
    this.regionMaps.push(rm);
    return rm;
  }
}

/** A region map (Region_map_component); nested, it is a managed dataspace. */
export class RegionMap {
  readonly kind = 'region-map' as const;
  /** Attachments by slot; a detached slot is null. */
  private readonly attachments: (Attachment | null)[] = [];
  /** Slots freed by detach, reused by the next attach (no search on the fault path). */
  private readonly freeSlots: number[] = [];
  /** Attachment slot + 1 per page of the region map, 0 where nothing is attached. */
  private readonly pageToSlot: Int32Array;
  /** Blocked faulters in arrival order. */
  private readonly faulters: Faulter[] = [];
  /** The signal context submitted on a fault (`fault_handler()`), if any. */
  faultHandler: SignalContext | null = null;
  /** Where this region map is attached as a managed dataspace (at most once in this model). */
  parent: Attachment | null = null;

  constructor(
    readonly id: number,
    readonly pages: number,
  ) {
    this.pageToSlot = new Int32Array(pages);
  }

  /** The attachment covering `page`, or null. */
  lookup(page: number): Attachment | null {
    const s = this.pageToSlot[page]!;
    return s === 0 ? null : this.attachments[s - 1]!;
  }

  /** Faulters queued on this region map. */
  get queuedFaulters(): number {
    return this.faulters.length;
  }

  /** @internal core's bookkeeping of a new attachment. */
  insert(a: Attachment): void {
    if (a.at < 0 || a.pages < 1 || a.at + a.pages > this.pages || !Number.isInteger(a.at)) {
      throw new ModelError(
        `attach: region [${a.at}, ${a.at + a.pages}) outside region map ${this.id} of ${this.pages} pages`,
      );
    }
    for (let p = a.at; p < a.at + a.pages; p++) {
      if (this.pageToSlot[p] !== 0)
        throw new ModelError(`attach: region conflict at page ${p} of region map ${this.id}`);
    }
    const slot = this.freeSlots.pop() ?? this.attachments.length;
    this.attachments[slot] = a;
    this.pageToSlot.fill(slot + 1, a.at, a.at + a.pages);
  }

  /** @internal core's bookkeeping of a detach; returns the removed attachment. */
  remove(at: number): Attachment {
    const s = this.pageToSlot[at] ?? 0;
    const a = s === 0 ? null : this.attachments[s - 1]!;
    if (a === null || a.at !== at)
      throw new ModelError(`detach: no region starts at page ${at} of region map ${this.id}`);
    this.attachments[s - 1] = null;
    this.freeSlots.push(s - 1);
    this.pageToSlot.fill(0, a.at, a.at + a.pages);
    return a;
  }

  /** @internal enqueues a faulter (Region_map_component::fault). */
  enqueue(f: Faulter): void {
    this.faulters.push(f);
  }

  /** @internal the first queued fault, or undefined. */
  firstFault(): Faulter | undefined {
    return this.faulters[0];
  }

  /** @internal removes and returns the faulters whose fault page lies in [at, at + pages). */
  takeFaultersIn(at: number, pages: number): Faulter[] {
    const woken: Faulter[] = [];
    for (let i = 0; i < this.faulters.length; ) {
      const f = this.faulters[i]!;
      if (f.page >= at && f.page < at + pages) {
        woken.push(f);
        this.faulters.splice(i, 1);
      } else i++;
    }
    return woken;
  }
}

/** Core's metadata and quota, by kind, in bytes. */
export interface CoreMemory {
  /** RAM quota donated to core for sessions. */
  quotaBytes: number;
  /** Core's metadata: region maps, attachments, dataspaces. */
  metadataBytes: number;
  /** Both, by kind (e.g. `rm-session-quota`, `region-map-metadata`). */
  byKind: Record<string, number>;
}

/** Genode core: B's pager and the services A uses to build and track B's memory. */
export class Core implements Pager {
  /** B's address space as a region map (the PD's region map); not charged as metadata. */
  readonly root: RegionMap;
  private nextId = 1;
  private nextFrame = 0;
  private readonly memory: CoreMemory = { quotaBytes: 0, metadataBytes: 0, byKind: {} };

  /** Counters: faults the pager resolved by mapping, region-map faults signalled, attaches, detaches, state() calls. */
  pagerMaps = 0;
  regionMapFaults = 0;
  attaches = 0;
  detaches = 0;
  stateCalls = 0;

  constructor(
    readonly profile: CostProfile,
    private readonly clock: Clock,
    private readonly kernel: Kernel,
  ) {
    this.root = new RegionMap(0, kernel.space.pages);
  }

  private account(kind: string, bytes: number, quota: boolean): void {
    if (quota) this.memory.quotaBytes += bytes;
    else this.memory.metadataBytes += bytes;
    this.memory.byKind[kind] = (this.memory.byKind[kind] ?? 0) + bytes;
  }

  /** Quota and metadata of everything created so far (a copy). */
  memoryUse(): CoreMemory {
    return { ...this.memory, byKind: { ...this.memory.byKind } };
  }

  /** @internal creates a region map; `charged` false only for B's own address space. */
  newRegionMap(pages: number, charged: boolean): RegionMap {
    if (!Number.isInteger(pages) || pages < 1) throw new ModelError(`region map of ${pages} pages`);
    const rm = new RegionMap(this.nextId++, pages);
    if (charged) this.account('region-map-metadata', this.profile.memory.regionMapMetadataBytes, false);
    return rm;
  }

  /** Opens an RM session (A donates its quota). */
  createRmSession(): RmSession {
    this.account('rm-session-quota', this.profile.memory.rmSessionQuotaBytes, true);
    return new RmSession(this, this.nextId++);
  }

  /** `Ram_session::alloc`: a RAM dataspace of `pages` pages. */
  allocRam(pages: number): RamDataspace {
    if (!Number.isInteger(pages) || pages < 1) throw new ModelError(`RAM dataspace of ${pages} pages`);
    this.account('dataspace-metadata', this.profile.memory.dataspaceMetadataBytes, false);
    const ds = new RamDataspace(this.nextId++, pages, this.nextFrame);
    this.nextFrame += pages;
    return ds;
  }

  /** A signal context whose submission runs `handler`. */
  createSignalContext(handler: () => void): SignalContext {
    return { handler };
  }

  /**
   * `Region_map::attach` (an RPC): attaches `pages` pages of `ds` from page
   * `offset` at page `at` of `rm`, and wakes every faulter the region covers.
   */
  attach(
    rm: RegionMap,
    ds: RamDataspace | RegionMap,
    at: number,
    options: { pages?: number; offset?: number; writable?: boolean } = {},
  ): Attachment {
    const offset = options.offset ?? 0;
    const pages = options.pages ?? ds.pages - offset;
    if (offset < 0 || offset + pages > ds.pages) {
      throw new ModelError(
        `attach: pages [${offset}, ${offset + pages}) exceed dataspace of ${ds.pages} pages`,
      );
    }
    if (ds instanceof RegionMap && ds.parent !== null) {
      throw new ModelError(
        `attach: managed dataspace ${ds.id} is already attached (the model allows one attachment)`,
      );
    }
    this.kernel.rpc(this.profile.core.attachWork, Kind.core);
    const a: Attachment = { rm, at, pages, offset, ds, writable: options.writable ?? true };
    rm.insert(a);
    if (ds instanceof RegionMap) ds.parent = a;
    this.account('attachment-metadata', this.profile.memory.attachmentMetadataBytes, false);
    this.attaches++;
    for (const f of rm.takeFaultersIn(at, pages)) this.kernel.wakeUp(f.thread);
    return a;
  }

  /**
   * `Region_map::detach` (an RPC): removes the region starting at page `at`
   * and unmaps it from B, one `l4_task_unmap` per page, plus a cache operation.
   */
  detach(rm: RegionMap, at: number): void {
    this.kernel.rpc(this.profile.core.detachWork, Kind.core);
    const a = rm.remove(at);
    this.account('attachment-metadata', -this.profile.memory.attachmentMetadataBytes, false);
    if (a.ds instanceof RegionMap) a.ds.parent = null;
    this.detaches++;
    const place = this.placeInTarget(rm);
    if (place !== null) {
      const lo = Math.max(a.at + place.delta, place.lo);
      const hi = Math.min(a.at + a.pages + place.delta, place.hi);
      for (let vpn = lo; vpn < hi; vpn++) this.kernel.unmap(vpn, 0, Revoke.all);
    }
    this.clock.charge(Kind.kernel, this.profile.core.cacheOp);
  }

  /** `Region_map::state()` (an RPC): the first queued fault of `rm`. */
  state(rm: RegionMap): RegionMapState {
    this.kernel.rpc(this.profile.core.stateWork, Kind.core);
    this.stateCalls++;
    const f = rm.firstFault();
    if (f === undefined) return { type: 'READY', addr: 0 };
    return { type: f.write ? 'WRITE_FAULT' : 'READ_FAULT', addr: f.page * PAGE_SIZE };
  }

  /**
   * Where page 0 of `rm` lies in B's address space (`delta`: B page = page +
   * delta) and the window [lo, hi) of B pages it can show, or null when `rm`
   * is not reachable from B's address space.
   */
  placeInTarget(rm: RegionMap): { delta: number; lo: number; hi: number } | null {
    if (rm === this.root) return { delta: 0, lo: 0, hi: rm.pages };
    const a = rm.parent;
    if (a === null) return null;
    const outer = this.placeInTarget(a.rm);
    if (outer === null) return null;
    const delta = outer.delta + a.at - a.offset;
    return {
      delta,
      lo: Math.max(outer.lo, a.at + outer.delta),
      hi: Math.min(outer.hi, a.at + a.pages + outer.delta),
    };
  }

  /** The pager: `Rm_client::pager` for a fault IPC of B at page `vpn`. */
  handleFault(thread: Thread, vpn: number, write: boolean): void {
    const lookupCycles = this.profile.core.regionLookup;
    let rm = this.root;
    let page = vpn; // fault page relative to rm
    let delta = 0; // B page = page + delta
    let lo = 0;
    let hi = rm.pages;
    for (;;) {
      this.clock.charge(Kind.core, lookupCycles);
      const a = rm.lookup(page);
      if (a === null) {
        this.regionMapFault(rm, thread, page, write);
        return;
      }
      lo = Math.max(lo, a.at + delta);
      hi = Math.min(hi, a.at + a.pages + delta);
      if (a.ds instanceof RegionMap) {
        delta += a.at - a.offset;
        page = page - a.at + a.offset;
        rm = a.ds;
        continue;
      }
      if (write && !a.writable) {
        this.regionMapFault(rm, thread, page, write);
        return;
      }
      // The largest aligned flexpage around the fault within [lo, hi) (Fault_area::constrain).
      let order = 0;
      while (order < this.profile.core.maxMapOrder) {
        const size = 2 ** (order + 1);
        const base = vpn - (vpn % size);
        if (base < lo || base + size > hi) break;
        order++;
      }
      const base = vpn - (vpn % 2 ** order);
      const frame = a.ds.frameBase + (base - delta - a.at + a.offset);
      this.pagerMaps++;
      this.kernel.replyMap(thread, base, 2 ** order, a.writable, frame);
      return;
    }
  }

  /** `Region_map_component::fault`: queue the faulter and signal the region map's fault handler. */
  private regionMapFault(rm: RegionMap, thread: Thread, page: number, write: boolean): void {
    if (rm === this.root || rm.faultHandler === null) {
      throw new ModelError(
        `unresolvable ${write ? 'write' : 'read'} fault at page ${page} of region map ${rm.id}: no fault handler`,
      );
    }
    this.regionMapFaults++;
    rm.enqueue({ thread, page, write });
    this.submit(rm.faultHandler);
  }

  /**
   * Submits a signal: core triggers the IRQ object of the receiver, A's signal
   * handler thread runs (B is blocked; one core), fetches the signal by RPC
   * and calls the handler.
   */
  submit(ctx: SignalContext): void {
    this.clock.charge(Kind.ipc, this.profile.kernel.irqTrigger);
    this.kernel.rpc(this.profile.core.signalWork, Kind.core);
    ctx.handler();
  }
}
