/**
 * Genode core, as base-foc 16.05 behaves (docs/design.md §2): the services
 * A uses to build and track B's memory, and B's pager, wired together. Each
 * service lives in the file named after Genode's own (repos/base/src/core):
 *
 * | service                                   | file                        |
 * |-------------------------------------------|-----------------------------|
 * | RAM dataspaces                            | ram-session-component.ts    |
 * | RM sessions (quota, region map creation)  | rm-session-component.ts     |
 * | region maps: attach, detach, state, fault | region-map-component.ts     |
 * | a region map's page lookup                | region-lookup.ts            |
 * | blocked faulters and their wake-up        | rm-faulter.ts               |
 * | the pager: B's fault path                 | pager.ts                    |
 * | signals, core's side and A's receiving    | signal-source-component.ts  |
 * | quota and metadata accounting             | quota.ts                    |
 * | A's address space: attach, fault, detach  | checkpointer-space.ts       |
 * | one region-map fault, counted             | fault-path.ts               |
 *
 * The fault path of a managed dataspace (fault-path.ts lists every IPC):
 * pager.ts `handleFault` → region-map-component.ts `fault` → rm-faulter.ts
 * (queue) → signal-source-component.ts `submit` → A's handler, whose
 * `attach` wakes the faulter (rm-faulter.ts `wakeIn`).
 *
 * `Core` is the one object strategies and the platform hold: its methods are
 * the RPCs and calls of those services, under the names Genode gives them.
 */
import type { Clock } from '../clock.ts';
import type { Kernel, Pager, Thread } from '../kernel.ts';
import type { CostProfile } from '../profile.ts';
import { Backing, CheckpointerSpace, type CheckpointerSpaceCounters } from './checkpointer-space.ts';
import { CorePager, type PagerCounters } from './pager.ts';
import { CoreAccount, type CoreMemory } from './quota.ts';
import { RamDataspaces } from './ram-session-component.ts';
import { type RegionMapCounters, RegionMaps } from './region-map-component.ts';
import { RmSessions } from './rm-session-component.ts';
import { Signals } from './signal-source-component.ts';
import { NONE } from './tables.ts';
import type {
  Attachment,
  CoreReservation,
  Dataspace,
  RamDataspace,
  RegionMap,
  RegionMapState,
  RmSession,
  SignalContext,
  SignalReceiver,
} from './types.ts';

/** Genode core: B's pager and the services A uses to build and track B's memory. */
export class Core implements Pager {
  /** B's address space as a region map (the PD's region map); not charged as metadata. */
  readonly root: RegionMap;
  /** What the pager counts, under the names results give them. */
  readonly pagerCounters: PagerCounters;
  /** What the region maps count, under the names results give them. */
  readonly regionMapCounters: RegionMapCounters;
  /** A's address space, where A attaches, reads and detaches B's RAM to copy it (checkpointer-space.ts). */
  readonly checkpointer: CheckpointerSpace;
  /** What A's address space counts, under the names results give them. */
  readonly checkpointerCounters: CheckpointerSpaceCounters;
  private readonly account: CoreAccount;
  private readonly ram: RamDataspaces;
  private readonly signals: Signals;
  private readonly maps: RegionMaps;
  private readonly sessions: RmSessions;
  private readonly pager: CorePager;

  constructor(
    readonly profile: CostProfile,
    clock: Clock,
    kernel: Kernel,
  ) {
    this.account = new CoreAccount(profile, kernel);
    this.ram = new RamDataspaces(profile, this.account);
    this.signals = new Signals(profile, clock, kernel);
    this.checkpointer = new CheckpointerSpace(profile, clock, kernel, this.ram);
    this.checkpointerCounters = this.checkpointer.counters;
    this.maps = new RegionMaps(
      profile,
      clock,
      kernel,
      this.account,
      this.ram,
      this.signals,
      this.checkpointer,
    );
    this.sessions = new RmSessions(profile, this.account, this.maps);
    this.pager = new CorePager(profile, clock, kernel, this.maps, this.ram);
    this.pagerCounters = this.pager.counters;
    this.regionMapCounters = this.maps.counters;
    this.root = this.maps.create(kernel.pages, NONE);
  }

  /** Quota and metadata of everything created so far (a copy). */
  memoryUse(): CoreMemory {
    return this.account.memoryUse();
  }

