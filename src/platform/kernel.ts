/**
 * The Fiasco.OC-like kernel (docs/design.md §2): page-fault delivery to a pager by
 * fault IPC, map, flexpage unmap that can revoke write only and, where the
 * platform reports hardware dirty bits, returns and clears the A/D status of
 * the pages; thread block and wake-up; and the two tracking extensions the
 * thesis studies (write-fault notification to a tracker, and an in-kernel
 * dirty log). Every operation charges its cost from the profile.
 *
 * Sources: Fiasco.OC `Task::sys_unmap` → `Mem_space::v_delete`, whose ia32
 * variant returns `access_flags()` (RW if dirty, R if referenced) and clears
 * them atomically (src/kern/ia32/paging-ia32.cpp); the ARM variant returns 0
 * (src/kern/arm/paging-arm.cpp). `Unmap_flags` (map_util.cpp) lets an unmap
 * revoke W only, which downgrades the mapping to read-only.
 */
import { Actor, type ActorId, type Clock } from './clock.ts';
import { invalidationCycles, rpcCycles } from './costs.ts';
import { ModelError, requireCapability } from './errors.ts';
import {
  type AddressSpace,
  type FaultSink,
  type Mmu,
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_PRESENT,
  PTE_TRACKED,
  PTE_WRITABLE,
} from './mmu.ts';
import type { CostProfile } from './profile.ts';

/** What an unmap withdraws from each page of the flexpage. */
export const Revoke = {
  /** Nothing: only read (and, with hardware dirty bits, reset) the A/D status. */
  none: 0,
  /** Write permission only: the mapping stays, read-only. */
  write: 1,
  /** The whole mapping. */
  all: 2,
} as const;
export type RevokeMode = (typeof Revoke)[keyof typeof Revoke];

/** A thread of B; blocked while a fault IPC waits for the pager's reply. */
export class Thread {
  /** True while the thread waits for a fault to be resolved. */
  blocked = false;
  constructor(readonly name: string) {}
}

/** Whoever answers B's fault IPCs: Genode core's pager. */
export interface Pager {
  /**
   * Handles a fault IPC from `thread`. Either replies with a mapping
   * (`Kernel.replyMap`), or leaves the thread blocked and arranges for a later
   * `Kernel.wakeUp` (a region-map fault resolved by a user-level handler).
   */
  handleFault(thread: Thread, vpn: number, write: boolean): void;
}

/** How the kernel handles a write to a page write-protected for tracking. */
export const TrackingMode = { off: 0, notify: 1, log: 2 } as const;
export type TrackingModeId = (typeof TrackingMode)[keyof typeof TrackingMode];

/** Calls `fn(vpn, order)` for the aligned power-of-two flexpages covering [start, end), each of order ≤ maxOrder. */
export function forEachFlexpage(
  start: number,
  end: number,
  maxOrder: number,
  fn: (vpn: number, order: number) => void,
): void {
  let v = start;
  while (v < end) {
    let order = 0;
    while (order < maxOrder && v % (1 << (order + 1)) === 0 && v + (1 << (order + 1)) <= end) order++;
    fn(v, order);
    v += 1 << order;
  }
}

/** Number of flexpages `forEachFlexpage` yields for [start, end). */
export function countFlexpages(start: number, end: number, maxOrder: number): number {
  let n = 0;
  forEachFlexpage(start, end, maxOrder, () => {
    n++;
  });
  return n;
}

/** The kernel's event counters, named as `metrics.counters` names them in results. */
export class KernelCounters {
  /** Write-fault notifications to a tracker (kernel extension). */
  notifications = 0;
  /** Pages logged by the in-kernel dirty log (kernel extension). */
  logAppends = 0;
  /** l4_task_unmap syscalls. */
  unmapCalls = 0;
  /** Page-table entries installed by map. */
  pagesMapped = 0;
}

export class Kernel implements FaultSink {
  /** B's only thread (the model runs B single-threaded). */
  readonly thread = new Thread('B');
  /** Core's pager; wired by the platform. */
  pager: Pager | null = null;
  /** Tracking extension mode and, for `notify`, the tracker's handler (A). */
  private trackingMode: TrackingModeId = TrackingMode.off;
  private notifyHandler: ((vpn: number) => void) | null = null;
  /** The in-kernel dirty log of the `log` extension: one byte per page. */
  private log: Uint8Array | null = null;
  /**
   * Scratch list of the pages whose page-table entries one operation changed,
   * up to one past the profile's full-flush threshold: past it the TLB is
   * flushed whole, and which pages changed no longer matters (allocated on
   * first use).
   */
  private changedPages: Int32Array | null = null;

  /**
   * Fault injection for tests: when true, the kernel forgets to invalidate the
   * TLB after changing page-table entries. Never set in a real run.
   */
  debugSkipTlbInvalidation = false;

  /** What the kernel counts, under the names results give them. */
  readonly counters = new KernelCounters();

  /** Pages of B's address space. */
  readonly pages: number;

  constructor(
    readonly profile: CostProfile,
    private readonly clock: Clock,
    private readonly mmu: Mmu,
    /** B's page table, which only the kernel (and the MMU) touch. */
    private readonly space: AddressSpace,
  ) {
    this.pages = space.pages;
  }

