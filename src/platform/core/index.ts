/**
 * Genode core (core.ts): the platform's only surface to it. The services
 * behind `Core` are split as Genode splits repos/base/src/core; core.ts
 * lists which file holds which.
 */
export { Backing, type CheckpointerSpace, type CheckpointerSpaceCounters } from './checkpointer-space.ts';
export { Core } from './core.ts';
export { type FaultPathStep, MANAGED_FAULT_PATH, managedFaultPathCounts } from './fault-path.ts';
export type { PagerCounters } from './pager.ts';
export type { CoreMemory } from './quota.ts';
export type { RegionMapCounters } from './region-map-component.ts';
export { maxSignalDeliveryCycles } from './signal-source-component.ts';
export {
  type Attachment,
  type CoreReservation,
  type Dataspace,
  isRegionMap,
  PAGE_SIZE,
  type RamDataspace,
  type RegionMap,
  RegionMapState,
  type RmSession,
  type SignalContext,
  type SignalReceiver,
  TARGET_VIRT_BASE,
} from './types.ts';
