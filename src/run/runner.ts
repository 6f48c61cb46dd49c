/**
 * The runner (design §5): one run = (profile, strategy + params, workload +
 * params, checkpoint interval, seed).
 *
 * Setup (not measured): B's memory is built through core as the strategy
 * requires, B touches (writes) every page once, the base checkpoint stores
 * every page, and the strategy arms itself. Measured phase: the workload is
 * replayed through the MMU; at every checkpoint B is paused, the strategy
 * collects and the reported pages are copied into the store, the strategy
 * re-arms, and B resumes. After every checkpoint the run verifies that no
 * written page went unreported and that the restored chain equals B's memory.
 * The same workload on the same platform without tracking or checkpoints is
 * the baseline.
 *
 * Checkpoints fire on a periodic timer of target time: at setup end + k ×
 * interval, skipping slots a long checkpoint overran, and once at the end.
 */

import { type ParamSpecs, type ParamValues, resolveParams } from '../params/params.ts';
import {
  Actor,
  createPlatform,
  diffCounters,
  MAX_PAGES,
  ModelError,
  Phase,
  type Platform,
  platformCounters,
  requireCapability,
  rpcCycles,
  StallCause,
} from '../platform/index.ts';
import {
  attachPlainRam,
  createStrategy,
  findStrategy,
  type Strategy,
  type StrategyDef,
} from '../strategies/index.ts';
import { createWorkload, findWorkload, type WorkloadDef, type WorkloadStream } from '../workloads/index.ts';
import { Replay, type ReplayOutcome } from './replay.ts';
import { summarizeStalls } from './stats.ts';
import { CheckpointStore } from './store.ts';
import type { RunConfig, RunMetrics, RunResult } from './types.ts';

/** Accesses generated per batch. */
const BATCH = 4096;

/** Raised for a configuration that cannot run (unknown name); the message is one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A configuration resolved against the registries and checked, ready to run. */
export interface PreparedRun {
  config: RunConfig;
  strategy: StrategyDef;
  strategyParams: ParamValues<ParamSpecs>;
  workload: WorkloadDef;
  workloadParams: ParamValues<ParamSpecs>;
}

/**
 * Resolves names and parameters and checks capabilities, without running.
 * The CLI prepares every run first, so bad input fails before anything runs.
 * @throws ConfigError, ParamError, CapabilityError, WorkloadError.
 */
export function prepareRun(config: RunConfig, with_: RunOverrides = {}): PreparedRun {
  const strategy = with_.strategy ?? findStrategy(config.strategy);
  if (!strategy) throw new ConfigError(`unknown strategy '${config.strategy}'`);
  const workload = with_.workload ?? findWorkload(config.workload);
  if (!workload) throw new ConfigError(`unknown workload '${config.workload}'`);
  const strategyParams = resolveParams(strategy.name, strategy.params, config.strategyParams);
  for (const cap of strategy.requires(strategyParams)) {
    requireCapability(config.profile, cap, `strategy '${strategy.name}'`);
  }
  const workloadParams = resolveParams(workload.name, workload.params, config.workloadParams);
  if (!Number.isSafeInteger(config.intervalCycles) || config.intervalCycles < 1) {
    throw new ConfigError(
      `checkpoint interval must be a whole number of cycles >= 1, got ${config.intervalCycles}`,
    );
  }
  return { config, strategy, strategyParams, workload, workloadParams };
}

/**
 * Definitions to use instead of the registries' (a literal access list in a
 * test, a strategy under development); the config's names are then labels.
 */
export interface RunOverrides {
  strategy?: StrategyDef;
  workload?: WorkloadDef;
}

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
  const measured = startMeasured(prepared, stream);
  drive(stream, base ? [base, measured.replay] : [measured.replay]);
  const baseline = cache.known ?? base!.finish();
  if (cache.known === undefined) cache.store(baseline);
  return measured.finish(baseline);
}

function openStream(p: PreparedRun): WorkloadStream {
  return createWorkload(p.workload, p.config.common, p.workloadParams, p.config.seed);
}

/** B touches (writes) every page once, so the measured phase starts with B's memory mapped. */
function touchAll(platform: Platform): void {
  for (let p = 0; p < platform.pages; p++) platform.mmu.access(p, true);
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

/** Clears the marks `markReported` set for `list[0..n)`. */
function clearMarks(reported: Uint8Array, list: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) reported[list[i]!] = 0;
}

/** Generates the workload once and feeds every batch to each replay in turn. */
function drive(stream: WorkloadStream, replays: Replay[]): void {
  const pages = new Int32Array(BATCH);
  const writes = new Uint8Array(BATCH);
  for (let n = stream.fill(pages, writes); n > 0; n = stream.fill(pages, writes)) {
    for (const r of replays) r.feed(pages, writes, n);
  }
  stream.close();
}

/**
 * Baselines by everything they depend on: the workload definition (by
 * identity), its parameters, the profile and the seed; not the strategy, not
 * the interval. A baseline is a pure function of these, so comparing N
 * strategies on one workload replays it once, not N times. A few are kept
 * per workload, oldest first out.
 */
const baselines = new WeakMap<WorkloadDef, Map<string, ReplayOutcome>>();
const BASELINES_KEPT = 16;

function baselineCache(p: PreparedRun): {
  known: ReplayOutcome | undefined;
  store: (o: ReplayOutcome) => void;
} {
  let cache = baselines.get(p.workload);
  if (!cache) {
    cache = new Map();
    baselines.set(p.workload, cache);
  }
  const key = JSON.stringify([p.config.profile, p.workloadParams, p.config.common, p.config.seed]);
  const map = cache;
  return {
    known: map.get(key),
    store(o) {
      if (map.size >= BASELINES_KEPT) map.delete(map.keys().next().value!);
      map.set(key, o);
    },
  };
}