  private get changed(): Int32Array {
    this.changedPages ??= new Int32Array(
      Math.min(this.space.pages, this.profile.mmu.tlbFlushThresholdPages + 1),
    );
    return this.changedPages;
  }

  /** One one-way IPC (a fault IPC, a reply, a wake-up, a notification). */
  ipc(): void {
    this.clock.charge(Actor.ipc, this.profile.kernel.ipcOneWay);
  }

  /** A Genode RPC: call + reply IPCs, and the server's work charged to `actor`. */
  rpc(serverWork: number, actor: ActorId): void {
    this.clock.charge(Actor.ipc, rpcCycles(this.profile, 0));
    this.clock.charge(actor, serverWork);
  }

  /** Page-fault exception of B (called by the MMU). */
  pageFault(vpn: number, write: boolean): void {
    const k = this.profile.kernel;
    this.clock.charge(Actor.kernel, k.pageFaultTrap);
    const e = this.space.flags(vpn);
    if (write && (e & (PTE_PRESENT | PTE_TRACKED)) === (PTE_PRESENT | PTE_TRACKED)) {
      this.trackedWriteFault(vpn, e);
      return;
    }
    const t = this.thread;
    if (this.pager === null) throw new ModelError(`page fault at page ${vpn} but B has no pager`);
    t.blocked = true;
    this.ipc(); // the fault IPC to the pager
    this.pager.handleFault(t, vpn, write);
    if (t.blocked) {
      throw new ModelError(
        `B blocked forever: ${write ? 'write' : 'read'} fault at page ${vpn} was neither mapped nor woken up`,
      );
    }
  }

  /** The tracking extension's path for a write to a page it write-protected. */
  private trackedWriteFault(vpn: number, e: number): void {
    const k = this.profile.kernel;
    if (this.trackingMode === TrackingMode.notify) {
      this.counters.notifications++;
      this.ipc(); // notification to the tracker thread of A
      this.notifyHandler!(vpn);
      this.ipc(); // A's reply; the kernel re-enables write and resumes B
      this.clock.charge(Actor.kernel, k.mapPerPage);
    } else if (this.trackingMode === TrackingMode.log) {
      this.counters.logAppends++;
      this.log![vpn] = 1;
      this.clock.charge(Actor.kernel, k.logAppend);
    } else {
      throw new ModelError(`page ${vpn} is write-protected for tracking but no tracking mode is active`);
    }
    this.space.setFlags(vpn, (e | PTE_WRITABLE) & ~PTE_TRACKED);
  }

  /**
   * The pager's reply carrying a mapping of `count` pages from `vpn` backed by
   * frames `frame`…: installs (or upgrades) the page-table entries and resumes
   * the faulter. A fresh entry starts with A and D clear.
   */
  replyMap(thread: Thread, vpn: number, count: number, writable: boolean, frame: number): void {
    this.ipc();
    this.map(vpn, count, writable, frame);
    thread.blocked = false;
  }

  /** Installs `count` page-table entries (the kernel side of a map). */
  map(vpn: number, count: number, writable: boolean, frame: number): void {
    const space = this.space;
    const frames = space.frame;
    for (let i = 0; i < count; i++) {
      const p = vpn + i;
      const e = space.flags(p);
      if ((e & PTE_PRESENT) !== 0 && frames[p] === frame + i) {
        // Already mapped: a map only adds rights (Fiasco maps never downgrade).
        if (writable) space.setFlags(p, (e | PTE_WRITABLE) & ~PTE_TRACKED);
      } else {
        // Issue 11 (h/core-fid): a new mapping installed while a tracking
        // extension is on starts write-protected for tracking, so B's first
        // write to it is tracked. With --copy-via=attach, A's detach unmaps
        // B's pages (Rm_client::unmap revokes from every space) and B maps
        // them anew through its pager after a checkpoint.
        const w = writable ? (this.trackingMode === TrackingMode.off ? PTE_WRITABLE : PTE_TRACKED) : 0;
        space.setFlags(p, PTE_PRESENT | w);
        frames[p] = frame + i;
      }
    }
    this.counters.pagesMapped += count;
    this.clock.charge(Actor.kernel, count * this.profile.kernel.mapPerPage);
  }

  /** Resumes a blocked faulter without a mapping (core's wake-up IPC); it will fault again. */
  wakeUp(thread: Thread): void {
    this.ipc();
    thread.blocked = false;
  }

