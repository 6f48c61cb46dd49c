/**
 * From the replayer's raw output (`dirtybench/native-raw@1`, written by
 * replay.c) to runs of `dirtybench/results@1`, so tables, plots and the
 * validation treat a native run like a simulated one.
 *
 * Why the C program writes raw nanoseconds and this module writes the
 * results: the document's envelope (env, schema, git commit), the stall
 * summaries (p50/p99 by the same quantile rule as simulated runs,
 * src/run/stats.ts), the histograms and the CSV are the harness's own code;
 * written twice, in C and TypeScript, they would drift. The C side stays a
 * measuring instrument: arrays of integers and a few counts.
 *
 * Mapping (a native run = one replay under one mechanism):
 * - `profile` `native-linux-<mechanism>` (`native-linux-uffd-wp-other-cpu`
 *   for a handler thread on the other CPU); `strategy` the model strategy the
 *   mechanism stands for: full → full-copy, mprotect and uffd-wp →
 *   fault-notify, uffd-async and soft-dirty → kernel-log, none → none;
 *   `params.strategy.mechanism` names it exactly.
 * - `workload` `trace`, `params.workload.file` the trace; `seed` 0 (the trace
 *   fixes the accesses; nothing is drawn); `intervalCycles` 0 and
 *   `intervalAccesses` the interval in accesses (null with a positions file),
 *   `intervalFrom` null and `skippedSlots` 0, as a simulated run with an
 *   interval in accesses records them (src/run/replay.ts places its
 *   checkpoints by replay.c's rule: after access k·N, k·N below the last).
 * - The last checkpoint is the final, partial one: left out of the
 *   per-checkpoint means and reported as `finalCheckpoint`, as simulated.
 * - cycles = round(ns × cpuHz / 1e9), `cpuHz` the stated nominal clock.
 * - `faults` the tracking faults observed; `stallHistogram.fault` their
 *   latencies, `.checkpoint` the pauses; `breakdownCycles` fault,
 *   checkpoint.collect|copy|rearm, and compute (the rest of the runtime:
 *   replaying accesses, timing included).
 * - `bounds` null in every field and `metrics.boundSlackPct` null per kind:
 *   a native run has no analytic bound; `boundsOk` is true because there is
 *   none to breach. `phaseCycles` null, as for an interval in accesses.
 * - `metrics.native`: what only a native run has (expected faults, where the
 *   count came from, the handler's share, the kernel's fault count).
 * A run fails (`ok` false) when a written page was missed, the image differs
 * from memory, or the faults differ from the first writes per interval.
 */
import { basename } from 'node:path';
import type { RunMetrics, RunResult } from '../../src/run/index.ts';
import { CheckpointLedger, percentOver, summarizeStalls } from '../../src/run/index.ts';

