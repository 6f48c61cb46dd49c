/**
 * The MMU: B's page table and the TLB of the core, in flat typed arrays
 * (design §2, §8). This is the per-access hot path of the whole harness.
 *
 * x86 semantics modelled (Intel SDM vol. 3, §4.8 and §4.10):
 * - a TLB entry caches the translation with its write permission and dirty
 *   state as they were in the page-table entry when it was filled;
 * - a TLB miss walks the page table, sets A (and D for a write) in the entry;
 * - the first write through an entry cached clean takes a *dirty assist*: the
 *   processor re-reads the page-table entry (a locked update that also sees a
 *   revoked write permission), sets D, and marks the TLB entry dirty;
 * - a write through an entry cached read-only re-walks (a spurious fault on a
 *   stale entry costs a walk here);
 * - a page fault invalidates the TLB entry of the faulting page (§4.10.4.1).
 * Nothing else invalidates the TLB: the kernel must, whenever it revokes a
 * right or clears a dirty bit. A forgotten invalidation lets writes through a
 * stale dirty entry bypass the page table, and the oracle sees them.
 *
 * Without `mmu.hardwareDirtyBit` (ARMv7 short descriptors) there is no D bit
 * and no assist: every entry is filled as if dirty.
 */
import { Cat, type Clock, Phase, StallCause, type StallLog } from './clock.ts';
import type { TargetMemory } from './memory.ts';
import type { CostProfile } from './profile.ts';

/** Page-table entry flags (one byte per page). */
export const PTE_PRESENT = 1;
export const PTE_WRITABLE = 2;
export const PTE_ACCESSED = 4;
export const PTE_DIRTY = 8;
/**
 * Software bit: write permission withdrawn by the kernel's tracking extension
 * (like Linux's uffd-wp marker or a soft-dirty write-protect), so a write fault
 * on this page goes to the tracking path and not to the pager.
 */
export const PTE_TRACKED = 16;

/**
 * A TLB entry is one int32: the virtual page number it caches, shifted left by
 * TAG_SHIFT, with the entry's rights and dirty state in the low bits; EMPTY
 * when the entry caches nothing. One load answers both "is this page cached
 * here?" and "may this access use the entry?".
 */
const TLB_WRITABLE = 1;
const TLB_DIRTY = 2;
const TLB_WD = TLB_WRITABLE | TLB_DIRTY;
const TAG_SHIFT = 2;
const EMPTY = -1;

/** Largest number of pages an address space can have: vpn << TAG_SHIFT must stay a positive int32. */
export const MAX_PAGES = 2 ** (31 - TAG_SHIFT);

/** Categories as module constants: the hot loop must not go through an imported binding. */
const CAT_COMPUTE = Cat.compute;
const CAT_TLB_MISS = Cat.tlbMiss;
const CAT_DIRTY_ASSIST = Cat.tlbDirtyAssist;

/** Consecutive TLB hits after which `run` goes back from its miss loop to its hit loop. */
const HIT_RUN = 16;
/** `run`'s miss loop ended on a run of hits, at the end, or at the deadline: no slow path. */
const LEFT_ON_HITS = -2;

/** Resolutions of one access before the model is declared broken. */
const MAX_FAULTS_PER_ACCESS = 8;

/** A Fiasco.OC task's memory space: the page table of B, indexed by B's page number. */
export class AddressSpace {
  /** Number of pages (virtual page numbers 0 … pages−1). */
  readonly pages: number;
  /** Flags per page: PTE_*. */
  readonly pte: Uint8Array;
  /** Physical frame number per page (valid while present). */
  readonly frame: Int32Array;

  constructor(pages: number) {
    if (!Number.isInteger(pages) || pages < 1 || pages > MAX_PAGES)
      throw new RangeError(`an address space has 1 to ${MAX_PAGES} pages, not ${pages}`);
    this.pages = pages;
    this.pte = new Uint8Array(pages);
    this.frame = new Int32Array(pages);
  }
}

