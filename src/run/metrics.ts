/**
 * A run's figures, apart from the run: the checkpoint ledger (what every
 * checkpoint adds, kept as running sums and maxima, so a run of any number of
 * checkpoints holds a few numbers, not one per checkpoint) and the builder
 * that turns a finished run into `RunMetrics`, its failures and its
 * `RunResult`. The runner only feeds them.
 */
import type { Platform, PlatformCounters } from '../platform/index.ts';
import { StallCause } from '../platform/index.ts';
import type { Bounds } from '../strategies/index.ts';
import type { PreparedRun } from './prepare.ts';
import type { ReplayOutcome } from './replay.ts';
import { summarizeStalls } from './stats.ts';
import type { CheckpointVerdict } from './store.ts';
import type { RunMetrics, RunResult } from './types.ts';

/** What the checkpoints of a run added up to. */
export class CheckpointLedger {
  /** Checkpoints taken after the base (the final one included). */
  checkpoints = 0;
  /** Pages copied, over all checkpoints. */
  copiedPages = 0;
  /** The most pages one checkpoint copied. */
  maxCopiedPages = 0;
  /** Copied pages B had written since the checkpoint before, over all checkpoints. */
  truePositives = 0;
  /** Copied pages B had not written, over all checkpoints. */
  falsePositives = 0;
  /** Written pages a checkpoint did not report, over all checkpoints. */
  missedPages = 0;
  /** Pages whose restored content differed from B's, over all checkpoints. */
  restoreMismatches = 0;

  /** Adds one checkpoint that copied `copied` pages and was verified as `verdict`. */
  record(copied: number, verdict: CheckpointVerdict): void {
    this.checkpoints++;
    this.copiedPages += copied;
    if (copied > this.maxCopiedPages) this.maxCopiedPages = copied;
    this.truePositives += verdict.truePositives;
    this.falsePositives += verdict.falsePositives;
    this.missedPages += verdict.missed;
    this.restoreMismatches += verdict.restoreMismatches;
  }

  /** Mean pages copied per checkpoint (0 before the first). */
  meanCopiedPages(): number {
    return this.checkpoints > 0 ? this.copiedPages / this.checkpoints : 0;
  }

  /** Mean false positives per checkpoint (0 before the first). */
  meanFalsePositives(): number {
    return this.checkpoints > 0 ? this.falsePositives / this.checkpoints : 0;
  }
}

/** Everything a finished measured run leaves for its figures. */
export interface FinishedRun {
  /** The measured run's platform: its clock, stall log and core. */
  platform: Platform;
  /** Cycles from the end of setup to the end of the final checkpoint. */
  runtimeCycles: number;
  /** The platform's counters over the measured phase. */
  counters: PlatformCounters;
  ledger: CheckpointLedger;
  /** Bytes of the stored checkpoint chain. */
  checkpointBytes: number;
  /** The strategy's own memory by kind (its `memory` hook; empty without one). */
  strategyMemory: Record<string, number>;
  /** The strategy's analytic bounds for this configuration. */
  bounds: Bounds;
  /** What the measured replay measured, and the baseline's replay. */
  outcome: ReplayOutcome;
  baseline: ReplayOutcome;
  /** Whether the workload has real-time jobs. */
  jobs: boolean;
}

/** The run's metrics, and why it failed (one sentence each; empty when it did not). */
export function buildMetrics(run: FinishedRun): { metrics: RunMetrics; failures: string[] } {
  const { platform, runtimeCycles, counters, ledger, bounds, outcome, baseline } = run;
  const { clock, stalls } = platform;
  const stallSummary = summarizeStalls(stalls.histogram());
  const pauseSummary = summarizeStalls(stalls.histogram(StallCause.checkpoint));
  const totalCopied = ledger.copiedPages;
  const coreMemory = platform.core.memoryUse();
  const byKind = { ...coreMemory.byKind };
  let ownBytes = 0;
  for (const [kind, bytes] of Object.entries(run.strategyMemory)) {
    byKind[kind] = (byKind[kind] ?? 0) + bytes;
    ownBytes += bytes;
  }
  const missed = ledger.missedPages;
  const restoreMismatches = ledger.restoreMismatches;

  const failures: string[] = [];
  if (missed > 0) failures.push(`missed ${missed} written pages: a checkpoint did not report them`);
  if (restoreMismatches > 0)
    failures.push(`restore differs from B's memory in ${restoreMismatches} page-checkpoints`);
  const boundsOk =
    stallSummary.maxCycles <= bounds.maxStallCycles && pauseSummary.maxCycles <= bounds.maxPauseCycles;
  if (stallSummary.maxCycles > bounds.maxStallCycles) {
    failures.push(
      `observed stall ${stallSummary.maxCycles} cycles exceeds the analytic bound ${bounds.maxStallCycles}`,
    );
  }
  if (pauseSummary.maxCycles > bounds.maxPauseCycles) {
    failures.push(
      `observed pause ${pauseSummary.maxCycles} cycles exceeds the analytic bound ${bounds.maxPauseCycles}`,
    );
  }

  const metrics: RunMetrics = {
    runtimeCycles,
    baselineCycles: baseline.cycles,
    overheadPct: baseline.cycles > 0 ? ((runtimeCycles - baseline.cycles) / baseline.cycles) * 100 : 0,
    breakdownCycles: clock.breakdown(),
    faults: counters.faultStalls,
    stalls: stallSummary,
    pause: { maxCycles: pauseSummary.maxCycles, meanCycles: pauseSummary.meanCycles },
    stallHistogram: {
      fault: stalls.histogram(StallCause.fault),
      checkpoint: stalls.histogram(StallCause.checkpoint),
      ringFull: stalls.histogram(StallCause.ringFull),
    },
    checkpointPages: {
      mean: ledger.meanCopiedPages(),
      max: ledger.maxCopiedPages,
      falsePositiveMean: ledger.meanFalsePositives(),
    },
    precision: totalCopied > 0 ? ledger.truePositives / totalCopied : 1,
    memory: {
      metadataBytes: coreMemory.metadataBytes + ownBytes,
      quotaBytes: coreMemory.quotaBytes,
      checkpointBytes: run.checkpointBytes,
      byKind,
    },
    realtime: run.jobs
      ? {
          wcrtCycles: outcome.wcrtCycles,
          deadlineMisses: outcome.deadlineMisses,
          jobs: outcome.jobs,
          baselineWcrtCycles: baseline.wcrtCycles,
        }
      : null,
    verification: { missedPages: missed, restoreOk: restoreMismatches === 0, boundsOk },
    counters,
  };
  return { metrics, failures };
}

/** `runs[i]` of results.json for the prepared run `p`, finished as `run`. */
export function buildResult(p: PreparedRun, run: FinishedRun): RunResult {
  const { config } = p;
  const { metrics, failures } = buildMetrics(run);
  const profile = run.platform.profile;
  return {
    strategy: p.strategy.name,
    workload: p.workload.name,
    profile: profile.name,
    params: {
      strategy: { ...p.strategyParams },
      workload: {
        writeRatio: config.common.writeRatio,
        computeCycles: config.common.computeCycles,
        ...p.workloadParams,
      },
    },
    seed: config.seed,
    pages: run.platform.pages,
    accesses: run.outcome.accesses,
    intervalCycles: config.intervalCycles,
    checkpoints: run.ledger.checkpoints,
    cpuHz: profile.cpu.hz,
    metrics,
    bounds: run.bounds,
    ok: failures.length === 0,
    failures,
  };
}
