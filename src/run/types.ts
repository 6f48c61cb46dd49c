/**
 * A run's configuration and its result, with the names of shared/contract.md.
 * A run is a pure function of its `RunConfig`: same config, identical result.
 * Both are plain data (structured-clone and JSON safe), so runs can be sent to
 * worker threads or to other machines.
 */
import type { CostProfile, PlatformCounters } from '../platform/index.ts';
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
  /** Checkpoint period in cycles of target time. */
  intervalCycles: number;
  /** Seed of the workload's PRNG. */
  seed: number;
}

/** Summary of a distribution of stall durations, in whole cycles. */
export interface StallSummary {
  count: number;
  maxCycles: number;
  p50Cycles: number;
  p99Cycles: number;
  meanCycles: number;
}

export interface RunMetrics {
  /** Cycles of target time from the end of setup to the end of the final checkpoint. */
  runtimeCycles: number;
  /** The same workload without tracking or checkpoints. */
  baselineCycles: number;
  /** (runtime − baseline) / baseline × 100. */
  overheadPct: number;
  /** Runtime by category (setup excluded); sums to runtimeCycles. */
  breakdownCycles: Record<string, number>;
  /** Faults tracking caused (each fault resolution that stalled B counts once). */
  faults: number;
  /** All stalls: fault resolutions and checkpoint pauses. */
  stalls: StallSummary;
  /** Checkpoint pauses alone. */
  pause: { maxCycles: number; meanCycles: number };
  /**
   * Every stall, exactly: [duration in cycles, count] pairs in ascending
   * duration, by cause — what a CDF plot or a quantile other than p50/p99 needs.
   * `ringFull`: B waiting for A to drain a full dirty ring (kernel-log log=ring).
   */
  stallHistogram: { fault: [number, number][]; checkpoint: [number, number][]; ringFull: [number, number][] };
  /** Pages copied per checkpoint, and the false positives (copied but not written) among them. */
  checkpointPages: { mean: number; max: number; falsePositiveMean: number };
  /** Truly written pages / copied pages, over all checkpoints (1 when nothing was copied). */
  precision: number;
  memory: {
    /** Core's metadata plus the tracker's own structures. */
    metadataBytes: number;
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
  } | null;
  verification: {
    /** Written pages a checkpoint did not report, summed over checkpoints (must be 0). */
    missedPages: number;
    /** Restoring base + all increments reproduced B's memory at every checkpoint. */
    restoreOk: boolean;
    /** Observed stall and pause within the strategy's analytic bounds. */
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
  /** B's memory in pages. */
  pages: number;
  /** Accesses replayed. */
  accesses: number;
  intervalCycles: number;
  /** Checkpoints taken after the base (the final one included). */
  checkpoints: number;
  cpuHz: number;
  metrics: RunMetrics;
  /** The strategy's analytic worst cases for this configuration. */
  bounds: { maxStallCycles: number; maxPauseCycles: number };
  /** True when verification and bounds hold. */
  ok: boolean;
  /** Why the run failed, one sentence each; empty when ok. */
  failures: string[];
}