  /**
   * `l4_task_unmap` of one flexpage [vpn, vpn + 2^order) of B: withdraws
   * `revoke` from every present page. Where the profile has
   * `hardwareDirtyBits`, every unmap also returns and clears the A/D status;
   * the dirty pages are appended to `dirtyOut` from `dirtyAt` when given, and
   * their number is returned (0 on platforms without the capability).
   * Invalidates the TLB for every changed entry (a full flush past the
   * profile's threshold).
   */
  unmap(
    vpn: number,
    order: number,
    revoke: RevokeMode,
    dirtyOut: Int32Array | null = null,
    dirtyAt = 0,
  ): number {
    const size = 2 ** order;
    if (!Number.isInteger(order) || order < 0 || vpn % size !== 0) {
      throw new ModelError(`unmap: flexpage at page ${vpn} of order ${order} is not aligned`);
    }
    const k = this.profile.kernel;
    const reportStatus = this.profile.capabilities.hardwareDirtyBits;
    const space = this.space;
    const end = Math.min(vpn + size, space.pages);
    let present = 0;
    let changed = 0;
    const list = this.changed;
    let dirty = 0;
    // Masks and bits as locals, out of the per-page loop (V8 re-checks module
    // bindings on every use in a loop): status read-and-clear, then the revoke.
    const keep =
      (reportStatus ? ~(PTE_DIRTY | PTE_ACCESSED) : -1) &
      (revoke === Revoke.all ? 0 : revoke === Revoke.write ? ~(PTE_WRITABLE | PTE_TRACKED) : -1);
    const presentBit = PTE_PRESENT;
    const dirtyBit = reportStatus ? PTE_DIRTY : 0;
    for (let p = vpn; p < end; p++) {
      const e = space.flags(p);
      if ((e & presentBit) === 0) continue;
      present++;
      if ((e & dirtyBit) !== 0) {
        if (dirtyOut !== null) dirtyOut[dirtyAt + dirty] = p;
        dirty++;
      }
      const n = e & keep;
      if (n !== e) {
        space.setFlags(p, n);
        if (changed < list.length) list[changed] = p;
        changed++;
      }
    }
    this.counters.unmapCalls++;
    this.clock.charge(Actor.kernel, k.syscall + present * k.unmapPerPage);
    this.invalidate(changed);
    return dirty;
  }

  /** Invalidates the TLB entries of the first `count` pages of the scratch list, charging the cost. */
  private invalidate(count: number): void {
    if (count === 0 || this.debugSkipTlbInvalidation) return;
    this.clock.charge(Actor.kernel, invalidationCycles(this.profile, count));
    if (count > this.profile.mmu.tlbFlushThresholdPages) {
      this.mmu.flushAll();
    } else {
      const list = this.changed;
      for (let i = 0; i < count; i++) this.mmu.invalidatePage(list[i]!);
    }
  }

  /**
   * Switches on a tracking extension. `notify` delivers each first write to a
   * write-protected page to `handler` (the tracker thread of A) by IPC and
   * resumes B after A's reply; `log` records the page in the kernel's log and
   * resumes B directly.
   * @throws CapabilityError when the profile lacks the extension.
   */
  enableTracking(mode: TrackingModeId, handler: ((vpn: number) => void) | null = null): void {
    if (mode === TrackingMode.notify) {
      requireCapability(this.profile, 'kernelFaultNotification', 'write-fault notification');
      if (handler === null) throw new ModelError('write-fault notification needs a handler');
      this.notifyHandler = handler;
    } else if (mode === TrackingMode.log) {
      requireCapability(this.profile, 'kernelDirtyLog', 'the in-kernel dirty log');
      this.log = new Uint8Array(this.space.pages);
    }
    this.trackingMode = mode;
  }

  /**
   * Tracking extension: withdraws write permission from the present, writable
   * pages of flexpage [vpn, vpn + 2^order) and marks them, so that the next
   * write to each goes to the tracking path. Costs like an unmap revoking W.
   */
  writeProtect(vpn: number, order: number): void {
    if (this.trackingMode === TrackingMode.off) throw new ModelError('writeProtect without a tracking mode');
    const size = 2 ** order;
    if (vpn % size !== 0)
      throw new ModelError(`writeProtect: flexpage at page ${vpn} of order ${order} is not aligned`);
    const k = this.profile.kernel;
    const space = this.space;
    const end = Math.min(vpn + size, space.pages);
    let present = 0;
    let changed = 0;
    const list = this.changed;
    const presentBit = PTE_PRESENT;
    const writableBit = PTE_WRITABLE;
    const trackedBit = PTE_TRACKED;
    for (let p = vpn; p < end; p++) {
      const e = space.flags(p);
      if ((e & presentBit) === 0) continue;
      present++;
      if ((e & writableBit) !== 0) {
        space.setFlags(p, (e & ~writableBit) | trackedBit);
        if (changed < list.length) list[changed] = p;
        changed++;
      }
    }
    this.clock.charge(Actor.kernel, k.syscall + present * k.unmapPerPage);
    this.invalidate(changed);
  }

  /**
   * Tracking extension `log`: reads and resets the log entries of pages
   * [start, end), appending the logged pages to `out`; returns their number.
   * One syscall plus the per-page scan.
   */
  readLog(start: number, end: number, out: Int32Array): number {
    const log = this.log;
    if (log === null) throw new ModelError('readLog without the dirty-log extension enabled');
    const k = this.profile.kernel;
    let n = 0;
    for (let p = start; p < end; p++) {
      if (log[p] !== 0) {
        log[p] = 0;
        out[n++] = p;
      }
    }
    this.clock.charge(Actor.kernel, k.syscall + (end - start) * k.logScanPerPage);
    return n;
  }
}
