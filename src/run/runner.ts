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
  Actor,
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
  type StallBounds,
  type Strategy,
  type StrategyBounds,
  withMaxStall,
} from '../strategies/index.ts';
import { createWorkload, type WorkloadStream } from '../workloads/index.ts';
import { baselineCache, baselineReplay } from './baseline.ts';
import { Copier, type CopyBounds } from './copy.ts';
import { costStreams } from './cost-streams.ts';
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
  const base = cache.known === undefined ? baselineReplay(prepared, stream) : null;
  const measured = startMeasured(prepared, stream, with_.fullCheck === true);
  drive(stream, base ? [base, measured.replay] : [measured.replay]);
  const baseline = cache.known ?? base!.finish();
  if (cache.known === undefined) cache.store(baseline);
  return measured.finish(baseline);
}

function openStream(p: PreparedRun): WorkloadStream {
  return createWorkload(p.workload, p.config.common, p.workloadParams, p.config.seed);
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
): { replay: Replay; finish: (baseline: ReplayOutcome) => RunResult } {
  const { config } = p;
  const pages = stream.pages;
  const platform = createPlatform(config.profile, pages, costStreams(config.seed));
  // `profile` has each figure's maximum (bounds read it); `costs` draws (issue 15, sampling.ts).
  const { clock, memory, stalls, profile, costs } = platform;
  const strategy = createStrategy(p.strategy, platform, p.strategyParams);
  const copier = new Copier(platform, p.copyVia);
  const store = new CheckpointStore(pages);

  // Setup, not measured.
  setUp(platform, strategy, copier, store);
  // The strategy's bounds, and what reaching B's memory adds to them (known once B's memory is built).
  // B touches at most its page set between two checkpoints (periodic's jobPages), else every page.
  const touched = Math.min(pages, stream.jobs?.pages ?? pages);
  const own = p.strategy.bounds(profile, pages, p.strategyParams, touched);
  const { bounds, faultsPerPage } = runBounds(own, copier.bounds(own.maxCopiedPages));
  const wcrtBoundCycles = stream.jobs
    ? responseTimeBound({
        periodCycles: stream.jobs.periodCycles,
        accessesPerJob: stream.jobs.accessesPerJob,
        pageSet: touched,
        jobs: Math.ceil(stream.accesses / stream.jobs.accessesPerJob),
        accessCycles: stream.computeCycles + maxAccessTranslationCycles(profile),
        faultStallCycles: bounds.maxFaultStallCycles,
        faultsPerPage,
        ringFullStallCycles: bounds.maxRingFullStallCycles,
        ringEntries: own.ringEntries,
        pauseCycles: bounds.maxPauseCycles,
        timer: p.timer,
      })
    : null;
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

  const checkpoint = () => {
    const t0 = clock.now;
    clock.phase = Phase.pause;
    // Stop B's thread: A's RPC to core (Cpu_thread), which, as every IPC,
    // leaves B's address space (kernel.ts switchFromB; issue 10).
    kernel.rpc(costs.core.threadControl, Actor.core);
    clock.phase = Phase.collect;
    const n = strategy.collect(reportedList);
    const unique = markReported(reportedList, n, reported);
    if (unique < 0) {
      const pg = reportedList[-unique - 1];
      throw new ModelError(`strategy '${p.strategy.name}' reported page ${pg} outside B`);
    }
    clock.phase = Phase.copy;
    copier.copy(reportedList, unique, reported);
    clock.charge(Actor.handler, drawCycles(costs, 'checkpointer', 'copyPage', unique)); // a memcpy per page
    store.storeIncrement(reportedList, unique, memory);
    // Verify against the oracle (written since the last checkpoint vs reported)
    // and the restored chain against live memory. B is stopped until the
    // resume below, and re-arming changes no page contents.
    const full = fullCheck ? store.fullVerdict(reported, memory) : null;
    const verdict = store.verify(reported, reportedList, unique, memory);
    if (full !== null) checkAgainstFull(verdict, full);
    clearMarks(reported, reportedList, unique);
    clock.phase = Phase.rearm;
    strategy.rearm(reportedList, unique);
    clock.phase = Phase.pause;
    kernel.rpc(costs.core.threadControl, Actor.core); // resume B
    ledger.record(unique, verdict, clock.now - t0);
    stalls.record(clock.now - t0, StallCause.checkpoint);
    clock.phase = Phase.run;
  };

  const replay = new Replay(
    platform,
    stream.computeCycles,
    stream.jobs,
    stream.accesses,
    p.timer,
    checkpoint,
  );
  const finish = (baseline: ReplayOutcome): RunResult => {
    const outcome = replay.finish();
    checkpoint(); // the final checkpoint
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
    });
  };
  return { replay, finish };
}
