/**
 * Costs composed from a profile's figures. The platform's operations charge
 * through these formulas and the strategies' analytic bounds are written with
 * them, so an operation and its bound cannot drift apart in what one RPC or
 * one invalidation costs. Counts (how many RPCs, how many pages) stay with the
 * caller: that is where operation and bound may disagree, and where a run's
 * bound check catches it.
 */
import type { CostProfile } from './profile.ts';

/** A Genode RPC: call and reply (two one-way IPCs) around the server's work. */
export function rpcCycles(p: CostProfile, serverWork: number): number {
  return 2 * p.kernel.ipcOneWay + serverWork;
}

/** TLB invalidation after `pages` page-table entries changed in one kernel operation. */
export function invalidationCycles(p: CostProfile, pages: number): number {
  if (pages <= 0) return 0;
  return pages > p.mmu.tlbFlushThresholdPages ? p.mmu.tlbFlushAll : pages * p.mmu.tlbInvalidatePage;
}

/** The most `invalidationCycles` can cost for at most `pages` changed entries. */
export function maxInvalidationCycles(p: CostProfile, pages: number): number {
  const t = p.mmu.tlbFlushThresholdPages;
  if (pages <= t) return pages * p.mmu.tlbInvalidatePage;
  return Math.max(t * p.mmu.tlbInvalidatePage, p.mmu.tlbFlushAll);
}

/**
 * The most the MMU adds to one of B's accesses outside a stall: a page walk
 * or a dirty assist, never both (`Mmu.run` walks a miss for a write with D
 * set; `Mmu.translate` takes one or the other, and an access that then
 * faults walks again inside the fault's stall).
 */
export function maxAccessTranslationCycles(p: CostProfile): number {
  return Math.max(p.mmu.pageWalk, p.mmu.hardwareDirtyBit ? p.mmu.dirtyAssist : 0);
}

/** Stopping B's thread and resuming it at a checkpoint: two Cpu_thread RPCs. */
export function pauseResumeCycles(p: CostProfile): number {
  return 2 * rpcCycles(p, p.core.threadControl);
}

/** A Fiasco.OC unmap syscall over a flexpage with `present` mapped pages, all changed. */
export function maxUnmapCycles(p: CostProfile, present: number): number {
  return p.kernel.syscall + present * p.kernel.unmapPerPage + maxInvalidationCycles(p, present);
}
