/**
 * The Fiasco.OC-like kernel (docs/design.md §2): page-fault delivery to a pager by
 * fault IPC, map, flexpage unmap that can revoke write only and, where the
 * platform reports hardware dirty bits, returns and clears the A/D status of
 * the pages; thread block and wake-up; and the tracking extensions the
 * thesis studies (write-fault notification to a tracker, and an in-kernel
 * dirty log, as a bitmap, a bounded ring, or Linux's page-table bits). Every
 * operation charges its cost from the profile.
 *
 * Sources (Fiasco.OC as Genode 16.05 builds it, ssumpf/foc; kernel/fiasco/src/kern):
 * - `Task::sys_unmap` (task.cpp) unmaps each flexpage of the message with
 *   `fpage_unmap` and writes back one status per flexpage: map_util.cpp
 *   `unmap()` ORs the rights `Mem_space::v_delete` returns for every page it
 *   deletes into `flushed_rights`. The ia32 `v_delete` returns `access_flags()`
 *   (RW if dirty, R if referenced) and clears them atomically
 *   (ia32/paging-ia32.cpp), so a flexpage's pages cannot be told apart
 *   afterwards; the ARM variant returns no status (arm/paging-arm.cpp).
 *   `l4_task_unmap_batch` (l4sys task.h) sends up to
 *   `L4_UTCB_GENERIC_DATA_SIZE − 2` flexpages in one syscall.
 * - An unmap revoking W only downgrades the mapping (`Unmap_flags`,
 *   map_util.cpp); an unmap never invalidates page by page: map_util.cpp
 *   `unmap()` ends in `space->tlb_flush()`, and ARM's `v_delete` flushes the
 *   space's ASID for every entry (profile `kernel.unmapFlushesSpace`; Linux
 *   invalidates page by page up to a threshold instead).
 * - Without tagged TLB entries (x86 Fiasco.OC of that era uses no PCID), every
 *   switch to another address space reloads CR3 (mem_space-ia32.cpp
 *   `switchin_context`) and B's entries are gone: every IPC leaves B's space,
 *   since B has one thread (`switchFromB`).
 * - A map installs the sender's page size where the flexpage covers it
 *   (map_util.cpp `map()`: `i_order` from the sender's `s_order`, reduced
 *   while it does not fit or the receiver already has a page table there):
 *   superpages (`mmu.superpageOrder`) from a superpage source.
 * - The copy-on-write write-protect of `--copy=cow` (issue 18) is a kernel
 *   extension of the same kind as write-fault notification (Linux: uffd-wp,
 *   which QEMU's background snapshot uses; Fiasco.OC has none): the kernel
 *   keeps the set of pages a checkpoint has still to copy, withholds W from
 *   them (also from a mapping installed meanwhile), and a write to one is
 *   notified to A, which copies the page before the kernel lets the write
 *   through (`cowWriteFault`).
 */
import { type ActorId, type Clock, Phase, StallCause, type StallCauseId, type StallLog } from './clock.ts';
import { bitmapScanCycles, invalidationCycles, rpcCycles } from './costs.ts';
import { ModelError, requireCapability } from './errors.ts';
import { pow2 } from './exact.ts';
import {
  type AddressSpace,
  type FaultSink,
  type Mmu,
  PTE_ACCESSED,
  PTE_COW,
  PTE_DIRTY,
  PTE_LARGE,
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

/**
 * An unmap's status of one flexpage, as `Task::sys_unmap` writes it back:
 * the L4 rights bits (l4sys __l4_fpage.h) of `access_flags()`, ORed over the
 * flexpage's pages: `RW` if any was dirty, `RO` if any was referenced, else 0.
 * Test a flexpage for written pages with `status & FpageRights.W`.
 */
export const FpageRights = { W: 2, RO: 4, RW: 6 } as const;

/**
 * The most flexpages one `l4_task_unmap_batch` carries: its message registers
 * hold the opcode, the map mask and one flexpage each, and the caller must keep
 * `num_fpages` ≤ `L4_UTCB_GENERIC_DATA_SIZE − 2` (l4sys task.h), which is 63 − 2
 * on amd64 and ARM (l4sys ARCH-amd64/utcb.h, ARCH-arm/utcb.h). kernkonzept's
 * uvmm batches the same number (server/src/batch_unmapper.h).
 */
export const UNMAP_BATCH_MAX = 61;

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
  /** l4_task_unmap and l4_task_unmap_batch syscalls. */
  unmapCalls = 0;
  /** Page-table entries installed or upgraded by map (a superpage counts once). */
  pagesMapped = 0;
  /** Superpage entries among them. */
  superpagesMapped = 0;
  /** Times the dirty ring filled and the kernel stopped B until A drained it (kernel extension). */
  ringFullNotifications = 0;
}

