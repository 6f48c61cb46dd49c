/**
 * The MMU: B's page table and the TLB of the core, in flat typed arrays
 * (docs/design.md §2, §8). This is the per-access hot path of the whole harness.
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
 *
 * Superpages (`mmu.superpageOrder`: 2 MiB on x86_64, 1 MiB sections on
 * ARMv7): one page-table entry, one TLB entry, one W and one D bit for all
 * the pages of the aligned range (Intel SDM §4.5, a PDE with PS set; ARM ARM
 * B3.5, a section). The kernel installs them (kernel.ts `map`); in B's page
 * records the superpage's entry lives in its first page's PTE word, flagged
 * PTE_LARGE, and every other page of it holds PTE_LARGE alone, "look at my
 * superpage's first page". The TLB caches a superpage under its first page's
 * number, in the set that number's superpage index selects, and that first
 * page's hint names the slot. An invlpg of any of its pages drops it.
 *
 * For the oracle (memory.ts), the MMU logs the page of every TLB fill and
 * every dirty assist — never anything on a hit: every write of B passes
 * through an entry made writable and dirty by one of them. A writable
 * superpage entry lets B write any of its pages, so its fill or assist logs
 * them all (superpages are few, and only untracked memory has them).
 */
import { Cat, type Clock, Phase, StallCause, type StallCauseId, type StallLog } from './clock.ts';
import { ModelError } from './errors.ts';
import type { TargetMemory, WriteLog, WriteWitness } from './memory.ts';
import type { CostProfile } from './profile.ts';
import { FINGERPRINT_WORD, PTE_WORD, RECORD_WORDS } from './records.ts';
import { isDistribution } from './sampling.ts';

/** Page-table entry flags (bits 0–7 of a page's PTE word, records.ts). */
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
 * The page lies in a superpage mapping. On the superpage's first page, with
 * the entry's flags beside it; on every other page of it, alone (the entry is
 * the first page's).
 */
export const PTE_LARGE = 32;
/**
 * Software bit: write permission withheld by the kernel's copy-on-write
 * write-protect (`--copy=cow`, kernel.ts `cowProtect`) from a page that was
 * writable, so that B's write faults to A until A has copied the page; the
 * kernel gives W back when it lifts the protection.
 */
export const PTE_COW = 64;
/** The flag bits of a PTE word; the bits above hold the MMU's TLB slot hint. */
export const PTE_FLAGS = 0xff;
/** Where the TLB slot hint starts in a PTE word. */
const HINT_SHIFT = 8;

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
/** Up to this many fills since the last flush, `flushAll` empties their entries instead of the whole TLB (host time only). */
const FLUSH_LISTED = 64;

/** Categories as module constants: the hot loop must not go through an imported binding. */
const CAT_COMPUTE = Cat.compute;
const CAT_TLB_MISS = Cat.tlbMiss;
const CAT_DIRTY_ASSIST = Cat.tlbDirtyAssist;

/**
 * The literals `Mmu.run` uses in place of the constants above, checked once
 * when the module loads: change a constant and this fails until `run` follows.
 */
const HOT_LOOP_LITERALS: [number, number][] = [
  [RECORD_WORDS, 2],
  [PTE_WORD, 0],
  [FINGERPRINT_WORD, 1],
  [HINT_SHIFT, 8],
  [PTE_FLAGS, 0xff],
  [TAG_SHIFT, 2],
  [TLB_WRITABLE, 1],
  [TLB_DIRTY, 2],
  [PTE_PRESENT, 1],
  [PTE_WRITABLE, 2],
  [PTE_ACCESSED, 4],
  [PTE_DIRTY, 8],
  [PTE_LARGE, 32],
  [PTE_PRESENT | PTE_LARGE, 33],
];
for (const [constant, literal] of HOT_LOOP_LITERALS) {
  if (constant !== literal)
    throw new ModelError(`mmu.ts: Mmu.run assumes ${literal} where a constant is now ${constant}`);
}

/** Resolutions of one access before the model is declared broken. */
const MAX_FAULTS_PER_ACCESS = 8;

/**
 * A Fiasco.OC task's memory space: the page table of B, indexed by B's page
 * number. The entries are word 0 of B's page records (records.ts).
 */
