/**
 * The random streams a run's cost distributions draw from (src/platform/sampling.ts):
 * the workloads' generator, seeded like the workloads' own streams from the
 * run's seed, one stream per profile figure (`PrngStream.costs` + the figure's
 * index). Separate streams, so that drawing costs never moves a workload's
 * accesses, and drawing one figure more often never moves another's draws.
 */
import type { CostStreams } from '../platform/index.ts';
import { Prng, PrngStream } from '../workloads/index.ts';

/** The cost streams of a run with seed `seed`. */
export function costStreams(seed: number): CostStreams {
  return (figure) => Prng.seeded(seed, PrngStream.costs + figure);
}
