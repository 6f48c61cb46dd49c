/**
 * The baseline: the same workload on plain memory, without tracking or
 * checkpoints. It depends on the workload definition (by identity), its
 * parameters, the profile and the seed; not on the strategy, not on the
 * interval. A baseline is a pure function of these, so comparing N
 * strategies on one workload replays it once, not N times: a few are kept
 * per workload, oldest first out. Worker threads each have their own cache;
 * the pool (bench/cli/pool.ts) hands a baseline one worker replayed to the
 * others ({@link knownBaseline}, {@link rememberBaseline}), so across the
 * pool too a baseline is replayed about once.
 */
import { createPlatform, Phase } from '../platform/index.ts';
import { attachPlainRam } from '../strategies/index.ts';
import type { WorkloadDef, WorkloadStream } from '../workloads/index.ts';
import { costStreams } from './cost-streams.ts';
import { type PreparedRun, prepareRun } from './prepare.ts';
import { Replay, type ReplayOutcome, touchAll } from './replay.ts';
import type { RunConfig } from './types.ts';

const baselines = new WeakMap<WorkloadDef, Map<string, ReplayOutcome>>();
const BASELINES_KEPT = 16;

/** The baseline of `p` if one is known, and where to store it once replayed. */
export function baselineCache(p: PreparedRun): {
  known: ReplayOutcome | undefined;
  store: (o: ReplayOutcome) => void;
} {
  let cache = baselines.get(p.workload);
  if (!cache) {
    cache = new Map();
    baselines.set(p.workload, cache);
  }
  const key = baselineKey(p);
  const map = cache;
  return {
    known: map.get(key),
    store(o) {
      if (map.size >= BASELINES_KEPT) map.delete(map.keys().next().value!);
      map.set(key, o);
    },
  };
}

/**
 * What a baseline depends on, as a string: runs with the same key share one
 * baseline (the workload's definition aside, which the cache keys by identity).
 */
function baselineKey(p: PreparedRun): string {
  return JSON.stringify([p.config.profile, p.workloadParams, p.config.common, p.config.seed]);
}

/**
 * Which runs share a baseline, for a config of the registries' names: the
 * same key, the same baseline.
 */
export function sharedBaselineKey(config: RunConfig): string {
  return `${config.workload} ${baselineKey(prepareRun(config))}`;
}

/** The baseline this process knows for `config` (of the registries' names), if any. */
export function knownBaseline(config: RunConfig): ReplayOutcome | undefined {
  return baselineCache(prepareRun(config)).known;
}

/** Makes `baseline`, replayed elsewhere for a run sharing its key, known to this process for `config`. */
export function rememberBaseline(config: RunConfig, baseline: ReplayOutcome): void {
  const cache = baselineCache(prepareRun(config));
  if (cache.known === undefined) cache.store(baseline);
}

/** The baseline's replay: plain RAM, no tracking, no checkpoints. */
export function baselineReplay(p: PreparedRun, stream: WorkloadStream): Replay {
  const platform = createPlatform(p.config.profile, stream.pages, costStreams(p.config.seed));
  platform.clock.phase = Phase.setup;
  attachPlainRam(platform);
  touchAll(platform);
  platform.clock.phase = Phase.run;
  return new Replay(platform, stream.computeCycles, stream.jobs, stream.accesses, null, () => true);
}

/** The fields of a baseline, in the order {@link SharedBaseline} keeps them (a record, so the compiler finds a missing one). */
const OUTCOME_FIELD: Record<keyof ReplayOutcome, number> = {
  cycles: 0,
  idleCycles: 1,
  skippedSlots: 2,
  accesses: 3,
  wcrtCycles: 4,
  deadlineMisses: 5,
  jobs: 6,
};
const OUTCOME_FIELDS = Object.keys(OUTCOME_FIELD) as (keyof ReplayOutcome)[];

/**
 * One baseline in memory shared between threads (bench/cli/pool.ts): the
 * worker that replays it writes it when its run ends, and a worker whose run
 * of the same baseline started meanwhile reads it at its end
 * (`RunOverrides.baselineLater`) instead of replaying it beside its own. A
 * baseline's figures are integers below 2^53, exact in a Float64Array.
 */
export class SharedBaseline {
  private readonly values: Float64Array;
  /** 1 once the values are written (Atomics orders the write before it). */
  private readonly ready: Int32Array;

  constructor(readonly buffer = new SharedArrayBuffer(8 * (OUTCOME_FIELDS.length + 1))) {
    this.values = new Float64Array(buffer, 8, OUTCOME_FIELDS.length);
    this.ready = new Int32Array(buffer, 0, 1);
  }

  /** Stores `o` (a later write of the same baseline changes nothing: a baseline is a pure function of its key). */
  write(o: ReplayOutcome): void {
    if (Atomics.load(this.ready, 0) === 1) return;
    for (const k of OUTCOME_FIELDS) this.values[OUTCOME_FIELD[k]] = o[k];
    Atomics.store(this.ready, 0, 1);
  }

  /** The baseline, or undefined while none is written. */
  read(): ReplayOutcome | undefined {
    if (Atomics.load(this.ready, 0) !== 1) return undefined;
    const o = {} as ReplayOutcome;
    for (const k of OUTCOME_FIELDS) o[k] = this.values[OUTCOME_FIELD[k]]!;
    return o;
  }
}