/** The baseline's replay: plain RAM, no tracking, no checkpoints. */
function baselineReplay(p: PreparedRun, stream: WorkloadStream): Replay {
  const platform = createPlatform(p.config.profile, stream.pages);
  platform.clock.phase = Phase.setup;
  attachPlainRam(platform);
  touchAll(platform);
  platform.clock.phase = Phase.run;
  return new Replay(
    platform,
    stream.computeCycles,
    stream.jobs,
    stream.accesses,
    Number.POSITIVE_INFINITY,
    () => {},
  );
}

/**
 * The measured run with checkpoints and verification: set up, and return the
 * replay to feed and the function that ends the run and builds its result.
 */
function startMeasured(
  p: PreparedRun,
  stream: WorkloadStream,
): { replay: Replay; finish: (baseline: ReplayOutcome) => RunResult } {
  const { config } = p;
  const pages = stream.pages;
  const platform = createPlatform(config.profile, pages);
  const { clock, memory, stalls, profile } = platform;
  const strategy: Strategy = createStrategy(p.strategy, platform, p.strategyParams);
  const bounds = p.strategy.bounds(profile, pages, p.strategyParams);
  const store = new CheckpointStore(pages);

  // Setup, not measured.
  clock.phase = Phase.setup;
  strategy.setupMemory();
  touchAll(platform);
  store.storeBase(memory);
  memory.markCheckpoint();
  strategy.arm();
  const setupCycles = clock.now;
  clock.byCategory.fill(0);
  const countersAtStart = platformCounters(platform);
  stalls.recording = true;
  clock.phase = Phase.run;

  // Checkpoint bookkeeping.
  // The pages a strategy reports, then (compacted in place) the pages copied.
  const reportedList = new Int32Array(pages);
  const reported = new Uint8Array(pages);
  const copied: number[] = [];
  const falsePositives: number[] = [];
  let truePositives = 0;
  let missed = 0;
  let restoreMismatches = 0;
  const pauseResume = rpcCycles(profile, profile.core.threadControl);

  const checkpoint = () => {
    const t0 = clock.now;
    clock.phase = Phase.pause;
    clock.charge(Actor.core, pauseResume); // stop B's thread
    clock.phase = Phase.collect;
    const n = strategy.collect(reportedList);
    const unique = markReported(reportedList, n, reported);
    if (unique < 0) {
      const pg = reportedList[-unique - 1];
      throw new ModelError(`strategy '${p.strategy.name}' reported page ${pg} outside B`);
    }
    clock.phase = Phase.copy;
    clock.charge(Actor.handler, unique * profile.checkpointer.copyPage);
    store.storeIncrement(reportedList, unique, memory);
    // Verify against the oracle (written since the last checkpoint vs reported)
    // and the restored chain against live memory. B is stopped until the
    // resume below, and re-arming changes no page contents.
    const verdict = store.verifyAndMark(reported, memory);
    truePositives += verdict.truePositives;
    missed += verdict.missed;
    restoreMismatches += verdict.restoreMismatches;
    clearMarks(reported, reportedList, unique);
    clock.phase = Phase.rearm;
    strategy.rearm(reportedList, unique);
    clock.phase = Phase.pause;
    clock.charge(Actor.core, pauseResume); // resume B
    copied.push(unique);
    falsePositives.push(verdict.falsePositives);
    stalls.record(clock.now - t0, StallCause.checkpoint);
    clock.phase = Phase.run;
  };

  const replay = new Replay(
    platform,
    stream.computeCycles,
    stream.jobs,
    stream.accesses,
    config.intervalCycles,
    checkpoint,
  );
  return { replay, finish: (baseline) => finishMeasured(replay.finish(), baseline) };

  function finishMeasured(outcome: ReplayOutcome, baseline: ReplayOutcome): RunResult {
    checkpoint(); // the final checkpoint
    const runtimeCycles = clock.now - setupCycles;

    const counters = diffCounters(platformCounters(platform), countersAtStart);
    const stallSummary = summarizeStalls(stalls.histogram());
    const pauseSummary = summarizeStalls(stalls.histogram(StallCause.checkpoint));
    const totalCopied = copied.reduce((a, b) => a + b, 0);
    const coreMemory = platform.core.memoryUse();
    const own = strategy.memory ? strategy.memory() : {};
    const byKind = { ...coreMemory.byKind };
    let ownBytes = 0;
    for (const [kind, bytes] of Object.entries(own)) {
      byKind[kind] = (byKind[kind] ?? 0) + bytes;
      ownBytes += bytes;
    }

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
      },
      checkpointPages: {
        mean: copied.length > 0 ? totalCopied / copied.length : 0,
        max: copied.length > 0 ? Math.max(...copied) : 0,
        falsePositiveMean:
          falsePositives.length > 0 ? falsePositives.reduce((a, b) => a + b, 0) / falsePositives.length : 0,
      },
      precision: totalCopied > 0 ? truePositives / totalCopied : 1,
      memory: {
        metadataBytes: coreMemory.metadataBytes + ownBytes,
        quotaBytes: coreMemory.quotaBytes,
        checkpointBytes: store.bytes(),
        byKind,
      },
      realtime: stream.jobs
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
      pages,
      accesses: outcome.accesses,
      intervalCycles: config.intervalCycles,
      checkpoints: copied.length,
      cpuHz: profile.cpu.hz,
      metrics,
      bounds,
      ok: failures.length === 0,
      failures,
    };
  }
}