export class AddressSpace {
  /** Number of pages (virtual page numbers 0 … pages−1). */
  readonly pages: number;
  /** B's page records; the PTE word of page p is `records[2p]`. */
  readonly records: Int32Array;
  /** Physical frame number per page (valid while present). */
  readonly frame: Int32Array;

  constructor(records: Int32Array) {
    this.pages = records.length / RECORD_WORDS;
    this.records = records;
    this.frame = new Int32Array(this.pages);
  }

  // flags/setFlags run in the kernel's per-page loops; like Mmu.run they use
  // the record layout as literals (RECORD_WORDS 2, PTE_WORD 0, PTE_FLAGS 0xff),
  // checked by HOT_LOOP_LITERALS.

  /** The PTE_* flags of page `vpn`. */
  flags(vpn: number): number {
    return this.records[vpn << 1]! & 0xff;
  }

  /** Sets the PTE_* flags of page `vpn` (the MMU's hint bits stay). */
  setFlags(vpn: number, flags: number): void {
    const x = vpn << 1;
    this.records[x] = (this.records[x]! & ~0xff) | flags;
  }
}

/** Where the MMU raises a page fault: the kernel. */
export interface FaultSink {
  /** Handles a page fault of B at `vpn`; returns when B may retry the access. */
  pageFault(vpn: number, write: boolean): void;
  /**
   * The faulting access has completed and its stall is recorded: the kernel's
   * return to B, where it may stall B again for something the fault set off
   * (a full dirty ring), recorded as a stall of its own kind.
   */
  faultDone(): void;
  /**
   * The kind of the stall that just ended, asked once per faulting access:
   * `cowFault` when resolving it copied a page for a copy-on-write
   * checkpoint (however many resolutions it took), else `fault`.
   */
  faultStallCause(): StallCauseId;
}

/**
 * The MMU's event counters, named as `metrics.counters` names them in results
 * (the platform gathers every component's counters, platform.ts). `Mmu.run`
 * counts its walks in a local and books them here when it leaves.
 */
export class MmuCounters {
  /** TLB misses (page walks). */
  tlbMisses = 0;
  /** Dirty assists (first write through a clean TLB entry). */
  dirtyAssists = 0;
  /** Page-fault exceptions, retries included. */
  pageFaultExceptions = 0;
  /**
   * Tracking faults that stalled B (one per access that faulted, however many
   * retries); a copy-on-write fault (`--copy=cow`) is a stall of its own kind
   * and not counted here.
   */
  faultStalls = 0;
  /**
   * Whole-TLB flushes that dropped entries: an untagged switch away from B
   * (an IPC, a checkpoint), a Fiasco.OC unmap (a flush of an empty TLB is not
   * counted).
   */
  tlbFlushes = 0;
}

/** The TLB and the access path of B's one thread. */
export class Mmu implements WriteWitness {
  /** Ways per set and set count (entries = ways × sets). */
  readonly ways: number;
  readonly sets: number;
  /**
   * The TLB: per entry, (vpn << TAG_SHIFT) | TLB_WRITABLE | TLB_DIRTY, or −1
   * when empty. Entry e of set s is at s·ways + e.
   *
   * Each page's PTE word also holds, above its flags, the TLB slot that last
   * cached the page. The hardware searches a set's ways in parallel; this
   * hint gives the simulator the same O(1) lookup whatever the associativity,
   * in the cache line the access reads anyway. It is only a hint: the slot
   * caches the page iff the slot's tag names the page, so evicting an entry
   * needs no write to the evicted page's record.
   */
  readonly tag: Int32Array;
  /** B's page records: PTE word at 2p, fingerprint at 2p + 1 (records.ts). */
  private readonly records: Int32Array;
  /** The oracle's log of the pages of TLB fills and dirty assists (memory.ts). */
  private readonly writeLog: WriteLog;
  /** Round-robin victim per set (deterministic replacement). */
  private readonly victim: Uint8Array;
  private readonly setMask: number;
  private readonly hardwareDirty: boolean;
  /** A page walk's cycles, when the profile gives a constant (0 when `walkDrawn`). */
  private readonly walkCycles: number;
  /**
   * The profile gives the page walk as a distribution: every walk draws its
   * cycles (sampling.ts), so `run` leaves its inline loops, which add one
   * constant per walk, for `runEach`. Decided once, here.
   */
  private readonly walkDrawn: boolean;
  /** Pages per superpage (1 without superpages) and the mask of a superpage's first page. */
  readonly superpagePages: number;
  private readonly superMask: number;
  /** The superpage index's shift into a set number. */
  private readonly superShift: number;
  /** Page walks (TLB fills) as `counters.tlbMisses` stood at the last flush: no fill since, nothing to flush. */
  private walksAtFlush = -1;
  /**
   * What `flushAll` needs to empty only the entries filled since the last
   * flush (host time only): the slots `fill` filled (their number may pass
   * the list's length), and the write log's resets and length at the flush —
   * `run`'s miss loop logs the page of every fill it makes.
   */
  private readonly filledSlots = new Int32Array(FLUSH_LISTED);
  private filledCount = 0;
  private logResetsAtFlush = -1;
  private logCountAtFlush = 0;

