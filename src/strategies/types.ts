/**
 * The strategy interface (docs/design.md §3), all of it in this file. A
 * strategy is a plain object exported by its folder, named as it is typed on
 * the command line; `full-copy` is the template a new author copies, with the
 * optional parts shown as comments. Its instance does all its work through
 * the platform's real operations (attach, detach, unmap-with-status,
 * write-protect, fault delivery), so its costs come from the model.
 *
 * What the interface leaves to others, on purpose: copying the reported pages
 * into the checkpoint store (and how A reaches B's memory to do it) is the
 * runner's; pausing and resuming B is the runner's; stalls are recorded by the
 * platform, by kind, where they happen.
 */

import type { ParamSpecs, ParamValues } from '../params/params.ts';
import type { Capability, Clock, Core, CostProfile, Kernel, TargetMemory } from '../platform/index.ts';

/**
 * What a tracker may use: the platform's operations and its cost figures,
 * never its ground truth. A tracker learns which pages B wrote only through
 * what the platform reports (faults, signals, unmap status, the kernel's log).
 */
export interface TrackerContext {
  /**
   * The cost profile as the run charges it (the platform's `costs`): figures
   * and capabilities, and a figure the profile gives as a distribution draws
   * anew on every read (src/platform/sampling.ts) — read it where it is
   * charged, not once ahead. `bounds` gets the maxima instead.
   */
  readonly profile: CostProfile;
  /** Simulated time: a tracker charges its own work here (`Actor.handler`). */
  readonly clock: Clock;
  /** The kernel: unmap, write-protect, the tracking extensions, IPC and RPC. */
  readonly kernel: Kernel;
  /** Genode core: RAM dataspaces, RM sessions, region maps, signals. */
  readonly core: Core;
  /** Pages of B's memory. */
  readonly pages: number;
}

/** What a strategy that reads the oracle may read of it: the pages written since the last checkpoint. */
export type GroundTruth = Pick<TargetMemory, 'collectWritten'>;

/** The context of a strategy that declares `groundTruth: true`: a tracker's, plus the oracle. */
export interface GroundTruthContext extends TrackerContext {
  /** The memory oracle. No real tracker can read it; a lower bound (`oracle`) may. */
  readonly groundTruth: GroundTruth;
}

/**
 * Analytic worst-case figures a strategy guarantees for a configuration.
 * Stall kinds a strategy adds later (a full dirty ring, a copy-on-write
 * fault) get a bound of their own here, so one kind's large bound never hides
 * another's regression.
 */
export interface Bounds {
  /** Longest single stall of B: a fault resolution or a checkpoint pause, in cycles. */
  maxStallCycles: number;
  /** Longest checkpoint pause (stop, collect, copy, re-arm, resume), in cycles. */
  maxPauseCycles: number;
}

/**
 * A running strategy on one platform. The runner calls the hooks in this
 * order: `setupMemory` and `arm` once (unmeasured), then at every checkpoint,
 * with B paused, `collect` and, after the runner copied the pages, `rearm`.
 * Between checkpoints a strategy acts only through the handlers it gave the
 * platform (signal handlers, the kernel's notification handler).
 */
export interface Strategy {
  /** Setup, once: builds B's memory of `ctx.pages` pages through core, as this strategy needs it. */
  setupMemory(): void;
  /** Setup, once, after B wrote every page and the base checkpoint was stored: starts tracking. */
  arm(): void;
  /**
   * At a checkpoint, B paused: writes the pages to copy (at least every page
   * B wrote since the last checkpoint) to `out[0..n)` and returns n. `out`
   * holds `ctx.pages` entries; report each page once (the runner drops
   * repeats). `out` is the runner's: it compacts and reuses it after the call.
   */
  collect(out: Int32Array): number;
  /**
   * After the copy, B still paused: re-arms tracking for the next interval.
   * `copied[0..n)` are the pages the runner copied at this checkpoint, each
   * once, in the order `collect` first reported them (ascending when it
   * reported them ascending). Valid during the call only: do not keep it.
   */
  rearm(copied: Int32Array, n: number): void;
  /**
   * Optional: memory the strategy holds itself (bitmaps, logs), in bytes by
   * kind. Core's quota and metadata are counted by core.
   */
  memory?(): Record<string, number>;
}

/**
 * How A reaches B's memory when the runner copies it (`--copy-via`,
 * src/run/copy.ts): rtcr's attach, copy and detach per dataspace, or B's RAM
 * kept attached in A.
 */
export const COPY_VIA = ['attach', 'mapped'] as const;
export type CopyVia = (typeof COPY_VIA)[number];

/** What every registered strategy declares. */
interface StrategyDefBase<S extends ParamSpecs> {
  /** Name as typed after `--strategy`; also its folder name. */
  readonly name: string;
  /** One line shown in `list`. */
  readonly doc: string;
  /** Its parameters, with defaults and docs (src/params). */
  readonly params: S;
  /** The platform capabilities it needs with these parameters. */
  requires(params: ParamValues<S>): Capability[];
  /**
   * Optional: how A reaches B's memory unless the run says (`--copy-via`);
   * absent: `mapped`. The region-map trackers say `attach`, as rtcr does.
   */
  readonly defaultCopyVia?: CopyVia;
  /**
   * Analytic worst-case bounds from the profile for B's memory of `pages`
   * pages: the run fails if it observes more.
   * @throws ParamError when the parameters do not fit B's memory.
   */
  bounds(profile: CostProfile, pages: number, params: ParamValues<S>): Bounds;
}

/** A strategy that tracks through the platform's operations: every real one. */
export interface TrackerDef<S extends ParamSpecs = ParamSpecs> extends StrategyDefBase<S> {
  /** Absent: the strategy does not read the oracle. */
  readonly groundTruth?: false;
  /** Creates the instance on a fresh platform (capabilities already checked). */
  create(ctx: TrackerContext, params: ParamValues<S>): Strategy;
}

/** A strategy that reads the oracle (`oracle`, a lower bound no real tracker can reach). */
export interface GroundTruthDef<S extends ParamSpecs = ParamSpecs> extends StrategyDefBase<S> {
  /** Declares the need: the runner then hands `create` the oracle as `ctx.groundTruth`. */
  readonly groundTruth: true;
  /** Creates the instance on a fresh platform (capabilities already checked). */
  create(ctx: GroundTruthContext, params: ParamValues<S>): Strategy;
}

/** A registered strategy. */
export type StrategyDef<S extends ParamSpecs = ParamSpecs> = TrackerDef<S> | GroundTruthDef<S>;

/** Defines a strategy with its parameter types inferred (identity at run time). */
export function defineStrategy<S extends ParamSpecs>(def: TrackerDef<S>): TrackerDef<S>;
export function defineStrategy<S extends ParamSpecs>(def: GroundTruthDef<S>): GroundTruthDef<S>;
export function defineStrategy<S extends ParamSpecs>(def: StrategyDef<S>): StrategyDef<S> {
  return def;
}
