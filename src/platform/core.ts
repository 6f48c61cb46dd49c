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
 * - A signal context carries an imprint, an integer its receiver gets back
 *   with each signal, so one handler serves many contexts: core's
 *   `Signal_source_component::wait_for_signal` returns the pending context's
 *   `imprint()` (signal_source_component.cc), and `Signal_receiver::manage`
 *   (base/signal.h) allocates each context with its own imprint.
 *
 * Bookkeeping (design §8): what the user sees as an object (a dataspace, a
 * region map, an attachment, an RM session, a signal context) is an integer
 * handle into flat, growable typed arrays, so host memory per emulated page
 * stays a few words. `reserve` sizes them ahead of a known number of objects.
 * A RAM dataspace handle is even and a region map handle odd, so an
 * attachment records either kind of dataspace in one word. Nothing on the
 * fault path allocates: `attach` takes positional arguments, `state()` fills
 * a caller's `RegionMapState`, and the faulter queue is a few typed arrays.
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

/** A RAM dataspace (`Ram_dataspace_capability`): physically contiguous frames. An even handle. */
export type RamDataspace = number & { readonly __brand: 'RamDataspace' };
/** A region map (Region_map_component); nested, it is a managed dataspace. An odd handle. */
export type RegionMap = number & { readonly __brand: 'RegionMap' };
/** Anything `attach` accepts: a RAM dataspace or a region map used as managed dataspace. */
export type Dataspace = RamDataspace | RegionMap;
/** A region of a region map, as `attach` created it (its slot is reused after `detach`). */
export type Attachment = number & { readonly __brand: 'Attachment' };
/** An RM session; since 16.05 it can create many region maps (managed dataspaces). */
export type RmSession = number & { readonly __brand: 'RmSession' };
/** A signal receiver: the handler function of A's signal handler thread. */
export type SignalReceiver = number & { readonly __brand: 'SignalReceiver' };
/** A Genode signal context: its receiver and its imprint. */
export type SignalContext = number & { readonly __brand: 'SignalContext' };

/** Whether `ds` is a region map (a managed dataspace) rather than a RAM dataspace. */
export function isRegionMap(ds: Dataspace): ds is RegionMap {
  return (ds & 1) === 1;
}

/** Fault state of a region map, as `Region_map::state()` returns it; `state()` fills one in place. */
export class RegionMapState {
  type: 'READY' | 'READ_FAULT' | 'WRITE_FAULT' = 'READY';
  /** Fault address in bytes, relative to the region map (0 when READY). */
  addr = 0;
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

/** Numbers of objects to make room for at once (`Core.reserve`); each counts on top of what exists. */
export interface CoreReservation {
  ramDataspaces?: number;
  regionMaps?: number;
  /** Pages of all those region maps together (each has a page → attachment table). */
  regionMapPages?: number;
  /** Attachments alive at the same time. */
  attachments?: number;
  rmSessions?: number;
  signalContexts?: number;
}

/**
 * A region map's page → attachment lookup is two-level: one top entry per
 * chunk of CHUNK pages holds 0 (nothing attached), attachment + 1 (one
 * attachment covers the whole chunk), or −(block + 1) for a block of CHUNK
 * per-page entries (attachment + 1, or 0). B's address space, with a few large
 * regions, then costs a word per 64 pages instead of one per page; a region
 * map of page-sized attachments costs what a flat table would. Genode keeps
 * regions in an AVL tree, O(regions); the host memory stays close to that.
 */
const CHUNK_SHIFT = 6;
const CHUNK = 1 << CHUNK_SHIFT;

/** Object indexes stay below this so a tagged dataspace handle and a writable bit share an int32. */
const MAX_OBJECTS = 2 ** 29;
const NONE = -1;

/** A copy of `a` with room for `capacity` elements. */
function resized<T extends Int32Array | Uint16Array | Uint8Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}

/** The capacity for `need` elements: exact when reserved, else doubling. */
function capacityFor(current: number, need: number, exact: boolean): number {
  if (need > MAX_OBJECTS) throw new ModelError(`core: more than ${MAX_OBJECTS} entries in one table`);
  return exact ? need : Math.min(MAX_OBJECTS, Math.max(need, current * 2));
}

