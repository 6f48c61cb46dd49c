/**
 * A stub strategy for tests: B's memory as plain RAM, no tracking, nothing
 * reported, bounds no run can exceed; a test replaces the parts it is about.
 * And the cycles of a region-map tracker's fault, for the trackers' tests.
 */
import { type CostProfile, rpcCycles } from '../platform/index.ts';
import { attachPlainRam } from './common.ts';
import {
  defineStrategy,
  type GroundTruthContext,
  type Strategy,
  type StrategyBounds,
  type StrategyDef,
  type TrackerContext,
} from './types.ts';

export interface StubOptions {
  name?: string;
  doc?: string;
  /** Hand the stub the oracle (`groundTruth: true`); `hooks` then sees `ctx.groundTruth`. */
  groundTruth?: boolean;
  /** Hooks replacing the stub's own, made from the context it is created with. */
  hooks?: (ctx: TrackerContext & Partial<GroundTruthContext>) => Partial<Strategy>;
  /** Bounds replacing the stub's unreachable ones. */
  bounds?: Partial<StrategyBounds>;
}

export function stubStrategy(options: StubOptions = {}): StrategyDef {
  const base = {
    name: options.name ?? 'stub',
    doc: options.doc ?? 'a stub strategy (tests)',
    params: {},
    requires: () => [],
    bounds: (): StrategyBounds => ({
      maxFaultStallCycles: Number.MAX_SAFE_INTEGER,
      maxPauseCycles: Number.MAX_SAFE_INTEGER,
      maxRingFullStallCycles: Number.MAX_SAFE_INTEGER,
      maxCopiedPages: Number.MAX_SAFE_INTEGER,
      faultsPerPage: 1,
      ringEntries: 1,
      ...options.bounds,
    }),
  };
  const create = (ctx: TrackerContext): Strategy => ({
    setupMemory: () => attachPlainRam(ctx),
    arm: () => {},
    collect: () => 0,
    rearm: () => {},
    ...options.hooks?.(ctx),
  });
  return options.groundTruth === true
    ? defineStrategy({ ...base, groundTruth: true, create })
    : defineStrategy({ ...base, create });
}

/**
 * The cycles of one of B's faults on a designated dataspace of one page under
 * the region-map tracker, without rtcr's find_by_addr walk (each element
 * passed: `checkpointer.listNodeVisit`): `stateCalls` state() RPCs (rtcr's
 * walk of its dataspace list passes stateCalls − 1 elements), Genode's signal
 * walks over `contexts` contexts (the faulting one the oldest).
 */
export function faultWithoutWalk(profile: CostProfile, stateCalls: number, contexts: number): number {
  const k = profile.kernel;
  const c = profile.core;
  const a = profile.checkpointer;
  return (
    k.pageFaultTrap +
    k.ipcOneWay + // fault IPC
    2 * c.regionLookup + // B's address space, then the managed dataspace
    rpcCycles(profile, c.signalWork) + // Pd_session::submit inside core
    k.irqTrigger +
    rpcCycles(profile, c.signalWork) + // wait_for_signal
    contexts * a.listNodeVisit + // the context registry, the newest context first
    k.irqTrigger + // local_submit wakes rtcr's fault handler
    contexts * a.signalContextVisit + // pending_signal
    (stateCalls - 1) * a.listNodeVisit + // _find_faulting_mrm_info's list
    stateCalls * rpcCycles(profile, c.stateWork) +
    profile.checkpointer.handlerWork +
    rpcCycles(profile, c.attachWork) +
    3 * k.ipcOneWay + // Pager_object::wake_up, its acknowledgement, B resumed
    (profile.mmu.pageWalk +
      k.pageFaultTrap +
      k.ipcOneWay +
      2 * c.regionLookup +
      k.ipcOneWay +
      k.mapPerPage +
      profile.mmu.pageWalk) // the retry, mapped
  );
}
