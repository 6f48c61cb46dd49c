/** The emulated platform: the only surface strategies and the runner import. */
export {
  Actor,
  CATEGORY_NAMES,
  Cat,
  type CategoryName,
  Clock,
  Phase,
  type PhaseId,
  StallCause,
  type StallCauseId,
  StallLog,
} from './clock.ts';
export * from './core/index.ts';
export {
  bitmapScanCycles,
  cacheMaintenanceCycles,
  invalidationCycles,
  maxAccessTranslationCycles,
  maxInvalidationCycles,
  maxInvalidationPerPage,
  maxUnmapCycles,
  pagerRefaultCycles,
  pauseResumeCycles,
  rpcCycles,
} from './costs.ts';
export { CapabilityError, ModelError, requireCapability } from './errors.ts';
export { MAX_COST_CYCLES, MAX_EXACT, MAX_OBJECT_BYTES, pow2 } from './exact.ts';
export {
  countFlexpages,
  FpageRights,
  forEachFlexpage,
  Kernel,
  Revoke,
  type RevokeMode,
  Thread,
  TrackingMode,
  UNMAP_BATCH_MAX,
} from './kernel.ts';
export { TargetMemory } from './memory.ts';
export {
  AddressSpace,
  Mmu,
  PTE_ACCESSED,
  PTE_COW,
  PTE_DIRTY,
  PTE_FLAGS,
  PTE_LARGE,
  PTE_PRESENT,
  PTE_TRACKED,
  PTE_WRITABLE,
} from './mmu.ts';
export {
  createPlatform,
  diffCounters,
  type Platform,
  type PlatformCounters,
  platformCounters,
} from './platform.ts';
export {
  type Capability,
  type CostDistribution,
  type CostProfile,
  cyclesToMicros,
  loadProfile,
  loadProfileFile,
  PROFILE_NAMES,
  PROFILE_SCHEMA,
  ProfileError,
  parseProfile,
  profileFieldRows,
} from './profile.ts';
export { createPageRecords, FINGERPRINT_WORD, MAX_PAGES, PTE_WORD, RECORD_WORDS } from './records.ts';
export {
  type CostStreams,
  drawCycles,
  FigureSampler,
  figureIndex,
  isDistribution,
  type RandomStream,
  sampledCosts,
} from './sampling.ts';
