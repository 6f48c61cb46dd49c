/**
 * A run's figures, apart from the run: the checkpoint ledger (what every
 * checkpoint adds, kept as running sums and maxima, so a run of any number of
 * checkpoints holds a few numbers, not one per checkpoint) and the builder
 * that turns a finished run into `RunMetrics`, its failures and its
 * `RunResult`. The runner only feeds them.
 */
import type { Platform, PlatformCounters } from '../platform/index.ts';
import { StallCause } from '../platform/index.ts';
import {
  type Bounds,
  STALL_BOUND_FIELDS,
  type StallBoundField,
  type StallKind,
} from '../strategies/index.ts';
import type { CowMetrics } from './cow.ts';
import type { PreparedRun } from './prepare.ts';
import type { ReplayOutcome } from './replay.ts';
import { summarizeStalls, summarizeStallsOf } from './stats.ts';
import type { CheckpointVerdict } from './store.ts';
import type { FinalCheckpoint, RunMetrics, RunResult, StallSummary } from './types.ts';

/**
 * What the checkpoints of a run added up to. The last one recorded is the
 * run's final checkpoint, which covers only part of an interval: the means
 * leave it out, and it is kept apart (`finalCheckpoint`).
 */
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
  /** Pause cycles, over all checkpoints. */
  pauseCycles = 0;
  /** The last checkpoint recorded (at the end of a run: the final one). */
  readonly last: FinalCheckpoint = { pages: 0, falsePositives: 0, pauseCycles: 0 };

  /** Adds one checkpoint that copied `copied` pages, was verified as `verdict` and paused B `pause` cycles. */
  record(copied: number, verdict: CheckpointVerdict, pause = 0): void {
    this.checkpoints++;
    this.copiedPages += copied;
    this.pauseCycles += pause;
    this.last.pages = copied;
    this.last.falsePositives = verdict.falsePositives;
    this.last.pauseCycles = pause;
    if (copied > this.maxCopiedPages) this.maxCopiedPages = copied;
    this.truePositives += verdict.truePositives;
    this.falsePositives += verdict.falsePositives;
    this.missedPages += verdict.missed;
    this.restoreMismatches += verdict.restoreMismatches;
  }

  /** Checkpoints before the last: the regular ones, each after a whole interval. */
  regular(): number {
    return Math.max(0, this.checkpoints - 1);
  }

  /** Mean pages copied per regular checkpoint (the last excluded; null without one). */
  meanCopiedPages(): number | null {
    return this.meanOfRegular(this.copiedPages, this.last.pages);
  }

  /** Mean false positives per regular checkpoint (null without one). */
  meanFalsePositives(): number | null {
    return this.meanOfRegular(this.falsePositives, this.last.falsePositives);
  }

  /** Mean pause of a regular checkpoint, in whole cycles (null without one). */
  meanPauseCycles(): number | null {
    const m = this.meanOfRegular(this.pauseCycles, this.last.pauseCycles);
    return m === null ? null : Math.round(m);
  }

  private meanOfRegular(sum: number, last: number): number | null {
    const n = this.regular();
    return n > 0 ? (sum - last) / n : null;
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
  /** The run's analytic bounds per stall kind (the strategy's and the copy's; `maxCowFaultStallCycles` under copy-on-write). */
  bounds: Bounds;
  /** The analytic worst-case response time of a job (src/run/realtime.ts); null without jobs. */
  wcrtBoundCycles: number | null;
  /** What the measured replay measured, and the baseline's replay. */
  outcome: ReplayOutcome;
  baseline: ReplayOutcome;
  /** Whether the workload has real-time jobs. */
  jobs: boolean;
  /** What the copy-on-write checkpoints added up to; null under `--copy=stop`. */
  cow: CowMetrics | null;
}

/** (value − base) / base × 100, or null when base is 0: an overhead over nothing is undefined, not 0. */
export function percentOver(value: number, base: number): number | null {
  return base > 0 ? ((value - base) / base) * 100 : null;
}

/** (bound − observed) / bound × 100, or null for a bound of 0 (nothing of the kind may occur). */
export function slackPct(bound: number, observed: number): number | null {
  return bound > 0 ? ((bound - observed) / bound) * 100 : null;
}

/** The stall kinds whose bound a run checks, with the field holding each (STALL_BOUND_FIELDS). */
const BOUNDED_KINDS = Object.entries(STALL_BOUND_FIELDS) as [StallKind, StallBoundField][];