/** The mechanisms replay.c knows, in the order a comparison runs them. */
export const MECHANISMS = ['none', 'full', 'mprotect', 'uffd-wp', 'uffd-async', 'soft-dirty'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/** The model strategy each mechanism stands for. */
export const STRATEGY_OF: Readonly<Record<Mechanism, string>> = {
  none: 'none',
  full: 'full-copy',
  mprotect: 'fault-notify',
  'uffd-wp': 'fault-notify',
  'uffd-async': 'kernel-log',
  'soft-dirty': 'kernel-log',
};

/** One checkpoint as replay.c reports it. */
export interface RawCheckpoint {
  position: number;
  pauseNs: number;
  collectNs: number;
  copyNs: number;
  rearmNs: number;
  copied: number;
  written: number;
  missed: number;
  restoreOk: boolean;
}

/** replay.c's output, `dirtybench/native-raw@1` (see replay.c for what each figure measures). */
export interface RawReplay {
  format: 'dirtybench/native-raw@1';
  mechanism: Mechanism;
  handlerCpu: 'same' | 'other' | null;
  cpu: number;
  handlerCpuIndex: number;
  trace: { file: string; pages: number; accesses: number; writtenPages: number; pageNumbers: boolean };
  interval: number;
  clock: string;
  replayNs: number;
  runtimeNs: number;
  faults: number;
  faultSource: 'handler' | 'getrusage' | 'none';
  expectedFaults: number;
  timedAccesses: number;
  untimedFaults: number;
  kernelFaults: number;
  faultNs: number[];
  unfaultedNs: number[];
  handlerNs: number[];
  metadataBytes: number;
  checkpoints: RawCheckpoint[];
}

/** What only a native run reports, under `metrics.native`. */
export interface NativeMetrics {
  mechanism: Mechanism;
  /** CPU of the replay thread, and of the uffd-wp handler thread (null for the other mechanisms). */
  cpu: number;
  handlerCpu: number | null;
  /** First writes per interval: the faults a write-protect tracker must take. */
  expectedFaults: number;
  /** Where `faults` was counted: the user-level handler, or getrusage for faults the kernel resolves. */
  faultSource: RawReplay['faultSource'];
  /** Minor + major faults getrusage saw during the replay (not the pauses). */
  kernelFaults: number;
  /** Handler faults at accesses that were not timed (0 when the first-write prediction holds). */
  untimedFaults: number;
  /** The handler's own time per fault (mprotect: the signal handler; uffd-wp: read() return to the write-enable's return), in cycles. */
  handlerHistogram: [number, number][];
  /** Latency of the timed first writes that did not fault (none, full), in cycles: the cost of a timed store itself. */
  unfaultedHistogram: [number, number][];
  /** Replay time without the pauses. */
  replayCycles: number;
}

/** A native run: a results@1 run with no analytic bounds, native metrics, and the interval in accesses. */
export type NativeRun = Omit<RunResult, 'bounds' | 'metrics'> & {
  intervalAccesses: number | null;
  bounds: { [K in keyof RunResult['bounds']]: null };
  metrics: Omit<RunMetrics, 'counters'> & { counters: null; native: NativeMetrics };
};

/** The profile name of a raw replay. */
export function profileName(raw: Pick<RawReplay, 'mechanism' | 'handlerCpu'>): string {
  return `native-linux-${raw.mechanism}${raw.handlerCpu === 'other' ? '-other-cpu' : ''}`;
}

/** ns → whole cycles at `cpuHz`. */
export function nsToCycles(ns: number, cpuHz: number): number {
  return Math.round((ns * cpuHz) / 1e9);
}

/** The exact histogram of durations given in ns, in cycles: [cycles, count] ascending. */
export function histogram(ns: readonly number[], cpuHz: number): [number, number][] {
  const counts = new Map<number, number>();
  for (const v of ns) {
    const c = nsToCycles(v, cpuHz);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

function mergeHistograms(a: readonly [number, number][], b: readonly [number, number][]): [number, number][] {
  const counts = new Map<number, number>();
  for (const [c, n] of [...a, ...b]) counts.set(c, (counts.get(c) ?? 0) + n);
  return [...counts.entries()].sort((x, y) => x[0] - y[0]);
}

/**
 * The results@1 run of `raw`, with `baseline` (the `none` replay of the same
 * trace and checkpoint positions) for baselineCycles and overheadPct.
 */
export function nativeRun(
  raw: RawReplay,
  baseline: RawReplay,
  cpuHz: number,
  intervalAccesses: number | null,
): NativeRun {
  const cyc = (ns: number) => nsToCycles(ns, cpuHz);
  const cps = raw.checkpoints;
  const faultHist = histogram(raw.faultNs, cpuHz);
  const pauseHist = histogram(
    cps.map((c) => c.pauseNs),
    cpuHz,
  );
  const runtimeCycles = cyc(raw.runtimeNs);
  const baselineCycles = cyc(baseline.runtimeNs);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const breakdown: Record<string, number> = {
    fault: cyc(sum(raw.faultNs)),
    'checkpoint.collect': cyc(sum(cps.map((c) => c.collectNs))),
    'checkpoint.copy': cyc(sum(cps.map((c) => c.copyNs))),
    'checkpoint.rearm': cyc(sum(cps.map((c) => c.rearmNs))),
  };
  breakdown['compute'] = runtimeCycles - sum(Object.values(breakdown));
  const copied = sum(cps.map((c) => c.copied));
  const truly = sum(cps.map((c) => c.written - c.missed));
  // The simulated runs' ledger, so the means leave the final checkpoint out the same way.
  const ledger = new CheckpointLedger();
  for (const c of cps) {
    const truePositives = c.written - c.missed;
    const verdict = {
      truePositives,
      falsePositives: c.copied - truePositives,
      missed: c.missed,
      restoreMismatches: 0,
    };
    ledger.record(c.copied, verdict, nsToCycles(c.pauseNs, cpuHz));
  }
  const missedPages = sum(cps.map((c) => c.missed));
  const restoreOk = cps.every((c) => c.restoreOk);
  const faultSummary = summarizeStalls(faultHist);
  const pauseSummary = summarizeStalls(pauseHist);
  const failures: string[] = [];
  if (missedPages > 0) failures.push(`missed ${missedPages} written pages: a checkpoint did not copy them`);
  if (!restoreOk) failures.push('the checkpoint image differs from memory after a checkpoint');
  if (raw.faults !== raw.expectedFaults) {
    failures.push(
      `${raw.faults} tracking faults, the trace implies ${raw.expectedFaults} (first writes per interval)`,
    );
  }
  const metadataBytes = raw.metadataBytes;
  return {
    strategy: STRATEGY_OF[raw.mechanism],
    workload: 'trace',
    profile: profileName(raw),
    params: {
      strategy: { mechanism: raw.mechanism, ...(raw.handlerCpu ? { handlerCpu: raw.handlerCpu } : {}) },
      workload: { file: basename(raw.trace.file) },
    },
    seed: 0,
    // The replayer copies from the memory it runs on: B's pages are mapped in the copier.
    copyVia: 'mapped',
    pages: raw.trace.pages,
    accesses: raw.trace.accesses,
    intervalCycles: 0,
    intervalAccesses,
    intervalFrom: null,
    phaseCycles: null,
    checkpoints: cps.length,
    skippedSlots: 0,
    cpuHz,
    metrics: {
      runtimeCycles,
      baselineCycles,
      overheadPct: percentOver(runtimeCycles, baselineCycles),
      // The replayer never idles: its busy time is its runtime.
      busyOverheadPct: percentOver(runtimeCycles, baselineCycles),
      breakdownCycles: breakdown,
      faults: raw.faults,
      stalls: summarizeStalls(mergeHistograms(faultHist, pauseHist)),
      stallsByKind: { fault: faultSummary, checkpoint: pauseSummary },
      // No analytic bound, so no slack.
      boundSlackPct: { fault: null, checkpoint: null, ringFull: null },
      pause: { maxCycles: pauseSummary.maxCycles, meanCycles: ledger.meanPauseCycles() },
      stallHistogram: { fault: faultHist, checkpoint: pauseHist },
      checkpointPages: {
        mean: ledger.meanCopiedPages(),
        max: ledger.maxCopiedPages,
        falsePositiveMean: ledger.meanFalsePositives(),
      },
      finalCheckpoint: { ...ledger.last },
      precision: copied > 0 ? truly / copied : 1,
      memory: {
        metadataBytes,
        // The replayer allocates its tracking structures once, before the replay.
        peakMetadataBytes: metadataBytes,
        quotaBytes: 0,
        checkpointBytes: (raw.trace.pages + copied) * 4096,
        byKind: metadataBytes > 0 ? { tracker: metadataBytes } : {},
      },
      realtime: null,
      verification: { missedPages, restoreOk, boundsOk: true },
      counters: null,
      native: {
        mechanism: raw.mechanism,
        cpu: raw.cpu,
        handlerCpu: raw.handlerCpuIndex >= 0 ? raw.handlerCpuIndex : null,
        expectedFaults: raw.expectedFaults,
        faultSource: raw.faultSource,
        kernelFaults: raw.kernelFaults,
        untimedFaults: raw.untimedFaults,
        handlerHistogram: histogram(raw.handlerNs, cpuHz),
        unfaultedHistogram: histogram(raw.unfaultedNs, cpuHz),
        replayCycles: cyc(raw.replayNs),
      },
    },
    bounds: {
      maxStallCycles: null,
      maxFaultStallCycles: null,
      maxPauseCycles: null,
      maxRingFullStallCycles: null,
    },
    ok: failures.length === 0,
    failures,
  };
}

/**
 * Native runs as the shared renderers' type: they read only what both kinds
 * of run have (names, sizes, metrics but counters, verification), never
 * `bounds` or `counters`, which a native run leaves null.
 */
export function asRunResults(runs: readonly NativeRun[]): RunResult[] {
  return runs as unknown as RunResult[];
}
