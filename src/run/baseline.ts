/**
 * The baseline: the same workload on plain memory, without tracking or
 * checkpoints. It depends on the workload definition (by identity), its
 * parameters, the profile and the seed; not on the strategy, not on the
 * interval. A baseline is a pure function of these, so comparing N
 * strategies on one workload replays it once, not N times: a few are kept
 * per workload, oldest first out.
 */
import { createPlatform, Phase } from '../platform/index.ts';
import { attachPlainRam } from '../strategies/index.ts';
import type { WorkloadDef, WorkloadStream } from '../workloads/index.ts';
import { costStreams } from './cost-streams.ts';
import type { PreparedRun } from './prepare.ts';
import { Replay, type ReplayOutcome, touchAll } from './replay.ts';

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
export function baselineReplay(p: PreparedRun, stream: WorkloadStream): Replay {
  const platform = createPlatform(p.config.profile, stream.pages, costStreams(p.config.seed));
  platform.clock.phase = Phase.setup;
  attachPlainRam(platform);
  touchAll(platform);
  platform.clock.phase = Phase.run;
  return new Replay(platform, stream.computeCycles, stream.jobs, stream.accesses, null, () => {});
}
