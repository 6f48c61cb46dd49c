/**
 * A run's configuration and its result, with the names of shared/contract.md.
 * A run is a pure function of its `RunConfig`: same config, identical result.
 * Both are plain data (structured-clone and JSON safe), so runs can be sent to
 * worker threads or to other machines.
 */
import type { CostProfile, PlatformCounters } from '../platform/index.ts';
import type { Bounds, CopyVia, StallKind } from '../strategies/index.ts';
import type { CommonWorkloadParams } from '../workloads/types.ts';

/** Everything that determines a run. */
export interface RunConfig {
  /** The validated cost profile (plain data). */
  profile: CostProfile;
  /** Strategy name and the parameters given for it (defaults fill the rest). */
  strategy: string;
  strategyParams: Record<string, unknown>;
  /** Workload name and its own parameters (defaults fill the rest). */
  workload: string;
  workloadParams: Record<string, unknown>;
  /** Parameters every workload takes. */
  common: CommonWorkloadParams;
  /** Checkpoint period in cycles of target time; 0 with `intervalAccesses`. */
  intervalCycles: number;
  /**
   * Where the period is counted from: `start` (default) — a fixed grid of
   * target time, start + k × interval, skipping slots a checkpoint overran;
   * `end` — from the end of the previous checkpoint.
   */
  intervalFrom?: IntervalFrom;
  /**
   * Checkpoint after every this many of B's accesses instead of on a timer
   * (then `intervalCycles` is 0): every strategy checkpoints at the same
   * points of B's execution.
   */
  intervalAccesses?: number;
  /**
   * Where a time interval's checkpoints fall against B's start, in cycles,
   * from 0 to `intervalCycles` exclusive (absent: 0): the grid is start +
   * phase + k × interval from its first point after the start (start +
   * phase, or start + interval for phase 0); from `end`, the first
   * checkpoint is there too. With `periodic`, whose job j is released at
   * start + j × period, it places the checkpoints against the releases,
   * which decides the observed worst-case response time. Not with
   * `intervalAccesses`.
   */
  phaseCycles?: number;
  /** Seed of the workload's PRNG. */
  seed: number;
  /** How A reaches B's memory to copy it (src/run/copy.ts); absent: the strategy's default. */
  copyVia?: CopyVia;
}

/** How a time interval is counted (RunConfig.intervalFrom). */
export type IntervalFrom = 'start' | 'end';

/**
 * Summary of a distribution of stall durations, in whole cycles (all 0 when
 * there were none). Quantiles are by nearest rank: the p-quantile of n stalls
 * is the ⌈p·n⌉-th shortest, an observed stall, never an interpolation.
 */
export interface StallSummary {
  count: number;
  maxCycles: number;
  /** The ⌈n/2⌉-th shortest stall. */
  p50Cycles: number;
  /** The ⌈0.99·n⌉-th shortest stall. */
  p99Cycles: number;
  /** Mean, rounded to whole cycles. */
  meanCycles: number;
}

/** The final checkpoint of a run, at the end of B's accesses: it covers only part of an interval. */
export interface FinalCheckpoint {
  /** Pages it copied. */
  pages: number;
  /** Of these, pages B had not written since the checkpoint before. */
  falsePositives: number;
  /** Its pause: from stopping B to resuming it. */
  pauseCycles: number;
}

