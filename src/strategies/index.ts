/** The strategies: the registry and the interface, the only surface others import. */
export { attachPlainRam, forEachFlexpageOfPages, maxWriteProtectCycles } from './common.ts';
export { createStrategy, findStrategy, registerStrategy, strategies } from './registry.ts';
export {
  type Bounds,
  COPY_VIA,
  type CopyVia,
  defineStrategy,
  type GroundTruth,
  type GroundTruthContext,
  type GroundTruthDef,
  type Strategy,
  type StrategyDef,
  type TrackerContext,
  type TrackerDef,
} from './types.ts';
