/**
 * The strategy interface (design §3). A strategy is a plain object exported by
 * its folder, named as it is typed on the command line; `full-copy` is the
 * template a new author copies. Its instance does all its work through the
 * platform's real operations (attach, detach, unmap-with-status,
 * write-protect, fault delivery), so its costs come from the model.
 */

import type { ParamSpecs, ParamValues } from '../params/params.ts';
import type { Capability, CostProfile, Platform } from '../platform/index.ts';

/** Analytic worst-case figures a strategy guarantees for a configuration. */
export interface Bounds {
  /** Longest single stall of B: a fault resolution or a checkpoint pause, in cycles. */
  maxStallCycles: number;
  /** Longest checkpoint pause (stop, collect, copy, re-arm, resume), in cycles. */
  maxPauseCycles: number;
}

/** A running strategy on one platform. Hooks are called by the runner in this order. */
export interface Strategy {
  /** Setup: builds B's memory of `platform.pages` pages through core, as this strategy needs it. */
  setupMemory(): void;
  /** Setup, after the base checkpoint: starts tracking. */
  arm(): void;
  /**
   * At a checkpoint, with B paused: appends the pages to copy to `out`
   * (capacity `platform.pages`, each page at most once) and returns how many.
   */
  collect(out: Int32Array): number;
  /** After the copy: re-arms tracking for the next interval. */
  rearm(): void;
  /**
   * Optional: memory the strategy holds itself (bitmaps, logs), in bytes by
   * kind. Core's quota and metadata are counted by core.
   */
  memory?(): Record<string, number>;
}

/** A registered strategy. */
export interface StrategyDef<S extends ParamSpecs = ParamSpecs> {
  /** Name as typed after `--strategy`; also its folder name. */
  readonly name: string;
  /** One line shown in `list`. */
  readonly doc: string;
  /** Its parameters, with defaults and docs. */
  readonly params: S;
  /** The platform capabilities it needs with these parameters. */
  requires(params: ParamValues<S>): Capability[];
  /** Creates the instance on a fresh platform (capabilities already checked). */
  create(platform: Platform, params: ParamValues<S>): Strategy;
  /**
   * Analytic worst-case bounds from the profile for B's memory of `pages`
   * pages: the run fails if it observes more.
   */
  bounds(profile: CostProfile, pages: number, params: ParamValues<S>): Bounds;
}

/** Defines a strategy with its parameter types inferred (identity at run time). */
export function defineStrategy<S extends ParamSpecs>(def: StrategyDef<S>): StrategyDef<S> {
  return def;
}
