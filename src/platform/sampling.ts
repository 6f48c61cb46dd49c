/**
 * Cost figures as a run draws them (docs/design.md §1, issue 15). A profile
 * figure given as a distribution (profile.ts `CostDistribution`) costs a
 * different number of cycles each time the platform charges it: a draw from
 * the distribution, by inverse transform on its piecewise-linear quantile
 * function, rounded to whole cycles. The draws come from the run's seed, one
 * random stream per figure, so a run stays a pure function of its
 * configuration, and drawing one figure more often never changes another's
 * draws nor the workload's accesses (the runner opens the streams from the
 * workloads' generator, src/run/cost-streams.ts; the platform imports none of it).
 *
 * The design: `CostProfile` keeps every figure's maximum (a constant's value),
 * which is what worst-case reasoning needs — the strategies' analytic bounds
 * and the copy's bound read `platform.profile` unchanged. The platform's
 * components and the strategies' hooks charge through `platform.costs`, a
 * view of the same shape whose distribution figures are getters: each read
 * is one draw. For a profile of constants the view is the profile itself, so
 * its runs are byte-identical to before and the hot path reads plain
 * properties. Reading rules that follow:
 * - one read, one draw: `2 * k.ipcOneWay` draws once and doubles it; two IPCs
 *   that may differ are `k.ipcOneWay + k.ipcOneWay` (costs.ts `rpcCycles`);
 * - `n * k.unmapPerPage` in one kernel operation draws once: the per-page
 *   figures of a kernel call are measured as one call's slope (calibration),
 *   and one call's pages share its fortune (one walk, one hypervisor exit);
 * - `drawCycles(costs, section, field, n)` sums n independent draws, for a
 *   figure measured per event that happens n times (each page's memcpy);
 * - the MMU's page walk, on the per-access hot path, has a loop of its own
 *   when it is a distribution (mmu.ts `runEach`), chosen once at setup.
 */
import { type CostDistribution, type CostProfile, PROFILE_SCHEMA, profileFieldRows } from './profile.ts';

/** A stream of uniform 32-bit draws (the runner passes the workloads' xoshiro128**). */
export interface RandomStream {
  /** The next draw, an integer in [0, 2^32). */
  u32(): number;
}

/**
 * Opens the random stream of one cost figure, by its index in the schema's
 * order (`figureIndex`): a run's seed and this index must give the stream.
 */
export type CostStreams = (figure: number) => RandomStream;

const TWO_POW_MINUS_32 = 1 / 4294967296;

/** The index of figure `section.field` in the schema's order (profileFieldRows), which numbers its stream. */
export function figureIndex(path: string): number {
  const i = profileFieldRows().findIndex((r) => r.path === path);
  if (i < 0) throw new RangeError(`no profile figure '${path}'`);
  return i;
}

/** Draws of one distribution figure from its own stream. */
export class FigureSampler {
  private readonly p: Float64Array;
  private readonly cycles: Float64Array;
  constructor(
    d: CostDistribution,
    private readonly random: RandomStream,
  ) {
    this.p = Float64Array.from(d.p);
    this.cycles = Float64Array.from(d.cycles);
  }

  /**
   * One draw: u uniform in [0, 1), the cycles at probability u on the
   * piecewise-linear quantile function, rounded to whole cycles (so within
   * [p0, max]).
   */
  draw(): number {
    const u = this.random.u32() * TWO_POW_MINUS_32;
    const p = this.p;
    const c = this.cycles;
    let j = 1;
    while (p[j]! <= u) j++; // p ends at 1 > u
    const lo = p[j - 1]!;
    return Math.round(c[j - 1]! + ((u - lo) / (p[j]! - lo)) * (c[j]! - c[j - 1]!));
  }

  /** The sum of `n` independent draws. */
  sum(n: number): number {
    let total = 0;
    for (let i = 0; i < n; i++) total += this.draw();
    return total;
  }
}

/** The samplers of each view, by figure path, for `drawCycles`. */
const samplersOf = new WeakMap<object, ReadonlyMap<string, FigureSampler>>();

/**
 * The view of `profile` a run charges through: `profile` itself when every
 * figure is a constant; otherwise a frozen copy whose distribution figures
 * are getters drawing from `streams` (one stream per figure, opened here).
 * @throws RangeError when the profile has distributions and no streams are given.
 */
export function sampledCosts(profile: CostProfile, streams?: CostStreams): CostProfile {
  const distributions = profile.distributions ?? {};
  const paths = Object.keys(distributions);
  if (paths.length === 0) return profile;
  if (streams === undefined) {
    throw new RangeError(
      `profile ${profile.name} has cost distributions (${paths.join(', ')}): the platform needs the run's random streams to draw them`,
    );
  }
  const samplers = new Map<string, FigureSampler>();
  const view: Record<string, unknown> = { ...profile };
  for (const section of Object.keys(PROFILE_SCHEMA)) {
    const values: Record<string, unknown> = { ...(profile as unknown as Record<string, object>)[section] };
    for (const path of paths) {
      const [s, field] = path.split('.') as [string, string];
      if (s !== section) continue;
      const sampler = new FigureSampler(distributions[path]!, streams(figureIndex(path)));
      samplers.set(path, sampler);
      Object.defineProperty(values, field, { get: () => sampler.draw(), enumerable: true });
    }
    view[section] = Object.freeze(values);
  }
  Object.freeze(view);
  samplersOf.set(view, samplers);
  return view as CostProfile;
}

type CyclesSection = 'cpu' | 'mmu' | 'kernel' | 'core' | 'checkpointer';

/**
 * The cycles of `n` occurrences of one figure, each drawn anew where the
 * figure is a distribution (n × the value for a constant, exactly): for a
 * cost measured per event, like one page's memcpy, that happens n times.
 */
export function drawCycles<S extends CyclesSection>(
  costs: CostProfile,
  section: S,
  field: keyof CostProfile[S] & string,
  n: number,
): number {
  const sampler = samplersOf.get(costs)?.get(`${section}.${field}`);
  if (sampler === undefined) return n * (costs[section][field] as number);
  return sampler.sum(n);
}

/** True when figure `section.field` of `profile` is a distribution. */
export function isDistribution(profile: CostProfile, path: string): boolean {
  return profile.distributions?.[path] !== undefined;
}
