/**
 * The periodic task's analytic worst-case response time (realtime.ts): the
 * fixed-priority analysis on numbers worked by hand, and against runs — it
 * holds for every strategy, profile, copy and phase of the checkpoint timer,
 * and the worst phase comes within 20 % of it where the terms are exact.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../platform/index.ts';
import { findStrategy, strategies } from '../strategies/index.ts';
import type { WorkloadDef } from '../workloads/index.ts';
import { type ResponseTimeInputs, responseTimeBound } from './realtime.ts';
import { runExperiment } from './runner.ts';
import { literalConfig, literalWorkload, runChoices, runnable } from './testing.ts';
import type { RunConfig } from './types.ts';

const task = (over: Partial<ResponseTimeInputs>): ResponseTimeInputs => ({
  periodCycles: 100,
  accessesPerJob: 10,
  pageSet: 1,
  jobs: 3,
  accessCycles: 5,
  faultStallCycles: 0,
  faultsPerPage: 0,
  ringFullStallCycles: 0,
  ringEntries: 0,
  pauseCycles: 30,
  timer: { kind: 'cycles', cycles: 1000 },
  ...over,
});

describe('the response-time bound', () => {
  it('is the job plus one pause when one checkpoint fits in the period', () => {
    // w = 10 × 5 = 50; ⌈(50 + 5) / 1000⌉ = 1 checkpoint: 80.
    expect(responseTimeBound(task({}))).toBe(80);
  });

  it("counts a job's faults per page and interval: its page set once per checkpoint in the window, plus one", () => {
    // own 100; jitter a + F = 30; one checkpoint; faults min(10, 1 × 3 × (1 + 1)) = 6: 100 + 6 × 20 + 50.
    const t = task({
      periodCycles: 1000,
      accessCycles: 10,
      faultStallCycles: 20,
      faultsPerPage: 1,
      pageSet: 3,
      pauseCycles: 50,
      timer: { kind: 'cycles', cycles: 10_000 },
    });
    expect(responseTimeBound(t)).toBe(270);
    // Never more faults than accesses: a page set of 100 pages still faults 10 times at most.
    expect(responseTimeBound({ ...t, pageSet: 100 })).toBe(100 + 10 * 20 + 50);
  });

  it('counts a full-ring stall after every E faults, the ring partly full when the window opens', () => {
    // 10 faults into a ring of 4: ⌈10/4⌉ = 3 full-ring stalls of 100; J = 5 + 20 + 100.
    const t = task({
      periodCycles: 100_000,
      faultStallCycles: 20,
      faultsPerPage: 1,
      pageSet: 10,
      ringFullStallCycles: 100,
      ringEntries: 4,
      timer: { kind: 'cycles', cycles: 10_000 },
      jobs: 1,
    });
    expect(responseTimeBound(t)).toBe(50 + 10 * 20 + 3 * 100 + 30);
  });

  it('iterates the window until the checkpoints in it are counted: ⌈(w + J) / I⌉', () => {
    // C = 80, P = 50, I = 150, J = 8: w = 80 → 130 (⌈88/150⌉ = 1) → 130.
    expect(
      responseTimeBound(
        task({ accessCycles: 8, pauseCycles: 50, timer: { kind: 'cycles', cycles: 150 }, jobs: 1 }),
      ),
    ).toBe(130);
  });

  it("follows a busy period past the period through the later jobs, up to the run's last", () => {
    // Utilization 80/100 + 50/150 > 1: job q's window w_q = (q+1)·80 + ⌈(w_q + 8)/150⌉·50 gives
    // 130, 260, 390, 520, 650; responses w_q − 100·q: 130, 160, 190, 220, 250 (worked by hand).
    const overloaded = task({
      accessCycles: 8,
      pauseCycles: 50,
      timer: { kind: 'cycles', cycles: 150 },
      jobs: 5,
    });
    expect(responseTimeBound(overloaded)).toBe(250);
    expect(responseTimeBound({ ...overloaded, jobs: 2 })).toBe(160);
  });

  it('counts, with a timer in accesses, one checkpoint per M accesses of the window and one more', () => {
    // 10 accesses, every 4: ⌊10/4⌋ + 1 = 3 checkpoints; faults min(10, 1·2·4) = 8.
    const t = task({
      periodCycles: 10_000,
      faultStallCycles: 20,
      faultsPerPage: 1,
      pageSet: 2,
      timer: { kind: 'accesses', accesses: 4 },
      jobs: 1,
    });
    expect(responseTimeBound(t)).toBe(50 + 8 * 20 + 3 * 30);
  });

  it('counts no more checkpoints than accesses plus one, even when a pause outlasts the interval', () => {
    // P = 500 > I = 10: at most 10 + 1 checkpoints in a job of 10 accesses.
    expect(
      responseTimeBound(task({ pauseCycles: 500, timer: { kind: 'cycles', cycles: 10 }, jobs: 1 })),
    ).toBe(50 + 11 * 500);
  });
});

/** A periodic task on `memory` pages: jobs of `perJob` accesses within pages [0, pageSet), released every `period`. */
function periodicTask(
  memory: number,
  pageSet: number,
  accesses: [number, boolean][],
  perJob: number,
  period: number,
  compute: number,
): WorkloadDef {
  const base = literalWorkload(
    memory,
    accesses.map((a) => a[0] % pageSet),
    accesses.map((a) => a[1]),
    compute,
  );
  return {
    ...base,
    create: (...args) => ({
      ...base.create(...args),
      jobs: { periodCycles: period, accessesPerJob: perJob, pages: pageSet },
    }),
  };
}

