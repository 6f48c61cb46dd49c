/**
 * The runner (docs/design.md §5): one run = (profile, strategy + params,
 * workload + params, checkpoint interval, seed, how A reaches B's memory),
 * and the checkpoint sequence.
 *
 * Setup (not measured): B's memory is built through core as the strategy
 * requires, B touches (writes) every page once, the base checkpoint stores
 * every page, and the strategy arms itself. Measured phase: the workload is
 * replayed through the MMU; at every checkpoint B is paused, the strategy
 * collects, the reported pages are copied into the store (reached as
 * `--copy-via` says, copy.ts), the run verifies
 * that no written page went unreported and that the restored chain equals B's
 * memory, the strategy re-arms, and B resumes. The same workload on the same
 * platform without tracking or checkpoints is the baseline (baseline.ts).
 *
 * Checkpoints fall where the run's timer says (replay.ts): on a fixed grid
 * of target time (setup end + k × interval, counting the slots a long
 * checkpoint overran), an interval after the previous checkpoint ended, or
 * after every N of B's accesses; and once at the end. What each checkpoint
 * adds up to is the ledger's, and the figures are built apart (metrics.ts).
 */

import {
  Cat,
  createPlatform,
  diffCounters,
  drawCycles,
  MAX_PAGES,
  ModelError,
  maxAccessTranslationCycles,
  Phase,
  type Platform,
  platformCounters,
  StallCause,
} from '../platform/index.ts';
import {
  type Bounds,
  createStrategy,
  forEachFlexpageOfPages,
  type StallBounds,
  type Strategy,
  type StrategyBounds,
  withMaxStall,
} from '../strategies/index.ts';
import { createWorkload, type WorkloadStream } from '../workloads/index.ts';
import { baselineCache, baselineReplay } from './baseline.ts';
import { Copier, type CopyBounds } from './copy.ts';
import { costStreams } from './cost-streams.ts';
import { CowCopier, type CowMetrics, cowBounds } from './cow.ts';
import { checkExactBounds, checkExactResult, strategyBounds } from './exact.ts';
import { buildResult, CheckpointLedger } from './metrics.ts';
import { ConfigError, type PreparedRun, prepareRun, type RunOverrides } from './prepare.ts';
import { responseTimeBound } from './realtime.ts';
import { drive, Replay, type ReplayOutcome, touchAll } from './replay.ts';
import { CheckpointStore, type CheckpointVerdict } from './store.ts';
import type { RunConfig, RunResult } from './types.ts';

/** Runs one configuration: the measured run and its baseline. Deterministic. */
export function runExperiment(config: RunConfig, with_: RunOverrides = {}): RunResult {
  const prepared = prepareRun(config, with_);
  const stream = openStream(prepared);
  if (stream.pages > MAX_PAGES) {
    stream.close();
    throw new ConfigError(
      `workload '${prepared.workload.name}' addresses ${stream.pages} pages; the emulated platform holds at most ${MAX_PAGES}`,
    );
  }
  const cache = baselineCache(prepared);
  // Replayed beside the measured run, unless it is known or being replayed elsewhere (`baselineLater`).
  const later = cache.known === undefined ? with_.baselineLater : undefined;
  const base = cache.known === undefined && later === undefined ? baselineReplay(prepared, stream) : null;
  const measured = startMeasured(prepared, stream, with_.fullCheck === true, with_.brokenCow === true);
  drive(stream, base ? [base, measured.replay] : [measured.replay]);
  const baseline = cache.known ?? base?.finish() ?? later?.() ?? replayBaselineAlone(prepared);
  if (cache.known === undefined) cache.store(baseline);
  const result = measured.finish(baseline);
  checkExactResult(result);
  return result;
}

function openStream(p: PreparedRun): WorkloadStream {
  return createWorkload(p.workload, p.config.common, p.workloadParams, p.config.seed);
}

/** The baseline of `p` replayed on its own, from a fresh stream of the workload (the same accesses). */
function replayBaselineAlone(p: PreparedRun): ReplayOutcome {
  const stream = openStream(p);
  const base = baselineReplay(p, stream);
  drive(stream, [base]);
  return base.finish();
}

/**
 * Marks the pages of `list[0..n)` in `reported` and compacts `list` in place
 * to each page's first report; returns how many pages that leaves, or
 * −(i + 1) for the first entry i outside B (`list[i]` is then unchanged).
 * A module function rather than code in the checkpoint closure, whose
 * captured variables V8 re-reads from the closure's context in every iteration.
 */
function markReported(list: Int32Array, n: number, reported: Uint8Array): number {
  const pages = reported.length;
  let unique = 0;
  for (let i = 0; i < n; i++) {
    const pg = list[i]!;
    if (!(pg >= 0 && pg < pages)) return -i - 1;
    if (reported[pg] === 0) {
      reported[pg] = 1;
      list[unique++] = pg;
    }
  }
  return unique;
}