  /** Receives page faults; wired by the platform. */
  faultSink: FaultSink | null = null;

  /** What the MMU counts, under the names results give them. */
  readonly counters = new MmuCounters();

  /**
   * `costs`: the profile as the run charges it (platform.ts `costs`); the
   * page walk and the dirty assist are read from it on every slow-path charge.
   */
  constructor(
    private readonly costs: CostProfile,
    private readonly clock: Clock,
    readonly space: AddressSpace,
    memory: TargetMemory,
    private readonly stalls: StallLog,
  ) {
    if (space.records !== memory.records)
      throw new RangeError('the MMU needs the address space and the oracle on the same page records');
    const mmu = costs.mmu;
    this.ways = mmu.tlbWays | 0;
    this.sets = mmu.tlbEntries / mmu.tlbWays;
    this.setMask = (this.sets - 1) | 0;
    this.tag = new Int32Array(mmu.tlbEntries).fill(EMPTY);
    this.victim = new Uint8Array(this.sets);
    this.records = space.records;
    this.hardwareDirty = mmu.hardwareDirtyBit;
    this.walkDrawn = isDistribution(costs, 'mmu.pageWalk');
    this.walkCycles = this.walkDrawn ? 0 : mmu.pageWalk;
    this.superShift = mmu.superpageOrder;
    this.superpagePages = 2 ** mmu.superpageOrder;
    this.superMask = ~(this.superpagePages - 1);
    this.writeLog = memory.writeLog;
    memory.attachWitness(this);
  }