/** Where the MMU raises a page fault: the kernel. */
export interface FaultSink {
  /** Handles a page fault of B at `vpn`; returns when B may retry the access. */
  pageFault(vpn: number, write: boolean): void;
}

/** The TLB and the access path of B's one thread. */
export class Mmu {
  /** Ways per set and set count (entries = ways × sets). */
  readonly ways: number;
  readonly sets: number;
  /**
   * The TLB: per entry, (vpn << TAG_SHIFT) | TLB_WRITABLE | TLB_DIRTY, or −1
   * when empty. Entry e of set s is at s·ways + e.
   */
  readonly tag: Int32Array;
  /**
   * Per page of B: the TLB slot that last cached it. The hardware searches a
   * set's ways in parallel; this hint gives the simulator the same O(1)
   * lookup whatever the associativity. It is only a hint: the slot caches the
   * page iff the slot's tag names the page, so evicting an entry needs no
   * write to the evicted page's hint (one random memory access less per miss).
   */
  private readonly hint: Uint16Array;
  /** Round-robin victim per set (deterministic replacement). */
  private readonly victim: Uint8Array;
  private readonly setMask: number;
  private readonly hardwareDirty: boolean;
  private readonly walkCycles: number;
  private readonly assistCycles: number;

  /** Receives page faults; wired by the platform. */
  faultSink: FaultSink | null = null;

  /** TLB misses (page walks), dirty assists, page-fault exceptions, and faults that stalled B. */
  walks = 0;
  assists = 0;
  exceptions = 0;
  faultStalls = 0;

  constructor(
    profile: CostProfile,
    private readonly clock: Clock,
    readonly space: AddressSpace,
    private readonly memory: TargetMemory,
    private readonly stalls: StallLog,
  ) {
    this.ways = profile.mmu.tlbWays;
    this.sets = profile.mmu.tlbEntries / profile.mmu.tlbWays;
    this.setMask = this.sets - 1;
    this.tag = new Int32Array(profile.mmu.tlbEntries).fill(EMPTY);
    this.hint = new Uint16Array(space.pages);
    this.victim = new Uint8Array(this.sets);
    this.hardwareDirty = profile.mmu.hardwareDirtyBit;
    this.walkCycles = profile.mmu.pageWalk;
    this.assistCycles = profile.mmu.dirtyAssist;
  }

