/** The strategies: the registry and the interface, the only surface others import. */
export { findStrategy, strategies } from './registry.ts';
export { type Bounds, defineStrategy, type Strategy, type StrategyDef } from './types.ts';