  /**
   * Runs B over accesses [from, to) of a batch, charging `compute` cycles
   * before each access, and stops early before the first access that would
   * start at or after `deadline` (the next checkpoint). Returns the index of
   * the first access not executed. TLB hits and the misses a page walk
   * resolves are handled inline, allocating nothing and calling nothing;
   * dirty assists, writes through read-only entries and faults take the slow
   * path. Page p's record is records[2p] (PTE word) and records[2p + 1]
   * (fingerprint), checked in the constructor. Each fill appends its page to
   * the oracle's write log (memory.ts), which has room for one entry per
   * access of the batch. (Logging every fill measured faster than testing
   * for a writable, dirty entry first: a store and an add per miss, about
   * 5 % of the miss loop; nothing on the hit loop.)
   */
  run(
    pages: Int32Array,
    writes: Uint8Array,
    from: number,
    to: number,
    compute: number,
    deadline: number,
  ): number {
    if (this.walkDrawn) return this.runEach(pages, writes, from, to, compute, deadline);
    // The loops below write the bit layout as literals, checked against the
    // named constants when this module loads (see HOT_LOOP_LITERALS): V8
    // re-reads and re-checks a module binding on every use in a loop, and a
    // local holding one costs a register or a stack slot per access; both
    // halved the rate. Page p's record is records[2p] (PTE word: flags in bits
    // 0–7, TLB slot hint from bit 8) and records[2p + 1] (fingerprint); a TLB
    // entry is (vpn << 2) | dirty (bit 1) | writable (bit 0); PTE bits: present
    // 1, writable 2, accessed 4, dirty 8, large 32 (a page of a superpage).
    const clock = this.clock;
    const tag = this.tag;
    const records = this.records;
    const victim = this.victim;
    const ways = this.ways | 0;
    const setMask = this.setMask | 0;
    // Unboxed once: V8 otherwise re-checks these tagged values on every use.
    const cycles = +compute;
    const end = +deadline;
    const missCycles = cycles + this.walkCycles;
    // Exactness (exact.ts, rule 4): `now` below is a local the loops add to
    // unchecked, at most missCycles per access (all else an access costs is
    // charged through the clock, which checks), and it is written back to
    // the clock before every slow-path access and at the end. So checking
    // here, and again after each slow path, that the remaining accesses at
    // missCycles each keep the time at most 2^53 − 1 makes every addition
    // of the loops exact.
    clock.checkAhead(to - from, (to - from) * missCycles);
    // A walk for a write sets D; without hardware D bits every entry is cached dirty.
    const dirtyOnWrite = this.hardwareDirty ? 8 : 0;
    const alwaysDirty = this.hardwareDirty ? 0 : 2;
    let now = +clock.now;
    let walks = 0;
    let i = from;
    // The write log: at most one entry per access (a fill here, or one on the
    // slow path), so room for to − from entries needs no check in the loops.
    const writeLog = this.writeLog;
    if (writeLog.count + (to - from) > writeLog.pages.length) writeLog.reserve(to - from);
    let logged = writeLog.pages;
    let n = writeLog.count;
    while (i < to) {
      // The TLB-hit loop, kept tight: it leaves at the deadline, at the end,
      // or at the first access that is not a hit with sufficient rights.
      for (; i < to; i++) {
        if (now >= end) break;
        const vpn = pages[i]!;
        const w = writes[i]!;
        const x = vpn << 1;
        const t = tag[records[x]! >> 8]!;
        // Rights a hit needs: none for a read, writable and dirty for a write
        // (w is 0 or 1, so −w is all ones or none); branch-free on w, because
        // real workloads mix reads and writes unpredictably.
        const need = -w & 3;
        if (t >> 2 !== vpn || (t & need) !== need) break;
        now += cycles;
        records[x + 1] = (records[x + 1]! + w) | 0;
      }
      if (i === to || now >= end) break;
      // The miss loop: TLB misses a page walk resolves, and hits between
      // them, until 16 hits in a row send it back to the hit loop, or an
      // access needs the slow path (`slow` is then its TLB slot, or −1), or
      // is to a page of a superpage (−3); it stays −2 when the loop ends on
      // hits, at the end, or at the deadline.
      let slow = -2;
      let vpn = 0;
      let w = 0;
      for (let hits = 0; i < to; i++) {
        if (now >= end) break;
        vpn = pages[i]!;
        w = writes[i]!;
        const x = vpn << 1;
        const e = records[x]!;
        const cached = e >> 8;
        const t = tag[cached]!;
        if (t >> 2 === vpn) {
          const need = -w & 3;
          if ((t & need) !== need) {
            slow = cached;
            break;
          }
          now += cycles;
          records[x + 1] = (records[x + 1]! + w) | 0;
          if (++hits === 16) {
            i++;
            break;
          }
          continue;
        }
        hits = 0;
        // The walk resolves the miss when the page is present, and writable
        // for a write. A page of a superpage (PTE bit 5) goes to the
        // superpage loop (slow −3).
        if ((e & 33) !== 1 || (w & ~(e >> 1)) !== 0) {
          slow = (e & 32) === 0 ? -1 : -3;
          break;
        }
        // Set A, and D for a write (where the hardware has D).
        const updated = (e & 0xff) | 4 | (-w & dirtyOnWrite);
        const set = vpn & setMask;
        const way = victim[set]!;
        // The next victim, wrapping at `ways`, branch-free: with few ways and
        // random sets a wrap branch mispredicts often.
        const next = way + 1;
        victim[set] = next & ((next - ways) >> 31);
        const fill = Math.imul(set, ways) + way;
        records[x] = updated | (fill << 8);
        // PTE writable (bit 1) → TLB writable (bit 0), PTE dirty (bit 3) → TLB dirty (bit 1).
        tag[fill] = (vpn << 2) | ((updated >> 1) & 1) | ((updated >> 2) & 2) | alwaysDirty;
        logged[n++] = vpn;
        now += missCycles;
        walks++;
        records[x + 1] = (records[x + 1]! + w) | 0;
      }
      if (slow === -2) continue; // also at the end or the deadline: the hit loop sees them
      if (slow === -3) {
        // A page of a superpage: the superpage loop runs until an access it cannot take.
        clock.now = now;
        i = this.superpageRun(pages, writes, i, to, cycles, end);
        now = +clock.now;
        slow = this.stopSlot;
        if (slow === -2) continue;
        vpn = pages[i]!;
        w = writes[i]!;
      }
      // A dirty assist, a write through a read-only entry, a superpage's walk, or a fault.
      now += cycles;
      i++;
      clock.now = now;
      this.bookWalks(walks);
      walks = 0;
      writeLog.count = n;
      this.slowAccess(vpn, w !== 0, slow);
      // The slow path logs through push (one entry per access); keep the room for the rest.
      if (writeLog.count + (to - i) > writeLog.pages.length) writeLog.reserve(to - i);
      logged = writeLog.pages;
      n = writeLog.count;
      const x = (vpn << 1) + 1;
      records[x] = (records[x]! + w) | 0;
      now = +clock.now;
      clock.checkAhead(to - i, (to - i) * missCycles);
    }
    clock.now = now;
    this.bookWalks(walks);
    writeLog.count = n;
    clock.byCategory[CAT_COMPUTE]! += (i - from) * compute;
    return i;
  }