  /**
   * Runs B over accesses [from, to) of a batch, charging `compute` cycles
   * before each access, and stops early before the first access that would
   * start at or after `deadline` (the next checkpoint). Returns the index of
   * the first access not executed. TLB hits and the misses a page walk
   * resolves are handled inline, in one loop that allocates nothing and calls
   * nothing; dirty assists, writes through read-only entries and faults leave
   * it for the slow path.
   */
  run(
    pages: Int32Array,
    writes: Uint8Array,
    from: number,
    to: number,
    compute: number,
    deadline: number,
  ): number {
    const clock = this.clock;
    const tag = this.tag;
    const hint = this.hint;
    const victim = this.victim;
    const ways = this.ways;
    const setMask = this.setMask;
    const version = this.memory.version;
    const pte = this.space.pte;
    const missCycles = compute + this.walkCycles;
    // A walk for a write sets D; without hardware D bits every entry is cached dirty.
    const dirtyOnWrite = this.hardwareDirty ? PTE_DIRTY : 0;
    const alwaysDirty = this.hardwareDirty ? 0 : TLB_DIRTY;
    // Module constants as locals: V8 re-reads and re-checks a module binding
    // on every use in a loop (it halved the TLB-hit rate).
    const shift = TAG_SHIFT;
    const wd = TLB_WD;
    const tlbW = TLB_WRITABLE;
    const tlbD = TLB_DIRTY;
    const present = PTE_PRESENT;
    const accessed = PTE_ACCESSED;
    const hitRun = HIT_RUN;
    const leftOnHits = LEFT_ON_HITS;
    let now = clock.now;
    let walks = 0;
    let i = from;
    while (i < to) {
      // The TLB-hit loop, kept tight: it leaves at the deadline, at the end,
      // or at the first access that is not a hit with sufficient rights.
      for (; i < to; i++) {
        if (now >= deadline) break;
        const vpn = pages[i]!;
        const w = writes[i]!;
        const t = tag[hint[vpn]!]!;
        // Rights a hit needs: none for a read, writable and dirty for a write
        // (w is 0 or 1); branch-free on w, because real workloads mix reads
        // and writes unpredictably.
        const need = w * wd;
        if (t >> shift !== vpn || (t & need) !== need) break;
        now += compute;
        version[vpn] = (version[vpn]! + w) | 0;
      }
      if (i === to || now >= deadline) break;
      // The miss loop: TLB misses a page walk resolves, and hits between
      // them, until a run of hits sends it back to the hit loop, or an access
      // needs the slow path (`slow` is then its TLB slot, or −1).
      let slow = leftOnHits;
      let vpn = 0;
      let w = 0;
      for (let hits = 0; i < to; i++) {
        if (now >= deadline) break;
        vpn = pages[i]!;
        w = writes[i]!;
        const cached = hint[vpn]!;
        const t = tag[cached]!;
        if (t >> shift === vpn) {
          const need = w * wd;
          if ((t & need) !== need) {
            slow = cached;
            break;
          }
          now += compute;
          version[vpn] = (version[vpn]! + w) | 0;
          if (++hits === hitRun) {
            i++;
            break;
          }
          continue;
        }
        hits = 0;
        // The walk resolves the miss when the page is present, and writable for a write.
        const e = pte[vpn]!;
        if ((e & present) === 0 || (w & ~(e >> 1)) !== 0) {
          slow = -1;
          break;
        }
        const updated = e | accessed | (w * dirtyOnWrite);
        pte[vpn] = updated;
        const set = vpn & setMask;
        const way = victim[set]!;
        victim[set] = way + 1 === ways ? 0 : way + 1;
        const fill = set * ways + way;
        hint[vpn] = fill;
        // PTE_WRITABLE (bit 1) → TLB_WRITABLE (bit 0), PTE_DIRTY (bit 3) → TLB_DIRTY (bit 1).
        tag[fill] = (vpn << shift) | ((updated >> 1) & tlbW) | ((updated >> 2) & tlbD) | alwaysDirty;
        now += missCycles;
        walks++;
        version[vpn] = (version[vpn]! + w) | 0;
      }
      if (slow === leftOnHits) continue; // also at the end or the deadline: the hit loop sees them
      // A dirty assist, a write through a read-only entry, or a fault.
      now += compute;
      i++;
      clock.now = now;
      this.bookWalks(walks);
      walks = 0;
      this.slowAccess(vpn, w !== 0, slow);
      version[vpn] = (version[vpn]! + w) | 0;
      now = clock.now;
    }
    clock.now = now;
    this.bookWalks(walks);
    clock.byCategory[CAT_COMPUTE]! += (i - from) * compute;
    return i;
  }

  /** Books page walks `run` counted locally (their cycles are already on the clock). */
  private bookWalks(walks: number): void {
    this.walks += walks;
    this.clock.byCategory[CAT_TLB_MISS]! += walks * this.walkCycles;
  }

  /**
   * Caches `vpn` with the rights and dirty state of its page-table entry `e`,
   * in `slot`, or in the set's round-robin victim when `slot` is −1.
   */
  private fill(vpn: number, e: number, slot: number): void {
    let f = (e & PTE_WRITABLE) !== 0 ? TLB_WRITABLE : 0;
    if ((e & PTE_DIRTY) !== 0 || !this.hardwareDirty) f |= TLB_DIRTY;
    if (slot < 0) {
      const set = vpn & this.setMask;
      const way = this.victim[set]!;
      this.victim[set] = way + 1 === this.ways ? 0 : way + 1;
      slot = set * this.ways + way;
      this.hint[vpn] = slot;
    }
    this.tag[slot] = (vpn << TAG_SHIFT) | f;
  }

