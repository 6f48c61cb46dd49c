/**
 * One emulated machine: the profile, the clock and stall log, B's memory with
 * its oracle, the MMU, the kernel and Genode core, wired together. Every run
 * (and the baseline of every run) gets a fresh one.
 */
import { Clock, StallLog } from './clock.ts';
import { Core } from './core.ts';
import { Kernel } from './kernel.ts';
import { TargetMemory } from './memory.ts';
import { AddressSpace, Mmu } from './mmu.ts';
import type { CostProfile } from './profile.ts';
import { createPageRecords } from './records.ts';

export interface Platform {
  readonly profile: CostProfile;
  readonly clock: Clock;
  readonly stalls: StallLog;
  /** Ground truth of B's writes and the content fingerprints. */
  readonly memory: TargetMemory;
  /** B's page table. */
  readonly space: AddressSpace;
  readonly mmu: Mmu;
  readonly kernel: Kernel;
  readonly core: Core;
  /** Number of pages of B's memory. */
  readonly pages: number;
}

/** Creates a machine whose target B has `pages` pages of memory (nothing attached yet). */
export function createPlatform(profile: CostProfile, pages: number): Platform {
  if (!Number.isSafeInteger(pages) || pages < 1)
    throw new RangeError(`B needs at least one page, got ${pages}`);
  const clock = new Clock();
  const stalls = new StallLog();
  const records = createPageRecords(pages);
  const memory = new TargetMemory(records);
  const space = new AddressSpace(records);
  const mmu = new Mmu(profile, clock, space, memory, stalls);
  const kernel = new Kernel(profile, clock, mmu, space);
  const core = new Core(profile, clock, kernel);
  mmu.faultSink = kernel;
  kernel.pager = core;
  return { profile, clock, stalls, memory, space, mmu, kernel, core, pages };
}

/** Event counters of a platform, for explaining a result (diff two snapshots for an interval). */
export interface PlatformCounters {
  /** TLB misses (page walks). */
  tlbMisses: number;
  /** Dirty assists (first write through a clean TLB entry). */
  dirtyAssists: number;
  /** Page-fault exceptions, retries included. */
  pageFaultExceptions: number;
  /** Faults that stalled B (one per access that faulted, however many retries). */
  faultStalls: number;
  /** Faults core's pager answered with a mapping. */
  pagerMaps: number;
  /** Faults core reflected to a region map's fault handler. */
  regionMapFaults: number;
  /** Write-fault notifications to a tracker (kernel extension). */
  notifications: number;
  /** Pages logged by the in-kernel dirty log (kernel extension). */
  logAppends: number;
  /** l4_task_unmap syscalls. */
  unmapCalls: number;
  /** Page-table entries installed by map. */
  pagesMapped: number;
  /** Region_map attach, detach and state() RPCs. */
  attaches: number;
  detaches: number;
  stateCalls: number;
}

export function platformCounters(p: Platform): PlatformCounters {
  return {
    tlbMisses: p.mmu.walks,
    dirtyAssists: p.mmu.assists,
    pageFaultExceptions: p.mmu.exceptions,
    faultStalls: p.mmu.faultStalls,
    pagerMaps: p.core.pagerMaps,
    regionMapFaults: p.core.regionMapFaults,
    notifications: p.kernel.notifications,
    logAppends: p.kernel.logAppends,
    unmapCalls: p.kernel.unmapCalls,
    pagesMapped: p.kernel.pagesMapped,
    attaches: p.core.attaches,
    detaches: p.core.detaches,
    stateCalls: p.core.stateCalls,
  };
}

/** `after − before`, field by field. */
export function diffCounters(after: PlatformCounters, before: PlatformCounters): PlatformCounters {
  const out = { ...after };
  for (const k of Object.keys(out) as (keyof PlatformCounters)[]) out[k] = after[k] - before[k];
  return out;
}