  /**
   * Makes room for `r` more objects of each kind at once, so creating them
   * neither copies the arrays nor leaves a doubling's slack. Host memory only:
   * nothing is charged.
   */
  reserve(r: CoreReservation): void {
    this.ram.grow(r.ramDataspaces ?? 0, true);
    this.maps.reserve(r.regionMaps ?? 0, r.regionMapPages ?? 0, r.attachments ?? 0);
    this.sessions.grow(r.rmSessions ?? 0, true);
    this.account.growSessions(r.rmSessions ?? 0, true);
    this.signals.grow(r.signalContexts ?? 0, true);
  }

  /** Opens an RM session (A donates its quota). */
  createRmSession(): RmSession {
    return this.sessions.create();
  }

  /** `Rm_session::create(size)`: a new region map of `session`, usable as a managed dataspace. */
  createRegionMap(session: RmSession, pages: number): RegionMap {
    return this.sessions.createRegionMap(session, pages);
  }

  /** Number of region maps `session` created. */
  regionMapsOf(session: RmSession): number {
    return this.sessions.regionMapsOf(session);
  }

  /**
   * `Ram_session::alloc`: a RAM dataspace of `pages` pages. `smallPages`
   * (issue 10, a model knob): core backs it with 4 KiB pages, so B's mappings
   * of it are 4 KiB entries, never superpages (ram-session-component.ts).
   */
  allocRam(pages: number, smallPages = false): RamDataspace {
    return this.ram.alloc(pages, smallPages);
  }

  /**
   * The RAM dataspace allocated `k` allocations after `ds` (RAM dataspaces are
   * numbered in allocation order), so a checkpointer that allocates a run of
   * them can keep the first instead of one handle each.
   * @throws ModelError when there is no such dataspace.
   */
  ramDataspaceAfter(ds: RamDataspace, k: number): RamDataspace {
    return this.ram.after(ds, k);
  }

  /** Size of a dataspace (RAM or managed) in pages. */
  pagesOf(ds: Dataspace): number {
    return this.maps.pagesOf(ds);
  }

  /** A signal receiver whose thread calls `handler(imprint)` for each signal it receives. */
  createSignalReceiver(handler: (imprint: number) => void): SignalReceiver {
    return this.signals.createReceiver(handler);
  }

  /** `Signal_receiver::manage`: a signal context of `receiver` carrying `imprint` (an int32). */
  createSignalContext(receiver: SignalReceiver, imprint: number): SignalContext {
    return this.signals.createContext(receiver, imprint);
  }

  /** Submits a signal to `ctx`'s receiver, whose handler runs at once (B is blocked; one core). */
  submit(ctx: SignalContext): void {
    this.signals.submit(ctx);
  }

  /** `Region_map::fault_handler`: the signal context submitted on a fault in `rm` (null: none). */
  setFaultHandler(rm: RegionMap, ctx: SignalContext | null): void {
    this.maps.setFaultHandler(rm, ctx);
  }

  /** The attachment of `rm` covering `page`, or null. */
  attachmentAt(rm: RegionMap, page: number): Attachment | null {
    return this.maps.attachmentAt(rm, page);
  }

  /** Faulters queued on `rm`. */
  queuedFaulters(rm: RegionMap): number {
    return this.maps.queuedFaulters(rm);
  }

  /**
   * `Region_map::attach` (an RPC): attaches `pages` pages of `ds` from page
   * `offset` at page `at` of `rm` (`pages` 0: the rest of the dataspace, as
   * Genode's size 0), and wakes every faulter the region covers.
   */
  attach(rm: RegionMap, ds: Dataspace, at: number, pages = 0, offset = 0, writable = true): Attachment {
    return this.maps.attach(rm, ds, at, pages, offset, writable);
  }

  /**
   * `Region_map::detach` (an RPC): removes the region starting at page `at`
   * and unmaps it from B, one `l4_task_unmap` per page, plus a cache operation.
   */
  detach(rm: RegionMap, at: number): void {
    this.maps.detach(rm, at);
  }

  /** `Region_map::state()` (an RPC): fills `out` with the first queued fault of `rm`, and returns it. */
  state(rm: RegionMap, out?: RegionMapState): RegionMapState {
    return this.maps.state(rm, out);
  }

  /**
   * Where B's page `vpn` is backed (its RAM dataspace, where B shows it, and
   * the allocation it belongs to): fills `out`, or returns false when nothing
   * is attached there. Uncharged: A keeps this in its own lists.
   */
  backingOf(vpn: number, out: Backing = new Backing()): boolean {
    return this.maps.backingOf(vpn, out);
  }

  /** The pager: `Rm_client::pager` for a fault IPC of B at page `vpn` (pager.ts). */
  handleFault(thread: Thread, vpn: number, write: boolean): void {
    this.pager.handleFault(thread, vpn, write);
  }
}