/** Appends the pages of [start, end) marked in `log` to `out`, clearing their marks; returns how many. */
function takeLogged(log: Uint8Array, start: number, end: number, out: Int32Array): number {
  let n = 0;
  for (let p = start; p < end; p++) {
    if (log[p] !== 0) {
      log[p] = 0;
      out[n++] = p;
    }
  }
  return n;
}

/** The copy-on-write handler before `enableCopyOnWrite` sets one. */
function noCowHandler(): void {
  throw new ModelError('a copy-on-write fault, but no copy-on-write handler is set');
}

/** The ring's drain handler before `enableDirtyRing` sets one. */
function noDrain(): void {
  throw new ModelError('the dirty ring filled, but no drain handler is set');
}

export class Kernel implements FaultSink {
  /** B's only thread (the model runs B single-threaded). */
  readonly thread = new Thread('B');
  /** Core's pager; wired by the platform. */
  pager: Pager | null = null;
  /** Tracking extension mode and, for `notify`, the tracker's handler (A). */
  private trackingMode: TrackingModeId = TrackingMode.off;
  private notifyHandler: ((vpn: number) => void) | null = null;
  /** The in-kernel dirty log of the `log` extension: one byte per page (a bit in the modelled kernel). */
  private log: Uint8Array | null = null;
  /** The `log` extension's bounded ring of page numbers instead of the bitmap, its fill and A's drain. */
  private ring: Int32Array | null = null;
  private ringCount = 0;
  private ringDrain: (ring: Int32Array, n: number) => void = noDrain;
  /** The ring filled during the fault being resolved: B waits for the drain when it returns. */
  private ringFullPending = false;
  /**
   * Scratch list of the pages whose page-table entries one operation changed,
   * up to one past the profile's full-flush threshold: past it the TLB is
   * flushed whole, and which pages changed no longer matters (allocated on
   * first use).
   */
  private changedPages: Int32Array | null = null;
  /** Entries (present pages or superpages) the last `revokeEntries` visited, and how many it changed. */
  private visited = 0;
  private changedCount = 0;
  /**
   * Per superpage-sized chunk of B: whether B has a page table there. Fiasco
   * never frees one, and a superpage can go only where there is none
   * (map_util.cpp `map()`, "not enough space for superpage map?").
   */
  private readonly pageTables: Uint8Array;
  /** Pages per superpage (1: none). */
  private readonly superpagePages: number;

  /**
   * Fault injection for tests: when true, the kernel forgets to invalidate the
   * TLB after changing page-table entries. Never set in a real run.
   */
  debugSkipTlbInvalidation = false;

  /** What the kernel counts, under the names results give them. */
  readonly counters = new KernelCounters();

  /** Pages of B's address space. */
  readonly pages: number;

  /**
   * The copy-on-write extension (`enableCopyOnWrite`): per page of B, 1
   * while the checkpoint being copied has still to copy it; null when off.
   */
  private cowPending: Uint8Array | null = null;
  /** A's handler of a copy-on-write notification: it copies the page. */
  private cowHandler: (vpn: number) => void = noCowHandler;
  /** The fault being resolved copied a page for copy-on-write (its stall is a `cowFault`). */
  private cowInFault = false;
  /**
   * Fault injection for tests: a broken copy-on-write, where a write to a
   * page not yet copied goes through without A copying it first (A copies
   * it later, after the write). Never set in a real run.
   */
  debugCowCopyAfterWrite = false;

  constructor(
    readonly profile: CostProfile,
    private readonly clock: Clock,
    private readonly mmu: Mmu,
    /** B's page table, which only the kernel (and the MMU) touch. */
    private readonly space: AddressSpace,
    /** Where the kernel records the stalls it causes itself (a full dirty ring). */
    private readonly stalls: StallLog,
  ) {
    this.pages = space.pages;
    this.superpagePages = 2 ** profile.mmu.superpageOrder;
    this.pageTables = new Uint8Array(
      this.superpagePages > 1 ? Math.ceil(this.pages / this.superpagePages) : 0,
    );
  }

  private get changed(): Int32Array {
    this.changedPages ??= new Int32Array(
      Math.min(this.space.pages, this.profile.mmu.tlbFlushThresholdPages + 1),
    );
    return this.changedPages;
  }

  /**
   * The CPU leaves B's address space for another component's. B has one
   * thread, so every IPC and RPC does, and so does a checkpoint (A runs). On
   * an untagged TLB (`mmu.tlbTagged` false: x86 Fiasco.OC without PCID, where
   * `Mem_space::switchin_context` → `make_current` reloads CR3) B's entries
   * are gone, and B refills them, as TLB misses, when it runs again; with
   * ASIDs or PCIDs they stay. Leaving a space B has already left changes nothing.
   */
  switchFromB(): void {
    if (!this.profile.mmu.tlbTagged) this.mmu.flushAll();
  }