/** @throws ModelError when the incremental verdict of a checkpoint differs from the full comparison's. */
function checkAgainstFull(verdict: CheckpointVerdict, full: CheckpointVerdict): void {
  const keys = Object.keys(full) as (keyof CheckpointVerdict)[];
  if (keys.some((k) => verdict[k] !== full[k])) {
    throw new ModelError(
      `verification: the incremental check found ${JSON.stringify(verdict)}, visiting every page found ${JSON.stringify(full)}`,
    );
  }
}

/** Clears the marks `markReported` set for `list[0..n)`. */
function clearMarks(reported: Uint8Array, list: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) reported[list[i]!] = 0;
}

/**
 * A run's bounds: the strategy's per stall kind, with what reaching B's
 * memory adds (copy.ts): to every pause the copy's work, and to a fault
 * stall B's refault through its pager after A's detach, which can be the
 * same stall as a tracking fault (the pager maps the page write-protected
 * for tracking, and the write then traps) and, on its own, one more stall
 * per page and interval.
 */
export function runBounds(own: StrategyBounds, copy: CopyBounds): { bounds: Bounds; faultsPerPage: number } {
  const kinds: StallBounds = { ...own };
  kinds.maxFaultStallCycles += copy.fault;
  kinds.maxPauseCycles += copy.pause;
  return {
    bounds: withMaxStall(kinds),
    faultsPerPage: own.faultsPerPage + (copy.fault > 0 ? 1 : 0),
  };
}

/**
 * B's memory set up as the strategy needs it, A's view of it as the copy
 * needs it, every page written once, the base stored, tracking armed.
 */
function setUp(platform: Platform, strategy: Strategy, copier: Copier, store: CheckpointStore): void {
  platform.clock.phase = Phase.setup;
  strategy.setupMemory();
  copier.setUp();
  touchAll(platform);
  store.storeBase(platform.memory);
  platform.memory.markCheckpoint();
  strategy.arm();
}

/**
 * The measured run with checkpoints and verification: set up, and return the
 * replay to feed and the function that ends the run and builds its result.
 */
