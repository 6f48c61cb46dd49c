/**
 * Copy-on-write checkpoints (`--copy=cow`, issue 18): B is paused only to
 * collect and write-protect, A's copier thread copies beside B, a write to a
 * page not copied yet stalls B while A copies it (a `cowFault`), and every
 * page A copies must be B's page as it was at the pause.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../platform/index.ts';
import { maxWriteProtectCycles, strategies } from '../strategies/index.ts';
import type { CopierSettings } from './cow.ts';
import { runExperiment } from './runner.ts';
import { accessScenario, literalConfig, runnable, scenarioWorkload } from './testing.ts';
import type { RunConfig } from './types.ts';

const x86 = loadProfile('fiasco-oc-x86_64');

/** `strategy` on uniform, B's memory attached directly in its space (oracle: no tracking, no managed dataspace). */
function uniform(
  strategy: string,
  pages: number,
  accesses: number,
  intervalCycles: number,
  extra: Partial<RunConfig> = {},
): RunConfig {
  return {
    profile: x86,
    strategy,
    strategyParams: {},
    workload: 'uniform',
    workloadParams: {},
    common: { pages, accesses, writeRatio: 0.5, computeCycles: 100 },
    intervalCycles,
    seed: 1,
    ...extra,
  };
}

const ABOVE: Partial<CopierSettings> = { priority: 'above', sliceCycles: 20_000, periodCycles: 60_000 };

/** The strategies the x86 Fiasco.OC profile runs with copy-on-write (its kernel notifies write faults). */
const cowStrategies = strategies
  .map((s) => s.name)
  .filter((name) => runnable(uniform(name, 64, 10, 100_000, { copy: 'cow' }), {}, 64));