/** The pager's event counters, named as `metrics.counters` names them in results. */
export class PagerCounters {
  /** Faults core's pager answered with a mapping. */
  pagerMaps = 0;
  /** Faults core reflected to a region map's fault handler. */
  regionMapFaults = 0;
}

/** The region maps' event counters, named as `metrics.counters` names them in results. */
export class RegionMapCounters {
  /** `Region_map::attach` RPCs. */
  attaches = 0;
  /** `Region_map::detach` RPCs. */
  detaches = 0;
  /** `Region_map::state` RPCs. */
  stateCalls = 0;
}

/** Genode core: B's pager and the services A uses to build and track B's memory. */
export class Core implements Pager {
  /** B's address space as a region map (the PD's region map); not charged as metadata. */
  readonly root: RegionMap;
  private readonly memory: CoreMemory = { quotaBytes: 0, metadataBytes: 0, byKind: {} };

  // RAM dataspaces. Core never frees one, so dataspace d owns frames
  // [ramFrame[d], ramFrame[d + 1]); ramFrame[ramCount] is the next free frame.
  private ramCount = 0;
  private ramFrame = new Int32Array(17);

  // Region maps (never destroyed). Region map r has rmPages[r] pages; its
  // top-level entries (see CHUNK) are top[rmTop[r], rmTop[r + 1]).
  private rmCount = 0;
  private rmPages = new Int32Array(16);
  private rmTop = new Int32Array(17);
  /** The attachment showing the region map as a managed dataspace, or NONE (at most one in this model). */
  private rmParent = new Int32Array(16);
  /** The region map holding that attachment. */
  private rmParentRm = new Int32Array(16);
  /** The signal context submitted on a fault (`fault_handler()`), or NONE. */
  private rmFaultHandler = new Int32Array(16);
  private top = new Int32Array(16);
  /** Blocks of CHUNK per-page entries; a free block's first entry links the next free one. */
  private blocks = new Int32Array(4 * CHUNK);
  private blockCount = 0;
  private blockFree = NONE;

  // Attachments, by slot. A free slot has attDs NONE and attAt the next free slot.
  private attSlots = 0;
  private attFree = NONE;
  private attAt = new Int32Array(16);
  private attPages = new Int32Array(16);
  private attOffset = new Int32Array(16);
  /** The dataspace handle × 2 + 1 if writable. */
  private attDs = new Int32Array(16);

  // RM sessions: how many region maps each created.
  private sessionCount = 0;
  private sessionRegionMaps = new Int32Array(16);

  // Signal receivers (handler functions) and contexts.
  private readonly receivers: ((imprint: number) => void)[] = [];
  private ctxCount = 0;
  private ctxReceiver = new Uint16Array(16);
  private ctxImprint = new Int32Array(16);

  // Blocked faulters in arrival order, of all region maps (B has one thread, so it stays short).
  private faulters = 0;
  private faulterRm = new Int32Array(4);
  private faulterPage = new Int32Array(4);
  private faulterWrite = new Uint8Array(4);
  private readonly faulterThread: Thread[] = [];

  // Scratch result of `place`.
  private placeDelta = 0;
  private placeLo = 0;
  private placeHi = 0;

  /** What the pager counts, under the names results give them. */
  readonly pagerCounters = new PagerCounters();
  /** What the region maps count, under the names results give them. */
  readonly regionMapCounters = new RegionMapCounters();