function startMeasured(
  p: PreparedRun,
  stream: WorkloadStream,
  fullCheck: boolean,
  brokenCow = false,
): { replay: Replay; finish: (baseline: ReplayOutcome) => RunResult } {
  const { config } = p;
  const pages = stream.pages;
  const platform = createPlatform(config.profile, pages, costStreams(config.seed));
  // `profile` has each figure's maximum (bounds read it); `costs` draws (issue 15, sampling.ts).
  const { clock, memory, stalls, profile, costs } = platform;
  const strategy = createStrategy(p.strategy, platform, p.strategyParams);
  const copier = new Copier(platform, p.copyVia, p.copier !== null);
  const store = new CheckpointStore(pages);
  // Copy-on-write: A's copier thread, and the kernel's protect whose faults it answers (before B maps its memory).
  const cow = p.copier === null ? null : new CowCopier(platform, copier, store, p.copier);
  if (cow !== null) {
    platform.kernel.enableCopyOnWrite((vpn) => cow.onFault(vpn));
    platform.kernel.debugCowCopyAfterWrite = brokenCow;
  }

  // Setup, not measured.
  setUp(platform, strategy, copier, store);
  // The strategy's bounds, and what reaching B's memory adds to them (known once B's memory is built).
  // B touches at most its page set between two checkpoints (periodic's jobPages), else every page.
  const touched = Math.min(pages, stream.jobs?.pages ?? pages);
  const own = strategyBounds(p, pages, touched);
  const copyBounds = copier.bounds(own.maxCopiedPages);
  const { bounds, faultsPerPage, interferenceCycles } =
    cow === null
      ? { ...runBounds(own, copyBounds), interferenceCycles: 0 }
      : cowBounds(profile, own, copyBounds, copier);
  const wcrtBoundCycles = stream.jobs
    ? responseTimeBound({
        periodCycles: stream.jobs.periodCycles,
        accessesPerJob: stream.jobs.accessesPerJob,
        pageSet: touched,
        jobs: Math.ceil(stream.accesses / stream.jobs.accessesPerJob),
        accessCycles: stream.computeCycles + maxAccessTranslationCycles(profile),
        faultStallCycles: Math.max(bounds.maxFaultStallCycles, bounds.maxCowFaultStallCycles ?? 0),
        faultsPerPage,
        ringFullStallCycles: bounds.maxRingFullStallCycles,
        ringEntries: own.ringEntries,
        pauseCycles: bounds.maxPauseCycles + interferenceCycles,
        timer: p.timer,
      })
    : null;
  checkExactBounds(p, pages, { ...bounds, ...(wcrtBoundCycles === null ? {} : { wcrtBoundCycles }) });
  const setupCycles = clock.now;
  clock.byCategory.fill(0);
  const countersAtStart = platformCounters(platform);
  stalls.recording = true;
  clock.phase = Phase.run;

  // The pages a strategy reports, then (compacted in place) the pages copied.
  const reportedList = new Int32Array(pages);
  const reported = new Uint8Array(pages);
  const ledger = new CheckpointLedger();
  const { kernel } = platform;

  /**
   * Collect, store and verify, B stopped: the pages reported in
   * `reportedList[0..n)`, returning n, with the checkpoint's verdict in
   * `verdict` (the store's object, until the next checkpoint). Under `--copy=stop`
   * A copies them first (`copyInPause`); under `cow` its copier thread copies
   * them after the pause, each checked against what is stored here.
   */
  let verdict: CheckpointVerdict | null = null;
  const collectAndStore = (copyInPause: boolean): number => {
    clock.phase = Phase.collect;
    const n = strategy.collect(reportedList);
    const unique = markReported(reportedList, n, reported);
    if (unique < 0) {
      const pg = reportedList[-unique - 1];
      throw new ModelError(`strategy '${p.strategy.name}' reported page ${pg} outside B`);
    }
    if (copyInPause) {
      clock.phase = Phase.copy;
      copier.copy(reportedList, unique, reported);
      clock.chargeHandler(drawCycles(costs, 'checkpointer', 'copyPage', unique)); // a memcpy per page
    }
    store.storeIncrement(reportedList, unique, memory);
    // Verify against the oracle (written since the last checkpoint vs reported)
    // and the restored chain against live memory. B is stopped until the
    // resume, and re-arming changes no page contents.
    const full = fullCheck ? store.fullVerdict(reported, memory) : null;
    verdict = store.verify(reported, reportedList, unique, memory);
    if (full !== null) checkAgainstFull(verdict, full);
    clearMarks(reported, reportedList, unique);
    clock.phase = Phase.rearm;
    strategy.rearm(reportedList, unique);
    return unique;
  };

  /** B resumed at the end of a pause that began at `t0`, which copied `unique` pages. */
  const endPause = (t0: number, unique: number): void => {
    clock.phase = Phase.pause;
    kernel.rpcCore(costs.core.threadControl); // resume B
    ledger.record(unique, verdict!, clock.now - t0);
    stalls.record(clock.now - t0, StallCause.checkpoint);
    clock.phase = Phase.run;
  };

  const checkpoint = (): boolean => {
    const t0 = clock.now;
    clock.phase = Phase.pause;
    // Stop B's thread: A's RPC to core (Cpu_thread), which, as every IPC,
    // leaves B's address space (kernel.ts switchFromB; issue 10).
    kernel.rpcCore(costs.core.threadControl);
    endPause(t0, collectAndStore(true));
    return true;
  };

  // Copy-on-write (cow.ts): B paused to collect and protect; A's copier thread copies beside B.
  let overruns = 0;
  let skippedBeats = 0;
  const cowCheckpoint = (final = false): boolean => {
    const a = cow!;
    if (a.hasWork()) {
      overruns++;
      if (a.settings.overrun === 'skip' && !final) {
        skippedBeats++;
        return false;
      }
    }
    const t0 = clock.now;
    clock.phase = Phase.pause;
    kernel.rpcCore(costs.core.threadControl); // stop B
    if (a.hasWork()) {
      clock.phase = Phase.copy;
      a.finishInPause(); // the overrun: the last checkpoint's copy, B stopped
    }
    const unique = collectAndStore(false);
    // The copy-on-write protect of the pages to copy (what the re-arm protected already rides along).
    forEachFlexpageOfPages(reportedList, unique, (vpn, order) => kernel.cowProtect(vpn, order));
    a.load(reportedList, unique);
    endPause(t0, unique);
    a.afterPause();
    return true;
  };

  const replay = new Replay(
    platform,
    stream.computeCycles,
    stream.jobs,
    stream.accesses,
    p.timer,
    cow === null ? checkpoint : () => cowCheckpoint(),
    cow,
  );
  const finish = (baseline: ReplayOutcome): RunResult => {
    const outcome = replay.finish();
    let cowMetrics: CowMetrics | null = null;
    if (cow === null)
      checkpoint(); // the final checkpoint
    else {
      // B has finished: A copies what is left in B's idle time, then the final checkpoint, then its pages.
      cow.drain();
      cowCheckpoint(true);
      cow.drain();
      if (cow.uncopiedPages() !== 0)
        throw new ModelError(`copy-on-write: ${cow.uncopiedPages()} pages of increments were never copied`);
      const c = cow.counts;
      cowMetrics = {
        pausedCycles: ledger.pauseCycles,
        concurrentCopyCycles: clock.byCategory[Cat.checkpointCowCopy]!,
        switchCycles: clock.byCategory[Cat.checkpointSwitch]!,
        faults: c.faults,
        pagesCopiedInPause: c.pagesCopiedInPause,
        pagesCopiedConcurrently: c.pagesCopiedConcurrently,
        pagesCopiedOnFault: c.pagesCopiedOnFault,
        overruns,
        skippedBeats,
        copiedAfterWrite: c.copiedAfterWrite,
      };
    }
    store.checkFinal(memory);
    return buildResult(p, {
      platform,
      runtimeCycles: clock.now - setupCycles,
      counters: diffCounters(platformCounters(platform), countersAtStart),
      ledger,
      checkpointBytes: store.bytes(),
      strategyMemory: strategy.memory ? strategy.memory() : {},
      bounds,
      wcrtBoundCycles,
      outcome,
      baseline,
      jobs: Boolean(stream.jobs),
      cow: cowMetrics,
    });
  };
  return { replay, finish };
}