export interface RunMetrics {
  /** Cycles of target time from the end of setup to the end of the final checkpoint. */
  runtimeCycles: number;
  /** The same workload without tracking or checkpoints. */
  baselineCycles: number;
  /** (runtime − baseline) / baseline × 100; null when the baseline took 0 cycles (undefined, never 0). */
  overheadPct: number | null;
  /**
   * The overhead on B's busy time: (busy − baseline busy) / baseline busy ×
   * 100, busy = runtime − idle (`breakdownCycles.idle`: B waiting for a
   * job's release). For a workload that idles (`periodic`), a checkpoint in
   * idle time costs `overheadPct` nothing, while B's work may have grown
   * many times over; this says how much. Equals `overheadPct` for workloads
   * that never idle; null when the baseline's busy time is 0.
   */
  busyOverheadPct: number | null;
  /** Runtime by category (setup excluded); sums to runtimeCycles. */
  breakdownCycles: Record<string, number>;
  /** Faults tracking caused (each fault resolution that stalled B counts once). */
  faults: number;
  /**
   * All stalls merged: fault resolutions and checkpoint pauses (so its max is
   * the longest pause whenever a checkpoint outlasts every fault); the
   * figures of one kind are in `stallsByKind`.
   */
  stalls: StallSummary;
  /**
   * One summary per stall kind, the keys of `stallHistogram` (`fault`,
   * `checkpoint`, and any kind the platform adds): a fault's p99 is then a
   * fault's, never a pause's.
   */
  stallsByKind: Record<string, StallSummary>;
  /**
   * How far each stall kind's longest observed stall stays below its analytic
   * bound (`bounds`, the field STALL_BOUND_FIELDS names for the kind):
   * (bound − observed) / bound × 100; 100 for a kind with a bound that never
   * occurred, null where the bound is 0 (the strategy causes no stall of that
   * kind, and none occurred). Negative only in a failed run.
   */
  boundSlackPct: Record<StallKind, number | null>;
  /**
   * Checkpoint pauses: the longest of all (the final one included), and the
   * mean over the regular checkpoints (the final, partial one excluded; null
   * when there was none but the final).
   */
  pause: { maxCycles: number; meanCycles: number | null };
  /**
   * Every stall, exactly: [duration in cycles, count] pairs in ascending
   * duration, by kind (`fault`, `checkpoint`, `ringFull` — B waiting for A to
   * drain a full dirty ring, kernel-log log=ring — and any kind the platform
   * adds) — what a CDF plot or a quantile other than p50/p99 needs.
   */
  stallHistogram: Record<string, [number, number][]> & {
    fault: [number, number][];
    checkpoint: [number, number][];
  };
  /**
   * Pages copied per checkpoint, and the false positives (copied but not
   * written) among them: means over the regular checkpoints (the final,
   * partial one excluded, see `finalCheckpoint`; null when there was none
   * but the final), max over all.
   */
  checkpointPages: { mean: number | null; max: number; falsePositiveMean: number | null };
  /** The final checkpoint, apart: it covers only the part of an interval before B's accesses ran out. */
  finalCheckpoint: FinalCheckpoint;
  /** Truly written pages / copied pages, over all checkpoints (1 when nothing was copied). */
  precision: number;
  memory: {
    /** Core's metadata plus the tracker's own structures, at the end (after the final re-arm). */
    metadataBytes: number;
    /**
     * The high-water mark of the same, over the run (setup included): what
     * the system must provision; `metadataBytes` may be well below it.
     */
    peakMetadataBytes: number;
    /** RAM quota donated to core (RM sessions). */
    quotaBytes: number;
    /** The stored checkpoint chain: base image plus every increment. */
    checkpointBytes: number;
    /** Metadata and quota by kind. */
    byKind: Record<string, number>;
  };
  /** Real-time figures for workloads with jobs (`periodic`), else null. */
  realtime: {
    /** Worst-case response time: completion − release, over all jobs. */
    wcrtCycles: number;
    /** Jobs whose response time exceeded the period (deadline = period). */
    deadlineMisses: number;
    /** Jobs completed. */
    jobs: number;
    /** Worst-case response time of the baseline. */
    baselineWcrtCycles: number;
    /**
     * The analytic worst-case response time (src/run/realtime.ts): the job's
     * accesses and its worst-case faults, plus the checkpoint pauses that can
     * fall within its response, by fixed-priority response-time analysis
     * with the checkpointer above B. The run fails if `wcrtCycles` exceeds it.
     */
    wcrtBoundCycles: number;
  } | null;
  verification: {
    /** Written pages a checkpoint did not report, summed over checkpoints (must be 0). */
    missedPages: number;
    /** Restoring base + all increments reproduced B's memory at every checkpoint. */
    restoreOk: boolean;
    /** Every stall kind's longest stall within its analytic bound, and the WCRT within its bound. */
    boundsOk: boolean;
  };
  /** Platform event counts during the measured phase. */
  counters: PlatformCounters;
}

/** One run's result: `runs[i]` of results.json. */
export interface RunResult {
  strategy: string;
  workload: string;
  profile: string;
  params: { strategy: Record<string, unknown>; workload: Record<string, unknown> };
  seed: number;
  /** How A reached B's memory to copy it: `attach` (rtcr's) or `mapped` (src/run/copy.ts). */
  copyVia: CopyVia;
  /** B's memory in pages. */
  pages: number;
  /** Accesses replayed. */
  accesses: number;
  /** The checkpoint period in cycles of target time; 0 when the interval is in accesses. */
  intervalCycles: number;
  /** The checkpoint period in B's accesses; null when it is in time. */
  intervalAccesses: number | null;
  /** Where a time interval is counted from (`start`: a fixed grid; `end`: the previous checkpoint's end); null in accesses. */
  intervalFrom: IntervalFrom | null;
  /** Where a time interval's checkpoints fall against B's start (RunConfig.phaseCycles); null in accesses. */
  phaseCycles: number | null;
  /** Checkpoints taken after the base (the final one included). */
  checkpoints: number;
  /**
   * Slots of the fixed grid (`intervalFrom` `start`) that a checkpoint or a
   * stall overran, so that no checkpoint took them; 0 in the other modes.
   */
  skippedSlots: number;
  cpuHz: number;
  metrics: RunMetrics;
  /**
   * The analytic worst cases for this configuration, one per stall kind
   * (`maxFaultStallCycles`, `maxPauseCycles`, …: STALL_BOUND_FIELDS), the
   * strategy's with what reaching B's memory adds, and `maxStallCycles`,
   * the largest of them.
   */
  bounds: Bounds;
  /** True when verification and bounds hold. */
  ok: boolean;
  /** Why the run failed, one sentence each; empty when ok. */
  failures: string[];
}