  constructor(
    readonly profile: CostProfile,
    private readonly clock: Clock,
    private readonly kernel: Kernel,
  ) {
    this.root = this.newRegionMap(kernel.space.pages, false);
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

  /**
   * Makes room for `r` more objects of each kind at once, so creating them
   * neither copies the arrays nor leaves a doubling's slack. Host memory only:
   * nothing is charged.
   */
  reserve(r: CoreReservation): void {
    this.growRam(r.ramDataspaces ?? 0, true);
    this.growRegionMaps(r.regionMaps ?? 0, true);
    // Room for every chunk, as top entries and as blocks; untouched capacity
    // costs address space, not resident memory.
    const chunks = Math.ceil((r.regionMapPages ?? 0) / CHUNK) + (r.regionMaps ?? 0);
    this.growTop(chunks, true);
    this.growBlocks(chunks, true);
    this.growAttachments(r.attachments ?? 0, true);
    this.growSessions(r.rmSessions ?? 0, true);
    this.growContexts(r.signalContexts ?? 0, true);
  }

  private growRam(extra: number, exact: boolean): void {
    const need = this.ramCount + extra + 1;
    if (need <= this.ramFrame.length) return;
    this.ramFrame = resized(this.ramFrame, capacityFor(this.ramFrame.length, need, exact));
  }

  private growRegionMaps(extra: number, exact: boolean): void {
    const need = this.rmCount + extra;
    if (need <= this.rmParent.length) return;
    const n = capacityFor(this.rmParent.length, need, exact);
    this.rmTop = resized(this.rmTop, n + 1);
    this.rmPages = resized(this.rmPages, n);
    this.rmParent = resized(this.rmParent, n);
    this.rmParentRm = resized(this.rmParentRm, n);
    this.rmFaultHandler = resized(this.rmFaultHandler, n);
  }

  private growTop(extra: number, exact: boolean): void {
    const need = this.rmTop[this.rmCount]! + extra;
    if (need <= this.top.length) return;
    this.top = resized(this.top, capacityFor(this.top.length, need, exact));
  }

  private growBlocks(extra: number, exact: boolean): void {
    const need = (this.blockCount + extra) * CHUNK;
    if (need <= this.blocks.length) return;
    this.blocks = resized(this.blocks, capacityFor(this.blocks.length, need, exact));
  }

  /** Attachment + 1 at `page` of region map `r`, or 0. */
  private slotAt(r: number, page: number): number {
    const t = this.top[this.rmTop[r]! + (page >> CHUNK_SHIFT)]!;
    return t >= 0 ? t : this.blocks[((-t - 1) << CHUNK_SHIFT) + (page & (CHUNK - 1))]!;
  }

  /** The first page in [from, to) of region map `r` something is attached at, or −1. */
  private firstAttached(r: number, from: number, to: number): number {
    const base = this.rmTop[r]!;
    for (let c = from >> CHUNK_SHIFT; c << CHUNK_SHIFT < to; c++) {
      const lo = Math.max(from, c << CHUNK_SHIFT);
      const t = this.top[base + c]!;
      if (t > 0) return lo;
      if (t === 0) continue;
      const b = (-t - 1) << CHUNK_SHIFT;
      const hi = Math.min(to, (c + 1) << CHUNK_SHIFT);
      for (let p = lo; p < hi; p++) if (this.blocks[b + (p & (CHUNK - 1))] !== 0) return p;
    }
    return -1;
  }

  /** Sets pages [from, to) of region map `r` to `value` (attachment + 1, or 0). */
  private setRange(r: number, from: number, to: number, value: number): void {
    const base = this.rmTop[r]!;
    const pages = this.rmPages[r]!;
    for (let c = from >> CHUNK_SHIFT; c << CHUNK_SHIFT < to; c++) {
      const start = c << CHUNK_SHIFT;
      const end = Math.min(start + CHUNK, pages);
      const lo = Math.max(from, start);
      const hi = Math.min(to, end);
      const t = this.top[base + c]!;
      if (lo === start && hi === end) {
        // The whole chunk: one top entry, and its block (if any) is free again.
        if (t < 0) {
          this.blocks[(-t - 1) << CHUNK_SHIFT] = this.blockFree;
          this.blockFree = -t - 1;
        }
        this.top[base + c] = value;
        continue;
      }
      if (t === value) continue;
      let b = -t - 1;
      if (t >= 0) {
        // Part of a uniform chunk changes: it needs a block, filled with what the chunk held.
        if (this.blockFree !== NONE) {
          b = this.blockFree;
          this.blockFree = this.blocks[b << CHUNK_SHIFT]!;
        } else {
          this.growBlocks(1, false);
          b = this.blockCount++;
        }
        this.blocks.fill(t, b << CHUNK_SHIFT, (b + 1) << CHUNK_SHIFT);
        this.top[base + c] = -(b + 1);
      }
      this.blocks.fill(value, (b << CHUNK_SHIFT) + lo - start, (b << CHUNK_SHIFT) + hi - start);
    }
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

  private growSessions(extra: number, exact: boolean): void {
    const need = this.sessionCount + extra;
    if (need <= this.sessionRegionMaps.length) return;
    this.sessionRegionMaps = resized(
      this.sessionRegionMaps,
      capacityFor(this.sessionRegionMaps.length, need, exact),
    );
  }

  private growContexts(extra: number, exact: boolean): void {
    const need = this.ctxCount + extra;
    if (need <= this.ctxImprint.length) return;
    const n = capacityFor(this.ctxImprint.length, need, exact);
    this.ctxReceiver = resized(this.ctxReceiver, n);
    this.ctxImprint = resized(this.ctxImprint, n);
  }

  /** Region map index of `rm`. @throws ModelError for anything but a region map of this core. */
  private rmIndex(rm: RegionMap): number {
    const r = rm >> 1;
    if ((rm & 1) !== 1 || r < 0 || r >= this.rmCount) throw new ModelError(`no region map ${rm}`);
    return r;
  }

  private newRegionMap(pages: number, charged: boolean): RegionMap {
    if (!Number.isInteger(pages) || pages < 1) throw new ModelError(`region map of ${pages} pages`);
    this.growRegionMaps(1, false);
    const chunks = Math.ceil(pages / CHUNK);
    this.growTop(chunks, false);
    const r = this.rmCount++;
    this.rmPages[r] = pages;
    this.rmTop[r + 1] = this.rmTop[r]! + chunks;
    this.rmParent[r] = NONE;
    this.rmParentRm[r] = NONE;
    this.rmFaultHandler[r] = NONE;
    if (charged) this.account('region-map-metadata', this.profile.memory.regionMapMetadataBytes, false);
    return (r * 2 + 1) as RegionMap;
  }

  /** Opens an RM session (A donates its quota). */
  createRmSession(): RmSession {
    this.account('rm-session-quota', this.profile.memory.rmSessionQuotaBytes, true);
    this.growSessions(1, false);
    const s = this.sessionCount++;
    this.sessionRegionMaps[s] = 0;
    return s as RmSession;
  }

  /** `Rm_session::create(size)`: a new region map of `session`, usable as a managed dataspace. */
  createRegionMap(session: RmSession, pages: number): RegionMap {
    if (!Number.isInteger(session) || session < 0 || session >= this.sessionCount)
      throw new ModelError(`no RM session ${session}`);
    if (this.profile.capabilities.rmSessionPerManagedDataspace && this.sessionRegionMaps[session]! > 0) {
      throw new ModelError(
        `RM session ${session} already has a region map; profile ${this.profile.name} needs one RM session per managed dataspace`,
      );
    }
    const rm = this.newRegionMap(pages, true);
    this.sessionRegionMaps[session] = this.sessionRegionMaps[session]! + 1;
    return rm;
  }

  /** Number of region maps `session` created. */
  regionMapsOf(session: RmSession): number {
    return this.sessionRegionMaps[session] ?? 0;
  }

  /** `Ram_session::alloc`: a RAM dataspace of `pages` pages. */
  allocRam(pages: number): RamDataspace {
    if (!Number.isInteger(pages) || pages < 1) throw new ModelError(`RAM dataspace of ${pages} pages`);
    const next = this.ramFrame[this.ramCount]! + pages;
    if (next > 0x7fff_ffff) throw new ModelError(`RAM dataspace of ${pages} pages: out of frames`);
    this.account('dataspace-metadata', this.profile.memory.dataspaceMetadataBytes, false);
    this.growRam(1, false);
    const d = this.ramCount++;
    this.ramFrame[d + 1] = next;
    return (d * 2) as RamDataspace;
  }

  /**
   * The RAM dataspace allocated `k` allocations after `ds` (RAM dataspaces are
   * numbered in allocation order), so a checkpointer that allocates a run of
   * them can keep the first instead of one handle each.
   * @throws ModelError when there is no such dataspace.
   */
  ramDataspaceAfter(ds: RamDataspace, k: number): RamDataspace {
    const d = (ds >> 1) + k;
    if ((ds & 1) !== 0 || !Number.isInteger(k) || d < 0 || d >= this.ramCount)
      throw new ModelError(`no RAM dataspace ${k} after ${ds}`);
    return (d * 2) as RamDataspace;
  }

  /** Size of a dataspace (RAM or managed) in pages. */
  pagesOf(ds: Dataspace): number {
    if (isRegionMap(ds)) {
      const r = this.rmIndex(ds);
      return this.rmPages[r]!;
    }
    const d = ds >> 1;
    if ((ds & 1) !== 0 || d < 0 || d >= this.ramCount) throw new ModelError(`no RAM dataspace ${ds}`);
    return this.ramFrame[d + 1]! - this.ramFrame[d]!;
  }

  /** A signal receiver whose thread calls `handler(imprint)` for each signal it receives. */
  createSignalReceiver(handler: (imprint: number) => void): SignalReceiver {
    if (this.receivers.length > 0xffff) throw new ModelError('core: too many signal receivers');
    this.receivers.push(handler);
    return (this.receivers.length - 1) as SignalReceiver;
  }

  /** `Signal_receiver::manage`: a signal context of `receiver` carrying `imprint` (an int32). */
  createSignalContext(receiver: SignalReceiver, imprint: number): SignalContext {
    if (!Number.isInteger(receiver) || receiver < 0 || receiver >= this.receivers.length)
      throw new ModelError(`no signal receiver ${receiver}`);
    if ((imprint | 0) !== imprint) throw new ModelError(`signal imprint ${imprint} is not an int32`);
    this.growContexts(1, false);
    const c = this.ctxCount++;
    this.ctxReceiver[c] = receiver;
    this.ctxImprint[c] = imprint;
    return c as SignalContext;
  }

  /** `Region_map::fault_handler`: the signal context submitted on a fault in `rm` (null: none). */
  setFaultHandler(rm: RegionMap, ctx: SignalContext | null): void {
    const r = this.rmIndex(rm);
    if (ctx !== null && (!Number.isInteger(ctx) || ctx < 0 || ctx >= this.ctxCount))
      throw new ModelError(`no signal context ${ctx}`);
    this.rmFaultHandler[r] = ctx ?? NONE;
  }

  /** The attachment of `rm` covering `page`, or null. */
  attachmentAt(rm: RegionMap, page: number): Attachment | null {
    const r = this.rmIndex(rm);
    if (!Number.isInteger(page) || page < 0 || page >= this.rmPages[r]!) return null;
    const s = this.slotAt(r, page);
    return s === 0 ? null : ((s - 1) as Attachment);
  }

  /** Faulters queued on `rm`. */
  queuedFaulters(rm: RegionMap): number {
    const r = this.rmIndex(rm);
    let n = 0;
    for (let i = 0; i < this.faulters; i++) if (this.faulterRm[i] === r) n++;
    return n;
  }

  /**
   * `Region_map::attach` (an RPC): attaches `pages` pages of `ds` from page
   * `offset` at page `at` of `rm` (`pages` 0: the rest of the dataspace, as
   * Genode's size 0), and wakes every faulter the region covers.
   */
  attach(rm: RegionMap, ds: Dataspace, at: number, pages = 0, offset = 0, writable = true): Attachment {
    const r = this.rmIndex(rm);
    const dsPages = this.pagesOf(ds);
    const n = pages === 0 ? dsPages - offset : pages;
    if (offset < 0 || offset + n > dsPages) {
      throw new ModelError(`attach: pages [${offset}, ${offset + n}) exceed dataspace of ${dsPages} pages`);
    }
    if (isRegionMap(ds)) {
      const inner = ds >> 1;
      if (this.rmParent[inner] !== NONE) {
        throw new ModelError(
          `attach: managed dataspace ${inner} is already attached (the model allows one attachment)`,
        );
      }
      for (let up = r; up !== NONE; up = this.rmParentRm[up]!) {
        if (up === inner) throw new ModelError(`attach: region map ${inner} would contain itself`);
      }
    }
    this.kernel.rpc(this.profile.core.attachWork, Kind.core);
    const rmPages = this.rmPages[r]!;
    if (at < 0 || n < 1 || at + n > rmPages || !Number.isInteger(at)) {
      throw new ModelError(`attach: region [${at}, ${at + n}) outside region map ${r} of ${rmPages} pages`);
    }
    const conflict = this.firstAttached(r, at, at + n);
    if (conflict >= 0) throw new ModelError(`attach: region conflict at page ${conflict} of region map ${r}`);
    if (this.attFree === NONE) this.growAttachments(1, false);
    let a = this.attFree;
    if (a !== NONE) this.attFree = this.attAt[a]!;
    else a = this.attSlots++;
    this.attAt[a] = at;
    this.attPages[a] = n;
    this.attOffset[a] = offset;
    this.attDs[a] = ds * 2 + (writable ? 1 : 0);
    this.setRange(r, at, at + n, a + 1);
    if (isRegionMap(ds)) {
      this.rmParent[ds >> 1] = a;
      this.rmParentRm[ds >> 1] = r;
    }
    this.account('attachment-metadata', this.profile.memory.attachmentMetadataBytes, false);
    this.regionMapCounters.attaches++;
    this.wakeFaultersIn(r, at, n);
    return a as Attachment;
  }

  /** Wakes, in arrival order, the faulters of region map `r` whose fault page lies in [at, at + pages). */
  private wakeFaultersIn(r: number, at: number, pages: number): void {
    let kept = 0;
    for (let i = 0; i < this.faulters; i++) {
      const page = this.faulterPage[i]!;
      if (this.faulterRm[i] === r && page >= at && page < at + pages) {
        this.kernel.wakeUp(this.faulterThread[i]!);
        continue;
      }
      this.faulterRm[kept] = this.faulterRm[i]!;
      this.faulterPage[kept] = page;
      this.faulterWrite[kept] = this.faulterWrite[i]!;
      this.faulterThread[kept] = this.faulterThread[i]!;
      kept++;
    }
    this.faulters = kept;
  }

  /**
   * `Region_map::detach` (an RPC): removes the region starting at page `at`
   * and unmaps it from B, one `l4_task_unmap` per page, plus a cache operation.
   */
  detach(rm: RegionMap, at: number): void {
    const r = this.rmIndex(rm);
    this.kernel.rpc(this.profile.core.detachWork, Kind.core);
    const s = Number.isInteger(at) && at >= 0 && at < this.rmPages[r]! ? this.slotAt(r, at) : 0;
    const a = s - 1;
    if (s === 0 || this.attAt[a] !== at)
      throw new ModelError(`detach: no region starts at page ${at} of region map ${r}`);
    const pages = this.attPages[a]!;
    const ds = this.attDs[a]! >> 1;
    this.setRange(r, at, at + pages, 0);
    this.attDs[a] = NONE;
    this.attAt[a] = this.attFree;
    this.attFree = a;
    this.account('attachment-metadata', -this.profile.memory.attachmentMetadataBytes, false);
    if ((ds & 1) === 1) {
      this.rmParent[ds >> 1] = NONE;
      this.rmParentRm[ds >> 1] = NONE;
    }
    this.regionMapCounters.detaches++;
    if (this.place(r)) {
      const lo = Math.max(at + this.placeDelta, this.placeLo);
      const hi = Math.min(at + pages + this.placeDelta, this.placeHi);
      for (let vpn = lo; vpn < hi; vpn++) this.kernel.unmap(vpn, 0, Revoke.all);
    }
    this.clock.charge(Kind.kernel, this.profile.core.cacheOp);
  }

  /** `Region_map::state()` (an RPC): fills `out` with the first queued fault of `rm`, and returns it. */
  state(rm: RegionMap, out: RegionMapState = new RegionMapState()): RegionMapState {
    const r = this.rmIndex(rm);
    this.kernel.rpc(this.profile.core.stateWork, Kind.core);
    this.regionMapCounters.stateCalls++;
    out.type = 'READY';
    out.addr = 0;
    for (let i = 0; i < this.faulters; i++) {
      if (this.faulterRm[i] !== r) continue;
      out.type = this.faulterWrite[i] === 1 ? 'WRITE_FAULT' : 'READ_FAULT';
      out.addr = this.faulterPage[i]! * PAGE_SIZE;
      break;
    }
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
      this.placeHi = this.rmPages[0]!;
      return true;
    }
    const a = this.rmParent[r]!;
    if (a === NONE || !this.place(this.rmParentRm[r]!)) return false;
    const outer = this.placeDelta;
    const at = this.attAt[a]!;
    this.placeLo = Math.max(this.placeLo, at + outer);
    this.placeHi = Math.min(this.placeHi, at + this.attPages[a]! + outer);
    this.placeDelta = outer + at - this.attOffset[a]!;
    return true;
  }

  /** The pager: `Rm_client::pager` for a fault IPC of B at page `vpn`. */
  handleFault(thread: Thread, vpn: number, write: boolean): void {
    const lookupCycles = this.profile.core.regionLookup;
    let r = 0; // the region map walked, B's address space first
    let page = vpn; // fault page relative to r
    let delta = 0; // B page = page + delta
    let lo = 0;
    let hi = this.rmPages[0]!;
    for (;;) {
      this.clock.charge(Kind.core, lookupCycles);
      const s = this.slotAt(r, page);
      if (s === 0) {
        this.regionMapFault(r, thread, page, write);
        return;
      }
      const a = s - 1;
      const at = this.attAt[a]!;
      const offset = this.attOffset[a]!;
      const dsw = this.attDs[a]!;
      const ds = dsw >> 1;
      lo = Math.max(lo, at + delta);
      hi = Math.min(hi, at + this.attPages[a]! + delta);
      if ((ds & 1) === 1) {
        delta += at - offset;
        page = page - at + offset;
        r = ds >> 1;
        continue;
      }
      const writable = (dsw & 1) === 1;
      if (write && !writable) {
        this.regionMapFault(r, thread, page, write);
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
      const frame = this.ramFrame[ds >> 1]! + (base - delta - at + offset);
      this.pagerCounters.pagerMaps++;
      this.kernel.replyMap(thread, base, 2 ** order, writable, frame);
      return;
    }
  }

  /** `Region_map_component::fault`: queue the faulter and signal the region map's fault handler. */
  private regionMapFault(r: number, thread: Thread, page: number, write: boolean): void {
    const ctx = this.rmFaultHandler[r]!;
    if (r === 0 || ctx === NONE) {
      throw new ModelError(
        `unresolvable ${write ? 'write' : 'read'} fault at page ${page} of region map ${r}: no fault handler`,
      );
    }
    this.pagerCounters.regionMapFaults++;
    const i = this.faulters;
    if (i === this.faulterRm.length) {
      this.faulterRm = resized(this.faulterRm, 2 * i);
      this.faulterPage = resized(this.faulterPage, 2 * i);
      this.faulterWrite = resized(this.faulterWrite, 2 * i);
    }
    this.faulterRm[i] = r;
    this.faulterPage[i] = page;
    this.faulterWrite[i] = write ? 1 : 0;
    this.faulterThread[i] = thread;
    this.faulters = i + 1;
    this.submit(ctx as SignalContext);
  }

  /**
   * Submits a signal: core triggers the IRQ object of the receiver, A's signal
   * handler thread runs (B is blocked; one core), fetches the signal by RPC
   * and calls the handler with the context's imprint.
   */
  submit(ctx: SignalContext): void {
    this.clock.charge(Kind.ipc, this.profile.kernel.irqTrigger);
    this.kernel.rpc(this.profile.core.signalWork, Kind.core);
    this.receivers[this.ctxReceiver[ctx]!]!(this.ctxImprint[ctx]!);
  }
}
