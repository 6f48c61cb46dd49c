/**
 * One emulated machine: the profile, the clock and stall log, B's memory with
 * its oracle, the MMU, the kernel and Genode core, wired together. Every run
 * (and the baseline of every run) gets a fresh one.
 */
import { Clock, StallLog } from './clock.ts';
import {
  type CheckpointerSpaceCounters,
  Core,
  type PagerCounters,
  type RegionMapCounters,
} from './core/index.ts';
import { Kernel, type KernelCounters } from './kernel.ts';
import { TargetMemory } from './memory.ts';
import { AddressSpace, Mmu, type MmuCounters } from './mmu.ts';
import type { CostProfile } from './profile.ts';
import { createPageRecords } from './records.ts';
import { type CostStreams, sampledCosts } from './sampling.ts';

export interface Platform {
  /** The profile as loaded: every figure a constant or a distribution's maximum (what bounds read). */
  readonly profile: CostProfile;
  /**
   * The profile as this run charges it (sampling.ts): a distribution figure
   * draws on every read; the profile itself when every figure is a constant.
   * The MMU, kernel and core charge through it, and strategies get it as
   * their context's `profile`.
   */
  readonly costs: CostProfile;
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

/**
 * Creates a machine whose target B has `pages` pages of memory (nothing
 * attached yet). `streams` opens the random stream of each cost figure (the
 * run's seed; src/run/cost-streams.ts), needed when the profile has
 * distributions.
 */
export function createPlatform(profile: CostProfile, pages: number, streams?: CostStreams): Platform {
  if (!Number.isSafeInteger(pages) || pages < 1)
    throw new RangeError(`B needs at least one page, got ${pages}`);
  const costs = sampledCosts(profile, streams);
  const clock = new Clock();
  const stalls = new StallLog();
  const records = createPageRecords(pages);
  const memory = new TargetMemory(records);
  const space = new AddressSpace(records);
  const mmu = new Mmu(costs, clock, space, memory, stalls);
  const kernel = new Kernel(costs, clock, mmu, space, stalls);
  const core = new Core(costs, clock, kernel);
  mmu.faultSink = kernel;
  kernel.pager = core;
  return { profile, costs, clock, stalls, memory, space, mmu, kernel, core, pages };
}

/**
 * Event counters of a platform, for explaining a result (diff two snapshots
 * for an interval). Each component declares and counts its own, under the
 * names results give them (`MmuCounters` in mmu.ts, `KernelCounters` in
 * kernel.ts, core's `PagerCounters`, `RegionMapCounters` and
 * `CheckpointerSpaceCounters`); this is their
 * union, and the field docs are there.
 */
export type PlatformCounters = {
  [K in keyof (MmuCounters &
    PagerCounters &
    KernelCounters &
    RegionMapCounters &
    CheckpointerSpaceCounters)]: number;
};

/**
 * The counter groups of `p`, in the order results list them (keys of
 * `metrics.counters` keep their place: scripts and diffs of results rely on it).
 */
export function counterGroups(p: Platform): readonly object[] {
  return [
    p.mmu.counters,
    p.core.pagerCounters,
    p.kernel.counters,
    p.core.regionMapCounters,
    p.core.checkpointerCounters,
  ];
}

/** A snapshot of every component's counters, as one object. */
export function platformCounters(p: Platform): PlatformCounters {
  return Object.assign({}, ...counterGroups(p)) as PlatformCounters;
}

/** `after − before`, field by field. */
export function diffCounters(after: PlatformCounters, before: PlatformCounters): PlatformCounters {
  const out = { ...after };
  for (const k of Object.keys(out) as (keyof PlatformCounters)[]) out[k] = after[k] - before[k];
  return out;
}