  /** The slow path's slot for the access `superpageRun` stopped at (−2: none). */
  private stopSlot = -2;

  /**
   * The superpage loop of `run`, from access `from` at the clock's time: hits
   * on superpages, cached under their first page (whose hint names the slot),
   * and hits on 4 KiB pages between them, until an access that is neither,
   * the end, or the deadline. Returns where it stopped, the clock advanced to
   * the time there. An access it stops at on a 4 KiB page goes back to the hit and
   * miss loops (`stopSlot` −2); on a superpage, to the slow path, with the
   * superpage's slot when cached (an assist), else −1 (a walk). Kept out of
   * `run`, whose 4 KiB loops V8 compiles tighter without it.
   */
  private superpageRun(
    pages: Int32Array,
    writes: Uint8Array,
    from: number,
    to: number,
    cycles: number,
    end: number,
  ): number {
    const tag = this.tag;
    const records = this.records;
    const superMask = this.superMask | 0;
    let now = +this.clock.now;
    let slot = -2;
    let i = from;
    for (; i < to; i++) {
      if (now >= end) break;
      const vpn = pages[i]!;
      const w = writes[i]!;
      const x = vpn << 1;
      const e = records[x]!;
      const key = (e & 32) === 0 ? vpn : vpn & superMask;
      const cached = records[key << 1]! >> 8;
      const t = tag[cached]!;
      const need = -w & 3;
      if (t >> 2 !== key || (t & need) !== need) {
        if ((e & 32) !== 0) slot = t >> 2 === key ? cached : -1;
        break;
      }
      now += cycles;
      records[x + 1] = (records[x + 1]! + w) | 0;
    }
    this.clock.now = now;
    this.stopSlot = slot;
    return i;
  }

  /** Books page walks `run` counted locally (their cycles are already on the clock). */
  private bookWalks(walks: number): void {
    this.counters.tlbMisses += walks;
    this.clock.byCategory[CAT_TLB_MISS]! += walks * this.walkCycles;
  }

  /**
   * Caches the entry held by page `p` (a page, or a superpage's first page)
   * with the rights and dirty state of its flags `e`, in `slot`, or in its
   * set's round-robin victim when `slot` is −1. A superpage goes to the set
   * its superpage index selects.
   */
  private fill(p: number, e: number, slot: number): void {
    let f = (e & PTE_WRITABLE) !== 0 ? TLB_WRITABLE : 0;
    if ((e & PTE_DIRTY) !== 0 || !this.hardwareDirty) f |= TLB_DIRTY;
    if (slot < 0) {
      const set = ((e & PTE_LARGE) !== 0 ? p >> this.superShift : p) & this.setMask;
      const way = this.victim[set]!;
      this.victim[set] = way + 1 === this.ways ? 0 : way + 1;
      slot = set * this.ways + way;
      const x = p * RECORD_WORDS + PTE_WORD;
      this.records[x] = (this.records[x]! & PTE_FLAGS) | (slot << HINT_SHIFT);
    }
    this.tag[slot] = (p << TAG_SHIFT) | f;
    if (this.filledCount < FLUSH_LISTED) this.filledSlots[this.filledCount] = slot;
    this.filledCount++;
    this.logEntry(p, e);
  }