/** A random periodic task on a small memory, with a timer of any phase. */
const periodicScenario = fc
  .record({
    memory: fc.integer({ min: 1, max: 40 }),
    perJob: fc.integer({ min: 1, max: 12 }),
    jobs: fc.integer({ min: 1, max: 8 }),
    compute: fc.integer({ min: 0, max: 400 }),
    slackPerJob: fc.integer({ min: 0, max: 60_000 }),
    interval: fc.integer({ min: 1, max: 150_000 }),
    phaseFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    from: fc.constantFrom('start' as const, 'end' as const),
    // A timer in B's accesses instead, every 1 to 20 (0: in time).
    everyAccesses: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 })),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      pageSet: fc.integer({ min: 1, max: s.memory }),
      // size 'max': fast-check otherwise caps generated arrays at 10 elements whatever maxLength says.
      accesses: fc.array(fc.tuple(fc.nat(), fc.boolean()), {
        minLength: s.perJob * s.jobs,
        maxLength: s.perJob * s.jobs,
        size: 'max',
      }),
    }),
  );

describe.each(strategies.map((s) => [s.name, s] as const))('%s on a periodic task', (name, def) => {
  it('keeps every job within the analytic response time, whatever the phase of the checkpoint timer or a timer in accesses', () => {
    fc.assert(
      fc.property(
        periodicScenario,
        runChoices(def),
        ({ s, pageSet, accesses }, [profile, params, copyVia]) => {
          const period = s.perJob * s.compute + s.slackPerJob;
          fc.pre(period > 0);
          const workload = periodicTask(s.memory, pageSet, accesses, s.perJob, period, s.compute);
          const config: RunConfig =
            s.everyAccesses > 0
              ? { ...literalConfig(profile, name, params, 0), copyVia, intervalAccesses: s.everyAccesses }
              : {
                  ...literalConfig(profile, name, params, s.interval),
                  copyVia,
                  intervalFrom: s.from,
                  phaseCycles: Math.floor(s.phaseFraction * s.interval),
                };
          fc.pre(runnable(config, { workload }, s.memory));
          const r = runExperiment(config, { workload });
          expect(r.failures).toEqual([]);
          expect(r.metrics.realtime!.wcrtCycles).toBeLessThanOrEqual(r.metrics.realtime!.wcrtBoundCycles);
        },
      ),
      { numRuns: 150, seed: 20261213 },
    );
  });
});

