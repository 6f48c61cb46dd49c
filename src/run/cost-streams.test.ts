/**
 * Runs on a profile whose costs are distributions (issue 15): the tails come
 * out of the simulation, the run stays a pure function of its configuration,
 * the workload's accesses stay what they were, and the bounds read the maxima.
 */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../platform/index.ts';
import { profileWith, profileWithDistributions } from '../platform/testing.ts';
import { runExperiment } from './runner.ts';
import type { RunConfig } from './types.ts';

const trap = { p0: 1000, p50: 1400, p90: 3000, p99: 20_000, max: 200_000 };
const copy = { p0: 500, p50: 600, p99: 5000, max: 50_000 };

function config(profile: RunConfig['profile'], seed = 1): RunConfig {
  return {
    profile,
    strategy: 'fault-notify',
    strategyParams: {},
    workload: 'uniform',
    workloadParams: {},
    common: { pages: 1024, accesses: 40_000, writeRatio: 0.3, computeCycles: 10 },
    intervalCycles: 0,
    intervalAccesses: 5000,
    seed,
  };
}

describe('a run whose cost figures are distributions', () => {
  const drawn = profileWithDistributions('linux-x86_64', {
    'kernel.pageFaultTrap': trap,
    'checkpointer.copyPage': copy,
  });
  const constant = loadProfile('linux-x86_64');

  it('has a fault p99 above its p50, out of the simulation, where constant costs make them one', () => {
    const flat = runExperiment(config(constant));
    expect(flat.metrics.stallsByKind['fault']!.p99Cycles).toBe(flat.metrics.stallsByKind['fault']!.p50Cycles);
    expect(flat.metrics.stallHistogram.fault).toHaveLength(1);

    const r = runExperiment(config(drawn));
    expect(r.ok, r.failures.join('; ')).toBe(true);
    const fault = r.metrics.stallsByKind['fault']!;
    // The trap's own spread, on top of the rest of the fault path.
    const rest = flat.metrics.stallsByKind['fault']!.p50Cycles - constant.kernel.pageFaultTrap;
    expect(fault.p50Cycles - rest).toBeGreaterThan(1300);
    expect(fault.p50Cycles - rest).toBeLessThan(1500);
    // Near p99 the quantile function climbs steeply (1 % spread to 200 000), so a sample's p99 scatters upward.
    expect(fault.p99Cycles - rest).toBeGreaterThan(15_000);
    expect(fault.p99Cycles - rest).toBeLessThan(60_000);
    expect(fault.maxCycles - rest).toBeLessThanOrEqual(200_000);
    expect(r.metrics.stallHistogram.fault.length).toBeGreaterThan(1000);
    // Checkpoint pauses vary with the copies' draws.
    expect(new Set(r.metrics.stallHistogram.checkpoint.map(([c]) => c)).size).toBe(r.checkpoints);
  });

  it('is the same run every time, and draws other costs from another seed', () => {
    const a = runExperiment(config(drawn));
    expect(JSON.stringify(runExperiment(config(drawn)))).toBe(JSON.stringify(a));
    expect(runExperiment(config(drawn, 2)).metrics.stallHistogram.fault).not.toEqual(
      a.metrics.stallHistogram.fault,
    );
  });

  it('replays the accesses the constant profile replays: the same faults, pages and checkpoints', () => {
    const a = runExperiment(config(drawn));
    const b = runExperiment(config(constant));
    expect(a.metrics.faults).toBe(b.metrics.faults);
    expect(a.metrics.checkpointPages).toEqual(b.metrics.checkpointPages);
    expect(a.metrics.finalCheckpoint.pages).toBe(b.metrics.finalCheckpoint.pages);
    expect(a.checkpoints).toBe(b.checkpoints);
    expect(a.metrics.counters).toEqual(b.metrics.counters);
  });

  it('is bounded by the maxima: the bounds are those of a profile with each figure at its maximum', () => {
    const r = runExperiment(config(drawn));
    const atMax = runExperiment(
      config(
        profileWith('linux-x86_64', {
          kernel: { pageFaultTrap: 200_000 },
          checkpointer: { copyPage: 50_000 },
        }),
      ),
    );
    expect(r.bounds).toEqual(atMax.bounds);
    expect(r.metrics.stallsByKind['fault']!.maxCycles).toBeLessThanOrEqual(r.bounds.maxStallCycles);
    expect(r.metrics.pause.maxCycles).toBeLessThanOrEqual(r.bounds.maxPauseCycles);
  });
});