  /** One access of B with no compute before it (setup, tests). */
  access(vpn: number, write: boolean): void {
    if (vpn < 0 || vpn >= this.space.pages || !Number.isInteger(vpn)) {
      throw new RangeError(`access outside B's memory: page ${vpn} of ${this.space.pages}`);
    }
    const slot = this.lookup(vpn);
    if (slot < 0 || (write && (this.tag[slot]! & TLB_WD) !== TLB_WD)) this.slowAccess(vpn, write, slot);
    if (write) this.memory.version[vpn] = (this.memory.version[vpn]! + 1) | 0;
  }

  /** The TLB slot caching `vpn`, or −1. */
  lookup(vpn: number): number {
    const slot = this.hint[vpn]!;
    return this.tag[slot]! >> TAG_SHIFT === vpn ? slot : -1;
  }

  /** Drops the TLB entry of one page (invlpg). The caller charges the cost. */
  invalidatePage(vpn: number): void {
    const slot = this.lookup(vpn);
    if (slot >= 0) this.tag[slot] = EMPTY;
  }

  /** Drops every TLB entry. The caller charges the cost. */
  flushAll(): void {
    this.tag.fill(EMPTY);
  }

  /** True when the TLB caches `vpn` as writable and dirty (a write would bypass the page table). */
  cachedWritableDirty(vpn: number): boolean {
    const slot = this.lookup(vpn);
    return slot >= 0 && (this.tag[slot]! & TLB_WD) === TLB_WD;
  }

  /** Everything but a TLB hit with sufficient rights: assist, walk, faults. */
  private slowAccess(vpn: number, write: boolean, slot: number): void {
    if (this.translate(vpn, write, slot)) return;
    const clock = this.clock;
    const start = clock.now;
    const phase = clock.phase;
    clock.phase = Phase.fault;
    for (let attempt = 0; ; attempt++) {
      if (attempt === MAX_FAULTS_PER_ACCESS) {
        throw new Error(
          `model error: ${write ? 'write' : 'read'} of page ${vpn} still faults after ${attempt} resolutions`,
        );
      }
      this.exceptions++;
      // A page fault invalidates the TLB entry of the faulting address (Intel SDM §4.10.4.1).
      this.invalidatePage(vpn);
      this.faultSink!.pageFault(vpn, write);
      if (this.translate(vpn, write, this.lookup(vpn))) break;
    }
    clock.phase = phase;
    this.faultStalls++;
    this.stalls.record(clock.now - start, StallCause.fault);
  }

  /**
   * The hardware's part of an access that missed the fast path: a dirty assist
   * or a page walk. Returns false when the access must fault.
   */
  private translate(vpn: number, write: boolean, slot: number): boolean {
    const pte = this.space.pte;
    const e = pte[vpn]!;
    if (slot >= 0 && write && (this.tag[slot]! & TLB_WRITABLE) !== 0) {
      // Cached writable but clean: the dirty assist re-reads the entry and sets D.
      this.assists++;
      this.clock.chargeCategory(CAT_DIRTY_ASSIST, this.assistCycles);
      if ((e & (PTE_PRESENT | PTE_WRITABLE)) !== (PTE_PRESENT | PTE_WRITABLE)) {
        this.tag[slot] = EMPTY;
        return false;
      }
      pte[vpn] = e | PTE_ACCESSED | PTE_DIRTY;
      this.tag[slot]! |= TLB_DIRTY;
      return true;
    }
    // TLB miss, or a write through an entry cached read-only: walk.
    this.walks++;
    this.clock.chargeCategory(CAT_TLB_MISS, this.walkCycles);
    if ((e & PTE_PRESENT) === 0 || (write && (e & PTE_WRITABLE) === 0)) {
      if (slot >= 0) this.tag[slot] = EMPTY;
      return false;
    }
    let updated = e | PTE_ACCESSED;
    if (write && this.hardwareDirty) updated |= PTE_DIRTY;
    pte[vpn] = updated;
    this.fill(vpn, updated, slot);
    return true;
  }
}
