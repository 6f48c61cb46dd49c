/**
 * A stub strategy for tests: B's memory as plain RAM, no tracking, nothing
 * reported, bounds no run can exceed; a test replaces the parts it is about.
 */
import { attachPlainRam } from './common.ts';
import {
  type Bounds,
  defineStrategy,
  type GroundTruthContext,
  type Strategy,
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
  bounds?: Partial<Bounds>;
}

export function stubStrategy(options: StubOptions = {}): StrategyDef {
  const base = {
    name: options.name ?? 'stub',
    doc: options.doc ?? 'a stub strategy (tests)',
    params: {},
    requires: () => [],
    bounds: (): Bounds => ({
      maxStallCycles: Number.MAX_SAFE_INTEGER,
      maxPauseCycles: Number.MAX_SAFE_INTEGER,
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