describe('the phase of the checkpoint timer', () => {
  const x86 = loadProfile('fiasco-oc-x86_64');
  const T = 400_000;
  const run = (strategy: string, phase: number) =>
    runExperiment({
      profile: x86,
      strategy,
      strategyParams: {},
      workload: 'periodic',
      workloadParams: { periodCycles: T, accessesPerJob: 200, jobPages: 16 },
      common: { pages: 256, accesses: 4000, writeRatio: 0.5, computeCycles: 1000 },
      intervalCycles: 4 * T,
      phaseCycles: phase,
      seed: 1,
    });

  it('places the grid of checkpoints against the releases: start + phase + k × interval, the first after the start', () => {
    // full-copy's pause is the same at every checkpoint: one landing on a release delays
    // that job by all of it; one landing as a job ends (a job is 200 accesses × 1000 cycles)
    // delays the next job by the part of it past the next release. Either way that job walks
    // its 16 pages again: the checkpoint's RPCs left B's space, emptying x86's untagged TLB.
    const atRelease = run('full-copy', 0).metrics.realtime!;
    const afterJob = run('full-copy', T / 2).metrics.realtime!;
    const pause = run('full-copy', 0).metrics.pause.maxCycles;
    const refill = 16 * x86.mmu.pageWalk;
    expect(atRelease.wcrtCycles).toBe(200 * 1000 + pause + refill);
    expect(afterJob.wcrtCycles).toBe(200 * 1000 + (T / 2 + pause - T) + refill);
  });

  it('never breaks the bound at any phase, and the worst phase comes within 20 % of it (full-copy, oracle)', () => {
    for (const strategy of ['full-copy', 'oracle']) {
      const runs = Array.from({ length: 8 }, (_, i) => run(strategy, (i * T) / 8));
      for (const r of runs) expect(r.failures).toEqual([]);
      const bound = runs[0]!.metrics.realtime!.wcrtBoundCycles;
      const worst = Math.max(...runs.map((r) => r.metrics.realtime!.wcrtCycles));
      expect(worst).toBeLessThanOrEqual(bound);
      expect((bound - worst) / bound).toBeLessThan(0.2);
    }
  });

  it('is refused outside [0, interval) and with an interval in accesses', () => {
    const at = (over: Partial<RunConfig>) => () =>
      runExperiment(
        { ...literalConfig(x86, 'oracle', {}, 1000), ...over },
        {
          workload: literalWorkload(4, [0], [true]),
        },
      );
    expect(at({ phaseCycles: 1000 })).toThrow(
      /phase must be a whole number of cycles from 0 to the interval \(1000\) exclusive, got 1000/,
    );
    expect(at({ phaseCycles: -1 })).toThrow(/got -1/);
    expect(at({ intervalCycles: 0, intervalAccesses: 5, phaseCycles: 3 })).toThrow(/takes no phase/);
  });
});

describe('the terms of the bound, where a run meets them', () => {
  it("counts a job's pages again after a checkpoint inside it re-armed them (fault-notify on ARMv7)", () => {
    // One job writes pages 0-3 three times; the timer falls in the middle, so each page faults
    // before and after the checkpoint: 8 faults. ARMv7 has no dirty assist, so an access costs at
    // most its compute and a walk: the bound is then within one fault stall of the observed.
    const arm = loadProfile('fiasco-oc-armv7');
    const pages = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3];
    const workload = periodicTask(
      8,
      4,
      pages.map((p) => [p, true]),
      12,
      10_000_000,
      10_000,
    );
    // Accesses 1-4 walk and fault, 5-7 hit: the timer falls during access 7, so the checkpoint
    // comes before access 8, and accesses 8-12 (pages 3, 0, 1, 2, 3) fault on each page once more.
    const fault = findStrategy('fault-notify')!.bounds(arm, 8, {}, 4).maxFaultStallCycles;
    // One checkpoint in the job: the first point of a grid of 10^7 cycles, placed by its phase.
    const phase = 4 * (10_000 + arm.mmu.pageWalk + fault) + 25_000;
    const r = runExperiment(
      { ...literalConfig(arm, 'fault-notify', {}, 10_000_000), phaseCycles: phase },
      { workload },
    );
    expect(r.failures).toEqual([]);
    expect(r.metrics.faults).toBe(8);
    const { wcrtCycles, wcrtBoundCycles } = r.metrics.realtime!;
    expect(wcrtBoundCycles - wcrtCycles).toBeGreaterThanOrEqual(0);
    expect(wcrtBoundCycles - wcrtCycles).toBeLessThan(r.bounds.maxFaultStallCycles);
  });
});
