/**
 * Costs composed from a profile's figures. The platform's operations charge
 * through these formulas and the strategies' analytic bounds are written with
 * them, so an operation and its bound cannot drift apart in what one RPC or
 * one invalidation costs. Counts (how many RPCs, how many pages) stay with the
 * caller: that is where operation and bound may disagree, and where a run's
 * bound check catches it.
 *
 * Charges pass the platform's sampled view (`platform.costs`, sampling.ts),
 * bounds the profile of maxima: so each formula reads each figure once per
 * occurrence it stands for (a draw per read where the figure is a distribution).
 */
import { PAGE_SIZE } from './core/types.ts';
import type { CostProfile } from './profile.ts';

/** A Genode RPC: call and reply (two one-way IPCs, each read: two draws of a distribution) around the server's work. */
export function rpcCycles(p: CostProfile, serverWork: number): number {
  return p.kernel.ipcOneWay + p.kernel.ipcOneWay + serverWork;
}

/**
 * TLB invalidation after `pages` page-table entries changed in one kernel
 * operation. Where the kernel flushes B's whole space (Fiasco.OC,
 * `kernel.unmapFlushesSpace`) there is no separate charge: on x86 B lost its
 * untagged entries when the CPU left it, and ARM's TLBIASID per deleted entry
 * is part of `kernel.unmapPerPage`. Elsewhere (Linux, arch/x86/mm/tlb.c
 * `flush_tlb_mm_range`) one invalidation per page up to the threshold, one
 * full flush past it.
 */
export function invalidationCycles(p: CostProfile, pages: number): number {
  if (pages <= 0 || p.kernel.unmapFlushesSpace) return 0;
  return pages > p.mmu.tlbFlushThresholdPages ? p.mmu.tlbFlushAll : pages * p.mmu.tlbInvalidatePage;
}

/** The most `invalidationCycles` can cost for at most `pages` changed entries. */
export function maxInvalidationCycles(p: CostProfile, pages: number): number {
  if (p.kernel.unmapFlushesSpace) return 0;
  const t = p.mmu.tlbFlushThresholdPages;
  if (pages <= t) return pages * p.mmu.tlbInvalidatePage;
  return Math.max(t * p.mmu.tlbInvalidatePage, p.mmu.tlbFlushAll);
}

/**
 * The most invalidation can cost per changed page, over operations of any
 * size: max(invlpg, flushAll / (threshold + 1)), since an operation flushes
 * the whole TLB only when it changed more than `threshold` pages; 0 where the
 * kernel flushes whole spaces (see `invalidationCycles`).
 */
export function maxInvalidationPerPage(p: CostProfile): number {
  if (p.kernel.unmapFlushesSpace) return 0;
  const m = p.mmu;
  return Math.max(m.tlbInvalidatePage, Math.ceil(m.tlbFlushAll / (m.tlbFlushThresholdPages + 1)));
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

/** A Fiasco.OC unmap syscall over a flexpage with `present` mapped entries, all changed. */
export function maxUnmapCycles(p: CostProfile, present: number): number {
  return p.kernel.syscall + present * p.kernel.unmapPerPage + maxInvalidationCycles(p, present);
}

/**
 * Scanning a bitmap of `bits` bits, one machine word at a time, and storing
 * the `set` bits found (a kernel dirty log, a checkpointer's bitmap): the
 * scan is O(bits / word), the rest O(set).
 */
export function bitmapScanCycles(p: CostProfile, bits: number, set: number): number {
  return Math.ceil(bits / p.cpu.wordBits) * p.cpu.bitmapScanPerWord + set * p.cpu.bitmapPerSetBit;
}

/**
 * `l4_cache_dma_coherent` over `pages` pages, as base-foc core's `unmap_local`
 * (map_local.h) issues it after the unmaps of a detach: on amd64 an empty
 * inline (l4sys ARCH-amd64/cache.h), costing nothing; on ARM a kernel call
 * (`l4_cache_op_arm_call`, ARCH-arm/cache.h) that cleans and invalidates the
 * range line by line (Fiasco mem_op.cpp `Op_cache_dma_coherent`).
 */
export function cacheMaintenanceCycles(p: CostProfile, pages: number): number {
  const call = p.kernel.cacheMaintenanceCall;
  const perLine = p.kernel.cacheMaintenancePerLine;
  if (call === 0 && perLine === 0) return 0;
  const lines = Math.ceil((pages * PAGE_SIZE) / p.cpu.cacheLineBytes);
  return call + lines * perLine;
}

/**
 * One fault of B that core's pager resolves, where B's RAM is attached
 * directly in its address space (a page A's detach unmapped, or one an unmap
 * revoking W left read-only): the walk, the exception, the fault IPC, core's
 * lookup (one level), the reply with up to 2^maxMapOrder pages, the retried
 * walk.
 */
export function pagerRefaultCycles(profile: CostProfile): number {
  const k = profile.kernel;
  return (
    profile.mmu.pageWalk +
    profile.mmu.pageWalk +
    k.pageFaultTrap +
    k.ipcOneWay +
    k.ipcOneWay +
    profile.core.regionLookup +
    2 ** profile.core.maxMapOrder * k.mapPerPage
  );
}
