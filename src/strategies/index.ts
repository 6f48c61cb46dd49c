/** The strategies: the registry and the interface, the only surface others import. */
export { attachPlainRam } from './common.ts';
export { createStrategy, findStrategy, registerStrategy, strategies } from './registry.ts';
export {
  type Bounds,
  COPY_VIA,
  type CopyVia,
  defineStrategy,
  type GroundTruth,
  type GroundTruthContext,
  type GroundTruthDef,
  STALL_BOUND_FIELDS,
  type StallBoundField,
  type StallBounds,
  type StallKind,
  type Strategy,
  type StrategyBounds,
  type StrategyDef,
  type TrackerContext,
  type TrackerDef,
  withMaxStall,
} from './types.ts';
