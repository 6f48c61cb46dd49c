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
import type {
  Capability,
  Clock,
  Core,
  CostProfile,
  Kernel,
  StallCause,
  TargetMemory,
} from '../platform/index.ts';

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

/** A kind of stall of B, as the platform records it: the keys of `metrics.stallHistogram`. */
export type StallKind = keyof typeof StallCause;

/**
 * Which bound holds each stall kind, declared once: the runner checks every
 * kind's observed maximum against its field, results report the slack per
 * kind under the kind's name (`metrics.boundSlackPct.<kind>`), and a kind the
 * platform adds (issue 10's `ringFull`, issue 18's copy-on-write fault) does
 * not type-check until it is given a field here, and every strategy a bound
 * (but `cowFault`, which the copy mode bounds: `CopyStallBoundField`).
 */
export const STALL_BOUND_FIELDS = {
  fault: 'maxFaultStallCycles',
  checkpoint: 'maxPauseCycles',
  ringFull: 'maxRingFullStallCycles',
  cowFault: 'maxCowFaultStallCycles',
} as const satisfies Record<StallKind, `max${string}Cycles`>;

/** The name of a per-kind bound (`maxFaultStallCycles`, `maxPauseCycles`, …). */
export type StallBoundField = (typeof STALL_BOUND_FIELDS)[StallKind];

/**
 * The bound of the stall kind a run's copy mode causes, not its strategy:
 * B's write to a page a copy-on-write checkpoint has not copied yet
 * (`--copy=cow`, src/run/cow.ts `cowBounds`). A run under `--copy=stop` has
 * no such stall and no such field.
 */
export type CopyStallBoundField = 'maxCowFaultStallCycles';

/** The per-kind bounds a strategy declares: every kind's but the copy mode's. */
export type StrategyStallBoundField = Exclude<StallBoundField, CopyStallBoundField>;

/**
 * Analytic worst-case figures a strategy guarantees for a configuration, one
 * per stall kind, in cycles; 0 for a kind the strategy never causes (a stall
 * of it then fails the run). Each is derived from the code path that stalls
 * B, term by term, with the terms listed beside it, so that work the path
 * gains and its bound does not declare fails the run: one kind's large bound
 * never hides another kind's regression.
 */
export type StallBounds = {
  /**
   * `maxFaultStallCycles`: one fault stall, from B's page-fault exception to
   * the completed access (every resolution and retry in between).
   * `maxPauseCycles`: one checkpoint pause (stop, collect, copy, re-arm, resume).
   * `maxRingFullStallCycles`: one wait of B for A to drain a full dirty ring
   * (kernel-log log=ring; 0 elsewhere).
   */
  [K in StrategyStallBoundField]: number;
} & {
  /** `--copy=cow` only: one copy-on-write fault (src/run/cow.ts `cowBounds`); absent under `--copy=stop`. */
  [K in CopyStallBoundField]?: number;
};

/**
 * What a strategy declares for a configuration: its bound per stall kind, the
 * most pages a checkpoint copies, and how often a page can stall B.
 */
export interface StrategyBounds extends StallBounds {
  /**
   * The most pages one checkpoint reports (the copy's cost, src/run/copy.ts,
   * is bounded with it): every page for `full-copy`, the touched pages for a
   * precise tracker, whole designated dataspaces for the region-map trackers.
   */
  maxCopiedPages: number;
  /**
   * The most fault stalls one page of B can cause between two re-arms of
   * tracking (one checkpoint to the next): 0 without tracking faults, 1 for
   * a page that faults once and is then writable, 2 where a read fault and a
   * later write fault are resolved apart (`readOnlyFirst`). The periodic
   * task's response-time bound counts its faults with it (src/run/realtime.ts).
   */
  faultsPerPage: number;
  /**
   * The entries of the strategy's dirty ring, each filled by one fault: a
   * `ringFull` stall follows at most one in this many fault stalls (0: no ring).
   */
  ringEntries: number;
}

/**
 * A run's analytic bounds (`bounds` of each run in results.json): the
 * strategy's per kind, with what reaching B's memory adds (src/run/copy.ts),
 * and the longest stall of any kind, the maximum of them all, as results
 * before issue 13 had it.
 */
export type Bounds = StallBounds & {
  /** Longest single stall of B of any kind: the maximum of the per-kind bounds. */
  maxStallCycles: number;
};

/** A run's `Bounds` from the per-kind ones: adds `maxStallCycles`, their maximum. */
export function withMaxStall(kinds: StallBounds): Bounds {
  let max = 0;
  const out = {} as StallBounds;
  for (const field of Object.values(STALL_BOUND_FIELDS)) {
    const v = kinds[field];
    if (v === undefined) continue; // the copy mode's kind, in a run without it
    out[field] = v;
    max = Math.max(max, v);
  }
  return { ...out, maxStallCycles: max };
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
   * pages, of which B touches (reads or writes) at most `touched` between
   * two checkpoints (`pages`, unless the workload declares a page set, as
   * `periodic` does), one per stall kind: the run fails if it observes more
   * of a kind than its bound.
   * @throws ParamError when the parameters do not fit B's memory.
   */
  bounds(profile: CostProfile, pages: number, params: ParamValues<S>, touched: number): StrategyBounds;
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