/** The run's metrics, and why it failed (one sentence each; empty when it did not). */
export function buildMetrics(run: FinishedRun): { metrics: RunMetrics; failures: string[] } {
  const { platform, runtimeCycles, counters, ledger, bounds, outcome, baseline } = run;
  const { clock, stalls } = platform;
  // Every stall kind the platform declares, by its name (`cowFault` only where checkpoints copy on write).
  const byCause = Object.entries(StallCause).map(([kind, id]) => [kind, stalls.histogram(id)] as const);
  // All kinds together, from the histograms per kind (not another histogram of every stall).
  const stallSummary = summarizeStallsOf(byCause.map(([, h]) => h));
  const stallHistogram = Object.fromEntries(
    byCause.filter(([kind]) => kind !== 'cowFault' || run.cow !== null),
  ) as RunMetrics['stallHistogram'];
  const stallsByKind: Record<string, StallSummary> = {};
  for (const [kind, h] of Object.entries(stallHistogram)) stallsByKind[kind] = summarizeStalls(h);
  const pauseSummary = stallsByKind['checkpoint']!;
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
  // Each stall kind against its own bound, so one kind's large bound never hides another's regression.
  let boundsOk = true;
  const boundSlackPct = {} as RunMetrics['boundSlackPct'];
  for (const [kind, field] of BOUNDED_KINDS) {
    const bound = bounds[field];
    if (bound === undefined) continue; // the copy mode's kind (cowFault) in a run that does not copy on write
    const observed = stallsByKind[kind]!.maxCycles;
    boundSlackPct[kind] = observed === 0 && bound === 0 ? null : slackPct(bound, observed);
    if (observed <= bound) continue;
    boundsOk = false;
    failures.push(
      `observed ${kind === 'checkpoint' ? 'pause' : `${kind} stall`} ${observed} cycles exceeds the analytic bound ${bound} (bounds.${field})`,
    );
  }
  if (run.wcrtBoundCycles !== null && outcome.wcrtCycles > run.wcrtBoundCycles) {
    boundsOk = false;
    failures.push(
      `observed worst-case response time ${outcome.wcrtCycles} cycles exceeds the analytic bound ${run.wcrtBoundCycles} (metrics.realtime.wcrtBoundCycles)`,
    );
  }
  if (run.cow !== null && run.cow.copiedAfterWrite > 0)
    failures.push(
      `copy-on-write: ${run.cow.copiedAfterWrite} pages were copied after B wrote them, so the checkpoint is not B's memory at its pause`,
    );

  const breakdownCycles = clock.breakdown();
  const metrics: RunMetrics = {
    runtimeCycles,
    baselineCycles: baseline.cycles,
    overheadPct: percentOver(runtimeCycles, baseline.cycles),
    busyOverheadPct: percentOver(
      runtimeCycles - (breakdownCycles['idle'] ?? 0),
      baseline.cycles - baseline.idleCycles,
    ),
    breakdownCycles,
    faults: counters.faultStalls,
    stalls: stallSummary,
    stallsByKind,
    boundSlackPct,
    pause: { maxCycles: pauseSummary.maxCycles, meanCycles: ledger.meanPauseCycles() },
    stallHistogram,
    checkpointPages: {
      mean: ledger.meanCopiedPages(),
      max: ledger.maxCopiedPages,
      falsePositiveMean: ledger.meanFalsePositives(),
    },
    finalCheckpoint: { ...ledger.last },
    precision: totalCopied > 0 ? ledger.truePositives / totalCopied : 1,
    memory: {
      metadataBytes: coreMemory.metadataBytes + ownBytes,
      // The strategies' own structures are allocated once, at creation.
      peakMetadataBytes: coreMemory.peakMetadataBytes + ownBytes,
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
          wcrtBoundCycles: run.wcrtBoundCycles!,
        }
      : null,
    verification: {
      missedPages: missed,
      // Under copy-on-write the stored checkpoint is B's memory at the pause only if A copied every page before B wrote it.
      restoreOk: restoreMismatches === 0 && (run.cow === null || run.cow.copiedAfterWrite === 0),
      boundsOk,
    },
    counters,
    ...(run.cow !== null ? { cow: run.cow } : {}),
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
    copyVia: p.copyVia,
    ...(p.copier !== null ? { copy: 'cow' as const, copier: { ...p.copier } } : {}),
    pages: run.platform.pages,
    accesses: run.outcome.accesses,
    intervalCycles: config.intervalCycles,
    intervalAccesses: p.timer.kind === 'accesses' ? p.timer.accesses : null,
    intervalFrom: p.timer.kind === 'cycles' ? p.timer.from : null,
    phaseCycles: p.timer.kind === 'cycles' ? p.timer.phase : null,
    checkpoints: run.ledger.checkpoints,
    skippedSlots: run.outcome.skippedSlots,
    cpuHz: profile.cpu.hz,
    metrics,
    bounds: run.bounds,
    ok: failures.length === 0,
    failures,
  };
}
