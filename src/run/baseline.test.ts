/**
 * A baseline replayed elsewhere (bench/cli/pool.ts): a run that reads it at
 * its end, or replays it alone there when it is not written yet, gives the
 * result of a run that replays it beside its own.
 */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../platform/index.ts';
import { findWorkload } from '../workloads/index.ts';
import { knownBaseline, SharedBaseline } from './baseline.ts';
import { runExperiment } from './runner.ts';
import type { RunConfig } from './types.ts';

const config: RunConfig = {
  profile: loadProfile('fiasco-oc-x86_64'),
  strategy: 'fault-notify',
  strategyParams: {},
  workload: 'periodic',
  workloadParams: {},
  common: { pages: 64, accesses: 20_000, writeRatio: 0.5, computeCycles: 100 },
  intervalCycles: 200_000,
  seed: 3,
};
/** A copy of the workload's definition: baselines are cached per definition, so this one's cache is empty. */
const fresh = () => ({ ...findWorkload('periodic')! });

describe('a baseline replayed elsewhere', () => {
  it('gives the same result read at the end, or replayed alone at the end when not there yet, as replayed beside the run', () => {
    const beside = runExperiment(config, { workload: fresh() });
    const slot = new SharedBaseline();
    const asked: number[] = [];
    const alone = runExperiment(config, {
      workload: fresh(),
      baselineLater: () => {
        asked.push(1);
        return slot.read();
      },
    });
    expect(asked).toEqual([1]);
    expect(alone).toEqual(beside);
    runExperiment(config); // the registry's definition: its cache then knows the baseline
    slot.write(knownBaseline(config)!);
    expect(runExperiment(config, { workload: fresh(), baselineLater: () => slot.read() })).toEqual(beside);
  });

  it('is the one written: a run reading it takes its figures', () => {
    const slot = new SharedBaseline();
    runExperiment(config);
    const baseline = knownBaseline(config)!;
    expect(baseline.jobs).toBeGreaterThan(0);
    slot.write({ ...baseline, cycles: baseline.cycles + 1 });
    const r = runExperiment(config, { workload: fresh(), baselineLater: () => slot.read() });
    expect(r.metrics.baselineCycles).toBe(baseline.cycles + 1);
  });

  it('keeps every field of a baseline, and the first written', () => {
    const slot = new SharedBaseline();
    expect(slot.read()).toBeUndefined();
    const o = {
      cycles: 2 ** 52 + 1,
      idleCycles: 5,
      skippedSlots: 6,
      accesses: 7,
      wcrtCycles: 8,
      deadlineMisses: 9,
      jobs: 10,
    };
    slot.write(o);
    slot.write({ ...o, cycles: 1 });
    expect(new SharedBaseline(slot.buffer).read()).toEqual(o);
  });
});