describe('copy-on-write checkpoints', () => {
  it('charges each copy-on-write fault, concurrent copy and switch exactly from the profile', () => {
    const r = runExperiment(
      uniform('oracle', 256, 4000, 200_000, { copy: 'cow', copier: ABOVE, copyVia: 'mapped' }),
    );
    expect(r.failures).toEqual([]);
    const k = x86.kernel;
    const cow = r.metrics.cow!;
    expect(cow.faults).toBeGreaterThan(0);
    expect(cow.pagesCopiedConcurrently).toBeGreaterThan(0);
    // The walk finding W withheld, the exception, A's notification and reply, the memcpy, W given back.
    const fault =
      x86.mmu.pageWalk + k.pageFaultTrap + 2 * k.ipcOneWay + x86.checkpointer.copyPage + k.mapPerPage;
    expect(r.metrics.stallHistogram['cowFault']).toEqual([[fault, cow.faults]]);
    expect(cow.pagesCopiedOnFault).toBe(cow.faults);
    // A's copy in its own time: the memcpy, and lifting the protection (a syscall and W given back).
    const copied = x86.checkpointer.copyPage + k.syscall + k.mapPerPage;
    expect(cow.concurrentCopyCycles).toBe(cow.pagesCopiedConcurrently * copied);
    expect(r.metrics.breakdownCycles['checkpoint.copy'] ?? 0).toBe(cow.pagesCopiedInPause * copied);
    expect(cow.switchCycles % k.threadSwitch).toBe(0);
    expect(cow.switchCycles).toBeGreaterThan(0);
    expect(r.bounds.maxCowFaultStallCycles).toBeGreaterThanOrEqual(fault);
    expect(r.metrics.boundSlackPct.cowFault).not.toBeNull();
  });

  it('leaves a stop run as it was: --copy=stop given is the default, without cow fields', () => {
    const config = uniform('fault-notify', 128, 2000, 100_000);
    const a = runExperiment(config);
    const b = runExperiment({ ...config, copy: 'stop' });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a).not.toHaveProperty('copy');
    expect(a.metrics).not.toHaveProperty('cow');
    expect(a.metrics.stallHistogram).not.toHaveProperty('cowFault');
    expect(a.metrics.boundSlackPct).not.toHaveProperty('cowFault');
    expect(a.bounds).not.toHaveProperty('maxCowFaultStallCycles');
  });

  it('catches a broken copy-on-write that copies a page after B wrote it', () => {
    const config = uniform('oracle', 256, 4000, 200_000, { copy: 'cow', copier: ABOVE });
    const broken = runExperiment(config, { brokenCow: true });
    expect(broken.ok).toBe(false);
    expect(broken.metrics.cow!.copiedAfterWrite).toBeGreaterThan(0);
    expect(broken.metrics.verification.restoreOk).toBe(false);
    expect(broken.failures.join('\n')).toMatch(/copied after B wrote them/);
    expect(runExperiment(config).ok).toBe(true);
  });

  it('keeps every checkpoint equal to B at its pause, and catches the broken copy whenever B wrote an uncopied page', () => {
    const scenario = accessScenario({
      maxPages: 48,
      maxAccesses: 400,
      maxInterval: 200_000,
      compute: { max: 500 },
    });
    const copier = fc.record({
      priority: fc.constantFrom('below', 'same', 'above' as const),
      sliceCycles: fc.integer({ min: 1_000, max: 50_000 }),
      extra: fc.integer({ min: 0, max: 50_000 }),
      overrun: fc.constantFrom('finish', 'skip' as const),
    });
    fc.assert(
      fc.property(scenario, fc.constantFrom(...cowStrategies), copier, (s, strategy, c) => {
        const workload = scenarioWorkload(s);
        const config: RunConfig = {
          ...literalConfig(x86, strategy, {}, s.interval),
          copy: 'cow',
          copier: {
            priority: c.priority,
            sliceCycles: c.sliceCycles,
            periodCycles: c.sliceCycles + c.extra,
            overrun: c.overrun,
          },
        };
        fc.pre(runnable(config, { workload }, s.pages));
        const good = runExperiment(config, { workload, fullCheck: true });
        expect(good.failures).toEqual([]);
        expect(good.metrics.cow!.copiedAfterWrite).toBe(0);
        const broken = runExperiment(config, { workload });
        expect(JSON.stringify(broken)).toBe(JSON.stringify(good)); // deterministic
        const bad = runExperiment(config, { workload, brokenCow: true });
        const wroteUncopied = (bad.metrics.stallHistogram['cowFault'] ?? []).length > 0;
        if (wroteUncopied) {
          expect(bad.metrics.cow!.copiedAfterWrite).toBeGreaterThan(0);
          expect(bad.ok).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('takes the copy out of the pause on uniform at 16 Ki pages, for every strategy, and still verifies', () => {
    // 2000 cycles of compute per access and checkpoints every 30 M cycles (about 4), long enough for A above B to copy even full-copy's every page before the next.
    const base = uniform('oracle', 16_384, 60_000, 30_000_000);
    const config: RunConfig = { ...base, common: { ...base.common, computeCycles: 2_000 } };
    const cowOf = (c: RunConfig): RunConfig => ({ ...c, copy: 'cow', copier: { priority: 'above' } });
    // A reaching B's pages the same way under both (rtcr's attach per page would make A's copy outlast the interval).
    config.copyVia = 'mapped';
    for (const strategy of cowStrategies) {
      const stop = runExperiment({ ...config, strategy });
      const cow = runExperiment(cowOf({ ...config, strategy }));
      expect(stop.checkpoints, strategy).toBeGreaterThan(2);
      // The pages stop-and-copy copies at a checkpoint (each strategy's B runs at its own pace).
      const copied = Math.max(stop.metrics.checkpointPages.max, stop.metrics.finalCheckpoint.pages);
      const copyCost = copied * x86.checkpointer.copyPage;
      expect(cow.failures, strategy).toEqual([]);
      expect(cow.metrics.cow!.overruns, strategy).toBe(0);
      // No copy in any pause (none overran), and the longest pause falls by the copied pages' memcpy at least,
      // less their copy-on-write protect where the strategy's re-arm did not write-protect them anyway.
      expect(cow.metrics.breakdownCycles['checkpoint.copy'] ?? 0, strategy).toBe(0);
      expect(stop.metrics.pause.maxCycles - cow.metrics.pause.maxCycles, strategy).toBeGreaterThanOrEqual(
        copyCost - maxWriteProtectCycles(x86, copied),
      );
    }
  });

  it('misses no more deadlines on periodic with the copier below B than stop-and-copy, for every strategy', () => {
    for (const strategy of cowStrategies) {
      const config: RunConfig = { ...uniform(strategy, 1024, 20_000, 3_400_000), workload: 'periodic' };
      const stop = runExperiment(config);
      const cow = runExperiment({ ...config, copy: 'cow', copier: { priority: 'below' } });
      expect(cow.failures, strategy).toEqual([]);
      expect(cow.metrics.realtime!.deadlineMisses, strategy).toBeLessThanOrEqual(
        stop.metrics.realtime!.deadlineMisses,
      );
    }
  });
});