  /**
   * The kernel switches the core between B and another thread outside an IPC
   * (a time slice ends, a timer releases a thread of higher priority, a
   * thread blocks and the next ready one runs): `kernel.threadSwitch`. When
   * it leaves B (`fromB`), B's address space goes with it (`switchFromB`).
   */
  threadSwitch(fromB: boolean): void {
    this.clock.chargeKernel(this.profile.kernel.threadSwitch);
    if (fromB) this.switchFromB();
  }

  /** One one-way IPC (a fault IPC, a reply, a wake-up, a notification); it leaves B's space. */
  ipc(): void {
    this.clock.chargeIpc(this.profile.kernel.ipcOneWay);
    this.switchFromB();
  }

  /** A Genode RPC: call + reply IPCs, and the server's work charged to `actor`; it leaves B's space. */
  rpc(serverWork: number, actor: ActorId): void {
    this.clock.chargeIpc(rpcCycles(this.profile, 0));
    this.switchFromB();
    this.clock.charge(actor, serverWork);
  }

  /** `rpc(serverWork, Actor.core)`: an RPC served by Genode core (no module binding read per call, as Clock.chargeCore). */
  rpcCore(serverWork: number): void {
    this.clock.chargeIpc(rpcCycles(this.profile, 0));
    this.switchFromB();
    this.clock.chargeCore(serverWork);
  }

