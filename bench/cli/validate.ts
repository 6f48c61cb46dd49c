/**
 * Validation before anything runs: every run is prepared (names, parameters,
 * capabilities), every selected workload's `prepare` hook runs once (a trace
 * is imported into the cache), each workload stream is opened once (common
 * parameters, input files) and each strategy's analytic bounds are computed
 * for its memory (its layout checks). Any bad input surfaces here, before a
 * cycle is simulated or a file is written.
 */
import { type PreparedRun, prepareRun } from '../../src/run/index.ts';
import { createWorkload } from '../../src/workloads/index.ts';
import type { Plan } from './plan.ts';

/**
 * @throws ConfigError, ParamError, CapabilityError, WorkloadError, ProfileError — the first bad input.
 */
export async function validatePlan(plan: Pick<Plan, 'configs'>): Promise<void> {
  const prepared = plan.configs.map((c) => prepareRun(c));
  // The `prepare` hooks: once per workload and parameters (a sweep may give a workload several).
  const hooked = new Set<string>();
  for (const p of prepared) {
    const key = JSON.stringify([p.workload.name, p.workloadParams]);
    if (hooked.has(key)) continue;
    hooked.add(key);
    // The runs keep the parameters as given (the user's trace file is what results record);
    // `create` then finds the page trace the hook put in the cache.
    await p.workload.prepare?.(p.workloadParams);
  }
  // One stream per workload and profile-independent inputs; the memory size it gives sizes the bounds.
  const pagesOf = new Map<string, number>();
  for (const p of prepared) {
    const key = streamKey(p);
    let pages = pagesOf.get(key);
    if (pages === undefined) {
      const stream = createWorkload(p.workload, p.config.common, p.workloadParams, p.config.seed);
      pages = stream.pages;
      stream.close();
      pagesOf.set(key, pages);
    }
    p.strategy.bounds(p.config.profile, pages, p.strategyParams, pages);
  }
}

function streamKey(p: PreparedRun): string {
  return JSON.stringify([p.workload.name, p.workloadParams, p.config.common, p.config.seed]);
}