  /**
   * Logs the pages B may write through the entry held by page `p` (flags
   * `e`): the page itself, or every page of a writable superpage.
   */
  private logEntry(p: number, e: number): void {
    if ((e & PTE_LARGE) === 0) this.writeLog.push(p);
    else if ((e & PTE_WRITABLE) !== 0)
      this.writeLog.pushRange(p, Math.min(this.superpagePages, this.space.pages - p));
  }

  /** The page whose record holds the entry mapping `vpn`: itself, or its superpage's first page. */
  entryPage(vpn: number): number {
    return (this.space.flags(vpn) & PTE_LARGE) !== 0 ? vpn & this.superMask : vpn;
  }

  /**
   * `run` where every page walk draws its cycles (`walkDrawn`): one access at
   * a time, a TLB hit inline and everything else through the slow path,
   * which charges each walk as drawn. Slower than `run`'s inline loops, and
   * exactly what they do otherwise (the tests hold the two to each other
   * with a distribution of one value).
   */
  private runEach(
    pages: Int32Array,
    writes: Uint8Array,
    from: number,
    to: number,
    compute: number,
    deadline: number,
  ): number {
    const clock = this.clock;
    let i = from;
    for (; i < to && clock.now < deadline; i++) {
      clock.now += compute;
      this.step(pages[i]!, writes[i] !== 0);
    }
    clock.byCategory[CAT_COMPUTE]! += (i - from) * compute;
    return i;
  }

  /** One access of B with no compute before it (setup, tests). */
  access(vpn: number, write: boolean): void {
    if (vpn < 0 || vpn >= this.space.pages || !Number.isInteger(vpn)) {
      throw new RangeError(`access outside B's memory: page ${vpn} of ${this.space.pages}`);
    }
    this.step(vpn, write);
  }

  /** One access at page `vpn`: a hit with sufficient rights, or the slow path; then the write's fingerprint. */
  private step(vpn: number, write: boolean): void {
    const slot = this.lookup(vpn);
    if (slot < 0 || (write && (this.tag[slot]! & TLB_WD) !== TLB_WD)) this.slowAccess(vpn, write, slot);
    if (write) {
      const x = vpn * RECORD_WORDS + FINGERPRINT_WORD;
      this.records[x] = (this.records[x]! + 1) | 0;
    }
  }

  /** The TLB slot caching the entry that maps `vpn` (a page's, or its superpage's), or −1. */
  lookup(vpn: number): number {
    const p = this.entryPage(vpn);
    const slot = this.records[p * RECORD_WORDS + PTE_WORD]! >> HINT_SHIFT;
    return this.tag[slot]! >> TAG_SHIFT === p ? slot : -1;
  }

  /** Drops the TLB entry that maps `vpn` (invlpg; for a page of a superpage, the superpage's). The caller charges the cost. */
  invalidatePage(vpn: number): void {
    const slot = this.lookup(vpn);
    if (slot >= 0) this.tag[slot] = EMPTY;
  }

  /**
   * Logs every page the TLB caches writable and dirty (the oracle's
   * checkpoint, memory.ts): a 4 KiB entry's page, or all of a superpage's.
   */
  logWritableEntries(log: WriteLog): void {
    // No walk since the last flush: the TLB is empty (see flushAll), and a
    // checkpoint's stop RPC flushes an untagged TLB just before this, so the
    // scan of every slot (2048) is skipped at most checkpoints (host time only).
    if (this.counters.tlbMisses === this.walksAtFlush) return;
    const tag = this.tag;
    for (let slot = 0; slot < tag.length; slot++) {
      const t = tag[slot]!;
      if (t === EMPTY || (t & TLB_WD) !== TLB_WD) continue;
      const p = t >> TAG_SHIFT;
      if ((this.space.flags(p) & PTE_LARGE) !== 0)
        log.pushRange(p, Math.min(this.superpagePages, this.space.pages - p));
      else log.push(p);
    }
  }