  /** Page-fault exception of B (called by the MMU). */
  pageFault(vpn: number, write: boolean): void {
    const k = this.profile.kernel;
    const e = this.space.flags(vpn);
    const pending = this.cowPending;
    // A write the copy-on-write protect (or the tracking one, over a page still to copy) withheld.
    if (
      write &&
      pending !== null &&
      pending[vpn] === 1 &&
      (e & (PTE_PRESENT | PTE_WRITABLE)) === PTE_PRESENT &&
      (e & (PTE_COW | PTE_TRACKED)) !== 0
    ) {
      this.cowWriteFault(vpn, pending);
      return;
    }
    this.clock.chargeKernel(k.pageFaultTrap);
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

  /**
   * B wrote to a page the checkpoint being copied has not copied yet
   * (`--copy=cow`): the kernel notifies A by IPC, A copies the page (its
   * handler), replies, and the kernel lets the write through — unless the
   * page is also write-protected for tracking, when the tracking path
   * follows in the same fault: with `notify` the one notification told A of
   * both (its handler marks the page as well), with `log` the kernel logs it.
   * Charged to `checkpoint.cowFault`, and the stall is a `cowFault`.
   */
  private cowWriteFault(vpn: number, pending: Uint8Array): void {
    const clock = this.clock;
    const k = this.profile.kernel;
    const phase = clock.phase;
    clock.phase = Phase.cowFault;
    clock.chargeKernel(k.pageFaultTrap);
    this.cowInFault = true;
    const broken = this.debugCowCopyAfterWrite;
    if (!broken) {
      this.ipc(); // the notification to A's copier
      this.cowHandler(vpn); // A copies the page
    }
    pending[vpn] = 0;
    const e = this.space.flags(vpn);
    if ((e & PTE_PRESENT) === 0) {
      // A's copy unmapped the page (--copy-via attach: its detach revokes B's
      // mappings too): B's retry faults through its pager, which maps it.
      if (!broken) this.ipc(); // A's reply
    } else if ((e & PTE_TRACKED) !== 0 && this.trackingMode === TrackingMode.notify && !broken) {
      // The same notification is the tracking one: A's handler marks the page too.
      this.counters.notifications++;
      this.notifyHandler!(vpn);
      this.ipc(); // A's reply; the kernel re-enables write and resumes B
      clock.chargeKernel(k.mapPerPage);
      this.space.setFlags(vpn, (e | PTE_WRITABLE) & ~PTE_TRACKED);
    } else {
      if (!broken) this.ipc(); // A's reply
      if ((e & PTE_TRACKED) !== 0) this.trackedWriteFault(vpn, e);
      else {
        clock.chargeKernel(k.mapPerPage); // W given back with the reply
        this.space.setFlags(vpn, (e | PTE_WRITABLE) & ~PTE_COW);
      }
    }
    clock.phase = phase;
  }

  /** The tracking extension's path for a write to a page it write-protected. */
  private trackedWriteFault(vpn: number, e: number): void {
    const k = this.profile.kernel;
    if (this.trackingMode === TrackingMode.notify) {
      this.counters.notifications++;
      this.ipc(); // notification to the tracker thread of A
      this.notifyHandler!(vpn);
      this.ipc(); // A's reply; the kernel re-enables write and resumes B
      this.clock.chargeKernel(k.mapPerPage);
    } else if (this.trackingMode === TrackingMode.log) {
      this.counters.logAppends++;
      const ring = this.ring;
      if (ring !== null) {
        ring[this.ringCount++] = vpn;
        if (this.ringCount === ring.length) this.ringFullPending = true;
      } else this.log![vpn] = 1;
      this.clock.chargeKernel(k.logAppend);
    } else {
      throw new ModelError(`page ${vpn} is write-protected for tracking but no tracking mode is active`);
    }
    this.space.setFlags(vpn, (e | PTE_WRITABLE) & ~PTE_TRACKED);
  }

  /**
   * The kind of the stall that just ended (called by the MMU once per
   * faulting access): `cowFault` when resolving it copied a page for a
   * copy-on-write checkpoint (`cowWriteFault`), else `fault`.
   */
  faultStallCause(): StallCauseId {
    const cause = this.cowInFault ? StallCause.cowFault : StallCause.fault;
    this.cowInFault = false;
    return cause;
  }

  /**
   * The faulting access completed (called by the MMU after it recorded the
   * fault's stall). When the access filled the dirty ring, the kernel keeps B
   * from running on: it notifies A by IPC, A drains the ring, replies, and B
   * resumes; that wait is a stall of its own kind (`ringFull`), as a full PML
   * buffer exits the guest (Intel SDM vol. 3 §29.3.6) and a full KVM dirty
   * ring stops the vCPU until user space harvests it (KVM_EXIT_DIRTY_RING_FULL).
   */
  faultDone(): void {
    if (!this.ringFullPending) return;
    this.ringFullPending = false;
    const start = this.clock.now;
    this.counters.ringFullNotifications++;
    this.ipc(); // the notification to A
    this.ringDrain(this.ring!, this.ringCount);
    this.ringCount = 0;
    this.ipc(); // A's reply; B resumes
    this.stalls.record(this.clock.now - start, StallCause.ringFull);
  }

  /**
   * The pager's reply carrying a mapping of `count` pages from `vpn` backed by
   * frames `frame`…: installs (or upgrades) the page-table entries and resumes
   * the faulter. A fresh entry starts with A and D clear. `superpages`: the
   * sender (core) holds these frames in superpages, so the kernel may install
   * superpages (see `map`).
   */
  replyMap(
    thread: Thread,
    vpn: number,
    count: number,
    writable: boolean,
    frame: number,
    superpages = false,
  ): void {
    this.ipc();
    this.map(vpn, count, writable, frame, superpages);
    thread.blocked = false;
  }

  /**
   * Installs the page-table entries of a mapping of `count` pages from `vpn`
   * backed by frames `frame`… (the kernel side of a map). Where `superpages`
   * (the sender maps these frames in superpages), the profile has them, and
   * an aligned superpage of the range has aligned frames and no page table of
   * B yet, it installs one superpage entry there (map_util.cpp `map()`);
   * everything else gets 4 KiB entries, and a page table once that stays.
   * Entries already present only gain rights (Fiasco maps never downgrade).
   * While a tracking extension is active, write permission is installed as a
   * tracking write-protect, so the first write to a page mapped anew is
   * tracked (a page mapped after a checkpoint is clean), and only 4 KiB
   * entries are installed, as the extension tracks 4 KiB pages.
   */
  map(vpn: number, count: number, writable: boolean, frame: number, superpages = false): void {
    const space = this.space;
    const frames = space.frame;
    const size = this.superpagePages;
    const tracking = this.trackingMode !== TrackingMode.off;
    // Write permission as installed: W, or the tracking write-protect.
    const grant = writable ? (tracking ? PTE_TRACKED : PTE_WRITABLE) : 0;
    // A page a copy-on-write checkpoint has still to copy gets W withheld (PTE_COW) instead of W.
    const cow = this.cowPending;
    const large = superpages && size > 1 && !tracking && cow === null;
    let entries = 0;
    for (let i = 0; i < count; ) {
      const p = vpn + i;
      const e = space.flags(p);
      if ((e & PTE_LARGE) !== 0) {
        // Within a superpage already mapped: upgrade it whole (frames are fixed per page here).
        const first = p - (p % size);
        const f = space.flags(first);
        if (writable && (f & PTE_WRITABLE) === 0) space.setFlags(first, f | grant);
        entries++;
        i += first + size - p;
        continue;
      }
      if (
        large &&
        p % size === 0 &&
        i + size <= count &&
        (frame + i) % size === 0 &&
        this.pageTables[p / size] === 0
      ) {
        space.setFlags(p, PTE_PRESENT | PTE_LARGE | grant);
        frames[p] = frame + i;
        for (let q = 1; q < size; q++) {
          space.setFlags(p + q, PTE_LARGE);
          frames[p + q] = frame + i + q;
        }
        this.counters.superpagesMapped++;
        entries++;
        i += size;
        continue;
      }
      const g = cow !== null && cow[p] === 1 && grant === PTE_WRITABLE ? PTE_COW : grant;
      if ((e & PTE_PRESENT) !== 0 && frames[p] === frame + i) {
        // Already mapped: add write permission (as a tracking write-protect while tracking).
        if (writable && (e & PTE_WRITABLE) === 0)
          space.setFlags(p, tracking ? e | g : (e | g) & ~PTE_TRACKED);
      } else {
        // A new mapping installed while a tracking extension is on starts
        // write-protected for tracking (`grant`), so B's first write to it is
        // tracked (issue 11, h/core-fid): with --copy-via=attach, A's detach
        // unmaps B's pages (Rm_client::unmap revokes from every space) and B
        // maps them anew through its pager after a checkpoint.
        space.setFlags(p, PTE_PRESENT | g);
        frames[p] = frame + i;
      }
      if (size > 1) this.pageTables[Math.floor(p / size)] = 1;
      entries++;
      i++;
    }
    this.counters.pagesMapped += entries;
    this.clock.chargeKernel(entries * this.profile.kernel.mapPerPage);
  }

  /** Resumes a blocked faulter without a mapping (core's wake-up IPC); it will fault again. */
  wakeUp(thread: Thread): void {
    this.ipc();
    thread.blocked = false;
  }

  /**
   * `l4_task_unmap` of one flexpage [vpn, vpn + 2^order) of B: withdraws
   * `revoke` from every present entry (a superpage reaching into the flexpage
   * whole, as `unmap()` deletes the child's page whatever its size). Where the
   * profile has `hardwareDirtyBits`, it also clears the A/D status and returns
   * it, one value for the flexpage (`FpageRights`: the OR over its entries;
   * 0 without the capability). Invalidates the TLB by the kernel's policy.
   */
  unmap(vpn: number, order: number, revoke: RevokeMode): number {
    this.checkFlexpage('unmap', vpn, order);
    this.changedCount = 0;
    const status = this.unmapFlexpage(vpn, order, revoke);
    this.counters.unmapCalls++;
    this.finishCall(this.visited, this.changedCount);
    return status;
  }

  /**
   * `l4_task_unmap_batch`: one syscall unmapping flexpages
   * [vpns[i], vpns[i] + 2^orders[i]) for i in [from, from + n), each as
   * `unmap` does, writing each flexpage's status to `status[i]` when given
   * (`Task::sys_unmap` writes one back per flexpage).
   * @throws ModelError for more than UNMAP_BATCH_MAX flexpages.
   */
  unmapBatch(
    vpns: Int32Array,
    orders: Uint8Array,
    from: number,
    n: number,
    revoke: RevokeMode,
    status: Uint8Array | null = null,
  ): void {
    if (!Number.isInteger(n) || n < 1 || n > UNMAP_BATCH_MAX) {
      throw new ModelError(`l4_task_unmap_batch of ${n} flexpages: 1 to ${UNMAP_BATCH_MAX} fit the UTCB`);
    }
    // The changed entries of the whole batch go on one scratch list (revokeEntries appends).
    this.changedCount = 0;
    let visited = 0;
    for (let i = from; i < from + n; i++) {
      this.checkFlexpage('unmap', vpns[i]!, orders[i]!);
      const s = this.unmapFlexpage(vpns[i]!, orders[i]!, revoke);
      if (status !== null) status[i] = s;
      visited += this.visited;
    }
    this.counters.unmapCalls++;
    this.finishCall(visited, this.changedCount);
  }

  private checkFlexpage(what: string, vpn: number, order: number): void {
    if (!Number.isInteger(order) || order < 0 || vpn % pow2(order) !== 0) {
      throw new ModelError(`${what}: flexpage at page ${vpn} of order ${order} is not aligned`);
    }
  }

  /** One flexpage of an unmap: revokes, reads and clears the status; leaves the counts in visited/changedCount. */
  private unmapFlexpage(vpn: number, order: number, revoke: RevokeMode): number {
    const reportStatus = this.profile.capabilities.hardwareDirtyBits;
    // Masks as locals, out of the per-page loop: status read-and-clear, then the revoke.
    const keep =
      (reportStatus ? ~(PTE_DIRTY | PTE_ACCESSED) : -1) &
      (revoke === Revoke.all ? 0 : revoke === Revoke.write ? ~(PTE_WRITABLE | PTE_TRACKED) : -1);
    const found = this.revokeEntries(vpn, Math.min(vpn + pow2(order), this.pages), keep, 0, false);
    if (!reportStatus) return 0;
    return (found & PTE_DIRTY) !== 0 ? FpageRights.RW : (found & PTE_ACCESSED) !== 0 ? FpageRights.RO : 0;
  }

  /** Charges one unmap-like syscall over `visited` present entries, `changed` of them changed, and invalidates. */
  private finishCall(visited: number, changed: number): void {
    const k = this.profile.kernel;
    this.clock.chargeKernel(k.syscall + visited * k.unmapPerPage);
    this.invalidate(visited, changed, true);
  }

  /**
   * The page-table loop of unmap and write-protect over pages [vpn, end):
   * every present entry (a superpage once, whole, wherever it starts) gets
   * flags `(e & keep) | (e writable ? addIfWritable : 0)`; a revoke of every
   * right clears a superpage's pages too. Returns the OR of the entries'
   * flags as found; leaves the entries visited in `visited` and the changed
   * ones, counted and (up to the threshold) listed, in `changedCount` and
   * `changed`, from the count already there.
   * @throws ModelError when `tracking` and a superpage is in the range: the
   *   extensions track 4 KiB pages.
   */
  private revokeEntries(
    vpn: number,
    end: number,
    keep: number,
    addIfWritable: number,
    tracking: boolean,
  ): number {
    const space = this.space;
    const list = this.changed;
    const size = this.superpagePages;
    let visited = 0;
    let changed = this.changedCount;
    let found = 0;
    // Bits as locals, out of the per-page loop (V8 re-checks module bindings on every use in a loop).
    const presentBit = PTE_PRESENT;
    const largeBit = PTE_LARGE;
    const writableBit = PTE_WRITABLE;
    for (let p = vpn; p < end; ) {
      let e = space.flags(p);
      let first = p;
      let pages = 1;
      if ((e & largeBit) !== 0) {
        first = p - (p % size);
        pages = size;
        e = space.flags(first);
        if (tracking) {
          throw new ModelError(
            `write-protect for tracking over the superpage at page ${first}: the tracking extensions track 4 KiB pages (allocate B's RAM with small pages)`,
          );
        }
      }
      p = first + pages;
      if ((e & presentBit) === 0) continue;
      visited++;
      found |= e;
      const n = (e & keep) | ((e & writableBit) !== 0 ? addIfWritable : 0);
      if (n === e) continue;
      space.setFlags(first, n);
      if (keep === 0 && pages > 1) for (let q = first + 1; q < first + pages; q++) space.setFlags(q, 0);
      if (changed < list.length) list[changed] = first;
      changed++;
    }
    this.visited = visited;
    this.changedCount = changed;
    return found;
  }

  /**
   * TLB maintenance after an operation visited `visited` present entries and
   * changed `changed` of them (listed in the scratch list), by the kernel's
   * policy: Fiasco.OC drops B's whole space (no separate charge, see costs.ts
   * `invalidationCycles`), Linux invalidates the changed pages up to the
   * threshold and flushes past it. Charged only when `charge`.
   */
  private invalidate(visited: number, changed: number, charge: boolean): void {
    this.changedCount = 0;
    if (this.debugSkipTlbInvalidation) return;
    if (this.profile.kernel.unmapFlushesSpace) {
      if (visited > 0) this.mmu.flushAll();
      return;
    }
    if (changed === 0) return;
    if (charge) this.clock.chargeKernel(invalidationCycles(this.profile, changed));
    if (changed > this.profile.mmu.tlbFlushThresholdPages) {
      this.mmu.flushAll();
    } else {
      const list = this.changed;
      for (let i = 0; i < changed; i++) this.mmu.invalidatePage(list[i]!);
    }
  }

  /**
   * Switches on a tracking extension. `notify` delivers each first write to a
   * write-protected page to `handler` (the tracker thread of A) by IPC and
   * resumes B after A's reply; `log` records the page in the kernel's log (a
   * bitmap; `enableDirtyRing` for a ring) and resumes B directly.
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
   * Changes the tracking extension's mode while B runs, as A's syscall on the
   * extension: one `kernel.syscall`, then as `enableTracking` (for `notify`,
   * `handler` is the tracker's); `off` switches the extension off, so core's
   * mappings are installed with W again (`map`). It touches no page-table
   * entry: a page still write-protected for tracking is the caller's to
   * unmap (an unmap revoking W clears the tracking mark with W), and a write
   * to one with the extension off is a model error (`trackedWriteFault`).
   *
   * The extension is the thesis's own (no Fiasco.OC has one), so its API is
   * a design choice; switching it off is the counterpart of switching it on,
   * as Linux's userfaultfd has `UFFDIO_UNREGISTER` beside `UFFDIO_REGISTER`
   * (fs/userfaultfd.c `userfaultfd_unregister`). `adaptive` uses it to move
   * between write-fault tracking and dirty-bit scanning.
   * @throws CapabilityError when the profile lacks the extension.
   */
  setTrackingMode(mode: TrackingModeId, handler: ((vpn: number) => void) | null = null): void {
    this.clock.chargeKernel(this.profile.kernel.syscall);
    if (mode !== TrackingMode.off) {
      this.enableTracking(mode, handler);
      return;
    }
    this.trackingMode = TrackingMode.off;
    this.notifyHandler = null;
  }

  /**
   * Switches on the `log` extension with a bounded ring of `entries` page
   * numbers instead of the bitmap, as Intel PML's 512-entry buffer or KVM's
   * dirty ring: each first write appends its page; when the append fills the
   * ring, B stops until A has drained it (`faultDone`), `drain(ring, n)`
   * being A's handler of the notification, which must take ring[0..n).
   * @throws CapabilityError when the profile lacks the extension.
   */
  enableDirtyRing(entries: number, drain: (ring: Int32Array, n: number) => void): void {
    if (!Number.isInteger(entries) || entries < 1) throw new ModelError(`a dirty ring of ${entries} entries`);
    this.enableTracking(TrackingMode.log);
    this.log = null;
    this.ring = new Int32Array(entries);
    this.ringCount = 0;
    this.ringDrain = drain;
  }

  /**
   * Tracking extension: withdraws write permission from the present, writable
   * pages of flexpage [vpn, vpn + 2^order) and marks them, so that the next
   * write to each goes to the tracking path. Costs like an unmap revoking W.
   * @throws ModelError over a superpage (the extensions track 4 KiB pages).
   */
  writeProtect(vpn: number, order: number): void {
    if (this.trackingMode === TrackingMode.off) throw new ModelError('writeProtect without a tracking mode');
    this.checkFlexpage('writeProtect', vpn, order);
    this.changedCount = 0;
    this.revokeEntries(vpn, Math.min(vpn + pow2(order), this.pages), ~PTE_WRITABLE, PTE_TRACKED, true);
    this.finishCall(this.visited, this.changedCount);
  }

  /**
   * Switches on the copy-on-write write-protect (`--copy=cow`): a write to a
   * page marked by `cowProtect` is notified to A, whose `handler(vpn)` copies
   * the page before the write goes through (`cowWriteFault`). While it is on,
   * the kernel maps B in 4 KiB entries only, as for the tracking extensions:
   * it protects 4 KiB pages.
   * @throws CapabilityError where the kernel notifies no write faults.
   */
  enableCopyOnWrite(handler: (vpn: number) => void): void {
    requireCapability(this.profile, 'kernelFaultNotification', 'the copy-on-write write-protect');
    this.cowPending = new Uint8Array(this.space.pages);
    this.cowHandler = handler;
  }

  private requireCow(what: string): Uint8Array {
    if (this.cowPending === null) throw new ModelError(`${what} without the copy-on-write extension`);
    return this.cowPending;
  }

  /**
   * Copy-on-write: marks the pages of flexpage [vpn, vpn + 2^order) as to be
   * copied and withholds write permission from the present, writable ones
   * (PTE_COW), invalidating as an unmap revoking W does and costing what it
   * costs. A flexpage whose pages are already write-protected (for tracking,
   * by the re-arm that just ran) or unmapped is marked within that call and
   * costs nothing more: the strategies that re-protect anyway reuse their
   * re-arm.
   * @throws ModelError over a superpage (the extension protects 4 KiB pages).
   */
  cowProtect(vpn: number, order: number): void {
    const pending = this.requireCow('cowProtect');
    this.checkFlexpage('cowProtect', vpn, order);
    const end = Math.min(vpn + pow2(order), this.pages);
    pending.fill(1, vpn, end);
    this.changedCount = 0;
    this.revokeEntries(vpn, end, ~PTE_WRITABLE, PTE_COW, true);
    if (this.changedCount > 0) this.finishCall(this.visited, this.changedCount);
  }

  /**
   * Copy-on-write: A has copied page `vpn` in its own time and lifts its
   * protection (one call, as QEMU's background snapshot un-protects each page
   * it saved): the mark goes, and W comes back where the protection withheld
   * it (an upgrade: no invalidation); a page write-protected for tracking
   * stays so.
   */
  cowRelease(vpn: number): void {
    const pending = this.requireCow('cowRelease');
    pending[vpn] = 0;
    const k = this.profile.kernel;
    this.clock.chargeKernel(k.syscall);
    const e = this.space.flags(vpn);
    if ((e & PTE_COW) === 0) return;
    this.space.setFlags(vpn, (e | PTE_WRITABLE) & ~PTE_COW);
    this.clock.chargeKernel(k.mapPerPage);
  }

  private requireLog(what: string): Uint8Array {
    if (this.log === null) throw new ModelError(`${what} without the dirty-log extension's bitmap enabled`);
    return this.log;
  }

  /**
   * Tracking extension `log`, bitmap: reads and resets the log of pages
   * [start, end), appending the logged pages to `out`; returns their number.
   * One syscall, the bitmap scanned a machine word at a time, and a store
   * per set bit (costs.ts `bitmapScanCycles`).
   */
  readLog(start: number, end: number, out: Int32Array): number {
    const n = takeLogged(this.requireLog('readLog'), start, end, out);
    this.clock.chargeKernel(this.profile.kernel.syscall + bitmapScanCycles(this.profile, end - start, n));
    return n;
  }

  /**
   * Tracking extension `log`, ring: A reads the ring's entries (shared
   * memory, `cpu.ringEntry` each) into `out` from `at`, and one syscall
   * resets it (as KVM_RESET_DIRTY_RINGS); returns how many. O(dirty),
   * whatever B's size.
   */
  drainRing(out: Int32Array, at: number): number {
    const ring = this.ring;
    if (ring === null) throw new ModelError('drainRing without the dirty ring enabled');
    const n = this.ringCount;
    out.set(ring.subarray(0, n), at);
    this.ringCount = 0;
    this.clock.chargeHandler(n * this.profile.cpu.ringEntry);
    this.clock.chargeKernel(this.profile.kernel.syscall);
    return n;
  }

  /**
   * Tracking extension `log`, Linux's uffd WP_ASYNC with `PAGEMAP_SCAN` and
   * `PM_SCAN_WP_MATCHING` (fs/proc/task_mmu.c `do_pagemap_scan`): one walk of
   * pages [start, end) reports the written pages to `out` and write-protects
   * them again in the same pass. Charged one syscall and `logScanPerPage` per
   * page, the measured figure, which includes the write-protect and its TLB
   * flush (so no re-protect follows); returns how many.
   */
  pagemapScan(start: number, end: number, out: Int32Array): number {
    const log = this.requireLog('pagemapScan');
    const space = this.space;
    const list = this.changed;
    let n = 0;
    let changed = 0;
    for (let p = start; p < end; p++) {
      if (log[p] === 0) continue;
      log[p] = 0;
      out[n++] = p;
      const e = space.flags(p);
      if ((e & (PTE_PRESENT | PTE_WRITABLE)) === (PTE_PRESENT | PTE_WRITABLE)) {
        space.setFlags(p, (e & ~PTE_WRITABLE) | PTE_TRACKED);
        if (changed < list.length) list[changed] = p;
        changed++;
      }
    }
    const k = this.profile.kernel;
    this.clock.chargeKernel(k.syscall + (end - start) * k.logScanPerPage);
    this.invalidate(changed, changed, false);
    return n;
  }

  /**
   * Tracking extension `log`, Linux soft-dirty read: the soft-dirty bits of
   * pages [start, end) from /proc/pid/pagemap (one 64-bit entry per page,
   * fs/proc/task_mmu.c `pagemap_read`), the written pages appended to `out`;
   * returns how many. One read syscall and a page-table walk per page.
   * `clearSoftDirty` resets the bits and write-protects.
   */
  readSoftDirty(start: number, end: number, out: Int32Array): number {
    const n = takeLogged(this.requireLog('readSoftDirty'), start, end, out);
    const k = this.profile.kernel;
    this.clock.chargeKernel(k.syscall + (end - start) * k.logScanPerPage);
    return n;
  }

  /**
   * Tracking extension `log`, Linux `echo 4 > /proc/pid/clear_refs`
   * (fs/proc/task_mmu.c `clear_refs_write`, CLEAR_REFS_SOFT_DIRTY): clears
   * the soft-dirty bit and write-protects every present page of B, written
   * or not, then flushes B's whole TLB (`flush_tlb_mm`). One syscall,
   * `unmapPerPage` per present page, a full flush.
   */
  clearSoftDirty(): void {
    if (this.trackingMode !== TrackingMode.log) throw new ModelError('clearSoftDirty without the dirty log');
    this.changedCount = 0;
    this.revokeEntries(0, this.pages, ~PTE_WRITABLE, PTE_TRACKED, true);
    const visited = this.visited;
    this.changedCount = 0;
    const k = this.profile.kernel;
    this.clock.chargeKernel(k.syscall + visited * k.unmapPerPage);
    if (this.debugSkipTlbInvalidation) return;
    if (!k.unmapFlushesSpace) this.clock.chargeKernel(this.profile.mmu.tlbFlushAll);
    this.mmu.flushAll();
  }
}
