/**
 * The exact-integer rule (src/platform/exact.ts): a run reports exact integer
 * totals or fails with a clear error — never numbers that no longer sum, never
 * a hang once the clock stops moving.
 */
import { describe, expect, it } from 'vitest';
import { ParamError } from '../params/params.ts';
import { loadProfile, MAX_COST_CYCLES, MAX_EXACT, ModelError } from '../platform/index.ts';
import { profileWith } from '../platform/testing.ts';
import { defineStrategy, findStrategy } from '../strategies/index.ts';
import { createWorkload, findWorkload, MAX_COMPUTE_CYCLES, WorkloadError } from '../workloads/index.ts';
import { checkExactResult, strategyBounds } from './exact.ts';
import { ConfigError, prepareRun } from './prepare.ts';
import { runExperiment } from './runner.ts';
import { literalConfig, literalWorkload } from './testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');

/** `n` writes to page 0 of a 4-page memory with `compute` cycles before each. */
const writes = (n: number, compute: number) =>
  literalWorkload(
    4,
    Array.from({ length: n }, () => 0),
    Array.from({ length: n }, () => true),
    compute,
  );

describe('exact integers or a clear error', () => {
  it('fails with a ModelError, not a breakdown that no longer sums, when compute takes time past 2^53', () => {
    // 4 × (2^51 + 1) cycles: no longer exact in a double.
    const run = () => runExperiment(literalConfig(x86, 'oracle'), { workload: writes(4, 2 ** 51 + 1) });
    expect(run).toThrow(ModelError);
    expect(run).toThrow(/simulated time .*past 2\^53 − 1/);
  });

  it('runs exactly up to the limit: a run that ends within it keeps every total exact', () => {
    // Two accesses of 2^51 compute: 2^52 cycles plus the setup and checkpoints, below 2^53.
    const r = runExperiment(literalConfig(x86, 'oracle'), { workload: writes(2, 2 ** 51) });
    const sum = Object.values(r.metrics.breakdownCycles).reduce((a, b) => a + b, 0);
    expect(sum).toBe(r.metrics.runtimeCycles);
    expect(r.metrics.breakdownCycles['compute']).toBe(2 ** 52);
    expect(Number.isSafeInteger(r.metrics.runtimeCycles)).toBe(true);
  });

  it('fails fast with a ModelError, not a spin in the idle loop, when a page walk costs 2^53 − 1', () => {
    // Before the rule this configuration span in Replay.idleUntil: past 2^53 a checkpoint's
    // charges no longer moved the clock, and the next checkpoint was always due.
    // profileWith bypasses the profile's own validation, which refuses such a figure (exit 2).
    const huge = profileWith('fiasco-oc-x86_64', { mmu: { pageWalk: MAX_EXACT } });
    const t0 = Date.now();
    expect(() =>
      runExperiment({
        profile: huge,
        strategy: 'managed-dataspace',
        strategyParams: {},
        workload: 'periodic',
        workloadParams: {},
        common: { pages: 256, accesses: 20_000, writeRatio: 0.5, computeCycles: 100 },
        intervalCycles: 34_000_000,
        seed: 1,
      }),
    ).toThrow(ModelError);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('refuses a strategy whose analytic bound is not an exact integer, as bad input', () => {
    const copyDear = profileWith('fiasco-oc-x86_64', { checkpointer: { copyPage: 2 ** 32 } });
    const p = prepareRun(literalConfig(copyDear, 'full-copy'), { workload: writes(1, 0) });
    expect(() => strategyBounds(p, 2 ** 22, 2 ** 22)).toThrow(ConfigError);
    expect(() => strategyBounds(p, 2 ** 22, 2 ** 22)).toThrow(
      /strategy 'full-copy' on fiasco-oc-x86_64 with 4194304 pages: its analytic bound maxPauseCycles = \d+ is not an exact integer/,
    );
    expect(strategyBounds(p, 2 ** 20, 2 ** 20).maxPauseCycles).toBe(
      2 ** 20 * 2 ** 32 + 2 * (2 * x86.kernel.ipcOneWay + x86.core.threadControl),
    );
  });

  it('refuses a run whose memory figures are not exact integers', () => {
    // Three RM sessions of 2^52 + 1 bytes each: the sum rounds.
    const quota = profileWith('fiasco-oc-x86_64', {
      memory: { rmSessionQuotaBytes: 2 ** 52 + 1 },
      capabilities: { rmSessionPerManagedDataspace: true },
    });
    const w = literalWorkload(3, [0, 1, 2], [true, true, true]);
    expect(() => runExperiment(literalConfig(quota, 'per-page-rm'), { workload: w })).toThrow(
      /metrics\.memory\.quotaBytes .* is not an exact integer/,
    );
  });

  it('checks every integer figure of a result, naming the first inexact one', () => {
    const r = runExperiment(literalConfig(x86, 'oracle'), { workload: writes(3, 10) });
    expect(() => checkExactResult(r)).not.toThrow();
    const bad = structuredClone(r);
    bad.metrics.breakdownCycles['compute'] = 2 ** 53 + 2;
    expect(() => checkExactResult(bad)).toThrow(ModelError);
    expect(() => checkExactResult(bad)).toThrow(/metrics\.breakdownCycles\.compute/);
    const neg = structuredClone(r);
    neg.metrics.counters.tlbMisses = 0.5;
    expect(() => checkExactResult(neg)).toThrow(/metrics\.counters\.tlbMisses = 0\.5/);
  });

  it('checks every duration and count of the stall histograms, naming the cause', () => {
    const r = runExperiment(literalConfig(x86, 'oracle'), { workload: writes(3, 10) });
    const pauses = r.metrics.stallHistogram.checkpoint;
    expect(pauses.length).toBeGreaterThan(0);
    const duration = structuredClone(r);
    duration.metrics.stallHistogram.checkpoint[pauses.length - 1]![0] = 2 ** 53;
    expect(() => checkExactResult(duration)).toThrow(
      /metrics\.stallHistogram\.checkpoint duration = 9007199254740992 is not an exact integer/,
    );
    const count = structuredClone(r);
    count.metrics.stallHistogram.checkpoint[0]![1] = -1;
    expect(() => checkExactResult(count)).toThrow(/metrics\.stallHistogram\.checkpoint count = -1/);
  });

  it('bounds the strategy a test defines too (a bound of MAX_SAFE_INTEGER is exact)', () => {
    const lax = defineStrategy({
      name: 'lax',
      doc: 'claims the largest exact bound',
      params: {},
      requires: () => [],
      create: () => ({ setupMemory() {}, arm() {}, collect: () => 0, rearm() {} }),
      bounds: () => ({
        maxFaultStallCycles: MAX_EXACT,
        maxPauseCycles: MAX_EXACT + 1,
        maxRingFullStallCycles: 0,
        maxCopiedPages: 1,
        faultsPerPage: 0,
        ringEntries: 0,
      }),
    });
    const p = prepareRun(literalConfig(x86, 'lax'), { strategy: lax, workload: writes(1, 0) });
    expect(() => strategyBounds(p, 1, 1)).toThrow(/its analytic bound maxPauseCycles = 9007199254740992 is/);
  });
});

const oracle = findStrategy('oracle')!;

describe("the run's bounds: the strategy's with the copy's, and the response-time bound", () => {
  /** A strategy that reports nothing and declares a pause bound of `pause` cycles. */
  const declaring = (pause: number) =>
    defineStrategy({
      name: 'declaring',
      doc: 'the oracle, declaring a pause bound',
      params: {},
      requires: () => [],
      groundTruth: true,
      create: oracle.create,
      bounds: () => ({
        maxFaultStallCycles: 0,
        maxPauseCycles: pause,
        maxRingFullStallCycles: 0,
        maxCopiedPages: 4,
        faultsPerPage: 0,
        ringEntries: 0,
      }),
    });
  /** Two jobs of two writes to page 0, released every `period` cycles. */
  const periodic = (period: number) => {
    const base = writes(4, 10);
    return {
      ...base,
      create: (...args: Parameters<typeof base.create>) => ({
        ...base.create(...args),
        jobs: { periodCycles: period, accessesPerJob: 2 },
      }),
    };
  };

  it('refuses, as bad input before the run, a periodic task whose response-time bound is not an exact integer', () => {
    // Each pause may be 2^52 cycles; a job's window holds up to three of them: past 2^53.
    const config = literalConfig(x86, 'declaring', {}, 1000);
    const run = () => runExperiment(config, { strategy: declaring(2 ** 52), workload: periodic(MAX_EXACT) });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/the run's bound wcrtBoundCycles = \d+ is not an exact integer/);
  });

  it("refuses a pause bound that the copy's work takes past 2^53 − 1", () => {
    // A reaches B's memory by attaching it at each checkpoint: the attach and detach add to the pause.
    const config = { ...literalConfig(x86, 'declaring', {}, 1000), copyVia: 'attach' as const };
    const run = () => runExperiment(config, { strategy: declaring(MAX_EXACT), workload: writes(4, 10) });
    expect(run).toThrow(/the run's bound maxPauseCycles = \d+ is not an exact integer/);
  });
});

describe('inputs bounded by what the run is certain to spend (bad input, before it runs)', () => {
  const uniform = findWorkload('uniform')!;
  const common = { pages: 64, accesses: 100, writeRatio: 0.5, computeCycles: 100 };

  it('bounds compute per access as the platform bounds one cost figure', () => {
    expect(MAX_COMPUTE_CYCLES).toBe(MAX_COST_CYCLES);
  });

  it('refuses compute cycles above 2^32 per access', () => {
    expect(() => createWorkload(uniform, { ...common, computeCycles: MAX_EXACT }, {}, 1)).toThrow(ParamError);
    expect(() => createWorkload(uniform, { ...common, computeCycles: 2 ** 32 + 1 }, {}, 1)).toThrow(
      "uniform: parameter 'computeCycles' must be an integer >= 0 and <= 4294967296",
    );
    expect(createWorkload(uniform, { ...common, computeCycles: 2 ** 32 }, {}, 1).computeCycles).toBe(2 ** 32);
  });

  it('refuses accesses whose compute alone passes 2^53 − 1 cycles', () => {
    const accesses = 2 ** 21 + 1; // × 2^32 > 2^53
    expect(() => createWorkload(uniform, { ...common, accesses, computeCycles: 2 ** 32 }, {}, 1)).toThrow(
      WorkloadError,
    );
    expect(() => createWorkload(uniform, { ...common, accesses, computeCycles: 2 ** 32 }, {}, 1)).toThrow(
      /uniform: accesses × computeCycles = 2097153 × 4294967296 cycles of compute alone pass 2\^53 − 1/,
    );
    expect(
      createWorkload(uniform, { ...common, accesses: 2 ** 21 - 1, computeCycles: 2 ** 32 }, {}, 1).accesses,
    ).toBe(2 ** 21 - 1);
  });

  it('refuses a periodic task whose releases alone pass 2^53 − 1 cycles', () => {
    const periodic = findWorkload('periodic')!;
    const params = { periodCycles: 2 ** 50, accessesPerJob: 10, jobPages: 4 };
    expect(() => createWorkload(periodic, { ...common, accesses: 90 }, params, 1)).toThrow(WorkloadError);
    expect(() => createWorkload(periodic, { ...common, accesses: 90 }, params, 1)).toThrow(
      /periodic: the last job is released at \(9 − 1\) × periodCycles = .* cycles, past 2\^53 − 1/,
    );
    expect(createWorkload(periodic, { ...common, accesses: 80 }, params, 1).accesses).toBe(80);
  });
});