  /**
   * Drops every TLB entry. The caller charges the cost. Entries come only
   * from page walks, so with no walk since the last flush there is nothing
   * to drop: the flush is skipped, and not counted.
   */
  flushAll(): void {
    if (this.counters.tlbMisses === this.walksAtFlush) return;
    this.walksAtFlush = this.counters.tlbMisses;
    const log = this.writeLog;
    const from = this.logCountAtFlush;
    if (
      log.resets === this.logResetsAtFlush &&
      log.count >= from &&
      log.count - from <= FLUSH_LISTED &&
      this.filledCount <= FLUSH_LISTED
    ) {
      // Few fills since the last flush, all known: every entry the TLB holds
      // was filled since (a flush empties it), by `fill` (listed) or by
      // `run`'s miss loop (its page logged, its record's hint naming the
      // slot). Emptying those is the whole flush; the TLB has 2048 entries.
      const tag = this.tag;
      for (let i = 0; i < this.filledCount; i++) tag[this.filledSlots[i]!] = EMPTY;
      for (let i = from; i < log.count; i++) {
        const p = log.pages[i]!;
        const slot = this.records[p * RECORD_WORDS + PTE_WORD]! >> HINT_SHIFT;
        if (tag[slot]! >> TAG_SHIFT === p) tag[slot] = EMPTY;
      }
    } else this.tag.fill(EMPTY);
    this.filledCount = 0;
    this.logResetsAtFlush = log.resets;
    this.logCountAtFlush = log.count;
    this.counters.tlbFlushes++;
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
        throw new ModelError(
          `${write ? 'write' : 'read'} of page ${vpn} still faults after ${attempt} resolutions`,
        );
      }
      this.counters.pageFaultExceptions++;
      // A page fault invalidates the TLB entry of the faulting address (Intel SDM §4.10.4.1).
      this.invalidatePage(vpn);
      this.faultSink!.pageFault(vpn, write);
      if (this.translate(vpn, write, this.lookup(vpn))) break;
    }
    clock.phase = phase;
    const cause = this.faultSink!.faultStallCause();
    if (cause === StallCause.fault) this.counters.faultStalls++;
    this.stalls.record(clock.now - start, cause);
    this.faultSink!.faultDone();
  }

  /**
   * The hardware's part of an access that missed the fast path: a dirty assist
   * or a page walk. Returns false when the access must fault.
   */
  private translate(vpn: number, write: boolean, slot: number): boolean {
    const space = this.space;
    // A page of a superpage: the entry, and the TLB slot caching it, are its first page's.
    const p = this.entryPage(vpn);
    if (p !== vpn) slot = this.lookup(p);
    const e = space.flags(p);
    if (slot >= 0 && write && (this.tag[slot]! & TLB_WRITABLE) !== 0) {
      if ((this.tag[slot]! & TLB_DIRTY) !== 0) return true; // a superpage's hit that came this way
      // Cached writable but clean: the dirty assist re-reads the entry and sets D.
      this.counters.dirtyAssists++;
      this.clock.chargeCategory(CAT_DIRTY_ASSIST, this.costs.mmu.dirtyAssist);
      if ((e & (PTE_PRESENT | PTE_WRITABLE)) !== (PTE_PRESENT | PTE_WRITABLE)) {
        this.tag[slot] = EMPTY;
        return false;
      }
      space.setFlags(p, e | PTE_ACCESSED | PTE_DIRTY);
      this.tag[slot]! |= TLB_DIRTY;
      this.logEntry(p, e);
      return true;
    }
    if (slot >= 0 && !write) return true; // a superpage's read hit that came this way
    // TLB miss, or a write through an entry cached read-only: walk.
    this.counters.tlbMisses++;
    this.clock.chargeCategory(CAT_TLB_MISS, this.walkDrawn ? this.costs.mmu.pageWalk : this.walkCycles);
    if ((e & PTE_PRESENT) === 0 || (write && (e & PTE_WRITABLE) === 0)) {
      if (slot >= 0) this.tag[slot] = EMPTY;
      return false;
    }
    let updated = e | PTE_ACCESSED;
    if (write && this.hardwareDirty) updated |= PTE_DIRTY;
    space.setFlags(p, updated);
    this.fill(p, updated, slot);
    return true;
  }
}
