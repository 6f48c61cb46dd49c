/**
 * Test helpers for runs: a workload that replays a literal access list, a
 * config builder with small defaults, random access scenarios for property
 * tests, and the question whether a configuration can run at all.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ParamError } from '../params/params.ts';
import { paramsArbitrary } from '../params/testing.ts';
import { CapabilityError, type CostProfile, loadProfile, PROFILE_NAMES } from '../platform/index.ts';
import { profileWith } from '../platform/testing.ts';
import { COPY_VIA, type CopyVia, type StrategyDef } from '../strategies/index.ts';
import type { WorkloadDef, WorkloadStream } from '../workloads/index.ts';
import { prepareRun, type RunOverrides } from './prepare.ts';
import { runExperiment } from './runner.ts';
import type { RunConfig, RunResult } from './types.ts';

/** A workload replaying exactly `pages[i]` (written when `writes[i]`), with `compute` cycles before each. */
export function literalWorkload(
  memoryPages: number,
  pages: readonly number[],
  writes: readonly boolean[],
  compute = 100,
): WorkloadDef {
  return {
    name: 'literal',
    doc: 'a literal access list (tests)',
    params: {},
    create(): WorkloadStream {
      let next = 0;
      return {
        pages: memoryPages,
        accesses: pages.length,
        computeCycles: compute,
        jobs: null,
        fill(outPages, outWrites) {
          const n = Math.min(outPages.length, pages.length - next);
          for (let i = 0; i < n; i++) {
            outPages[i] = pages[next + i]!;
            outWrites[i] = writes[next + i] ? 1 : 0;
          }
          next += n;
          return n;
        },
        close() {},
      };
    },
  };
}

/** Writes every page of B once, in order. */
export function sequentialWrites(memoryPages: number, compute = 100): WorkloadDef {
  const pages = Array.from({ length: memoryPages }, (_, i) => i);
  return literalWorkload(
    memoryPages,
    pages,
    pages.map(() => true),
    compute,
  );
}

/** A run config for `strategy` with a literal workload (pass it as the `workload` override). */
export function literalConfig(
  profile: CostProfile,
  strategy: string,
  strategyParams: Record<string, unknown> = {},
  intervalCycles = Number.MAX_SAFE_INTEGER,
): RunConfig {
  return {
    profile,
    strategy,
    strategyParams,
    workload: 'literal',
    workloadParams: {},
    common: { pages: 1, accesses: 1, writeRatio: 0, computeCycles: 0 },
    intervalCycles,
    seed: 1,
  };
}

/** Runs `strategy` (a registered name) on `workload`, checkpointing only at the end unless `intervalCycles`. */
export function runStrategy(
  profile: CostProfile,
  strategy: string,
  strategyParams: Record<string, unknown>,
  workload: WorkloadDef,
  intervalCycles?: number,
): RunResult {
  return runExperiment(literalConfig(profile, strategy, strategyParams, intervalCycles), { workload });
}

/**
 * A sequential pass writing each of `pages` pages once, checkpointed once at
 * the end: checks what every strategy must give there (a verified run, one
 * checkpoint copying every page once) and returns the run for the strategy's
 * own figures (its tracking faults, its cycles).
 */
export function sequentialPass(
  profile: CostProfile,
  strategy: string,
  strategyParams: Record<string, unknown> = {},
  pages = 256,
): RunResult {
  const r = runStrategy(profile, strategy, strategyParams, sequentialWrites(pages));
  expect(r.ok, r.failures.join('; ')).toBe(true);
  expect(r.checkpoints).toBe(1);
  expect(r.metrics.finalCheckpoint.pages).toBe(pages);
  expect(r.metrics.verification).toEqual({ missedPages: 0, restoreOk: true, boundsOk: true });
  return r;
}

/** B's memory, an access list over it, compute cycles per access and the checkpoint interval. */
export interface AccessScenario {
  pages: number;
  /** [page, written] per access. */
  accesses: [number, boolean][];
  compute: number;
  interval: number;
}

/** Random scenarios on a small memory, as the property tests of strategies run them. */
export function accessScenario(limits: {
  maxPages: number;
  maxAccesses: number;
  maxInterval: number;
  /** Compute cycles per access: fixed, or drawn from [0, max]. */
  compute: number | { max: number };
}): fc.Arbitrary<AccessScenario> {
  const compute =
    typeof limits.compute === 'number'
      ? fc.constant(limits.compute)
      : fc.integer({ min: 0, max: limits.compute.max });
  return fc.integer({ min: 1, max: limits.maxPages }).chain((pages) =>
    fc.record({
      pages: fc.constant(pages),
      // size 'max': fast-check otherwise caps generated arrays at 10 elements whatever maxLength says.
      accesses: fc.array(fc.tuple(fc.integer({ min: 0, max: pages - 1 }), fc.boolean()), {
        maxLength: limits.maxAccesses,
        size: 'max',
      }),
      compute,
      interval: fc.integer({ min: 1, max: limits.maxInterval }),
    }),
  );
}

/** The literal workload of a scenario. */
export function scenarioWorkload(s: AccessScenario): WorkloadDef {
  return literalWorkload(
    s.pages,
    s.accesses.map((a) => a[0]),
    s.accesses.map((a) => a[1]),
    s.compute,
  );
}

/**
 * Whether `config` can run on B's `pages` pages: it prepares (the profile
 * offers what the strategy needs, the parameters are valid) and the
 * strategy's bounds accept the memory. Other errors are thrown.
 */
export function runnable(config: RunConfig, overrides: RunOverrides, pages: number): boolean {
  try {
    const p = prepareRun(config, overrides);
    p.strategy.bounds(config.profile, pages, p.strategyParams, pages);
    return true;
  } catch (e) {
    if (e instanceof CapabilityError || e instanceof ParamError) return false;
    throw e;
  }
}

/**
 * The shipped profiles, plus one modelling Genode before 16.05 with read-only
 * attach (both variants exercised), and superpages of 4 pages on x86 and on
 * Linux's page-by-page invalidation (issue 10: the shipped ones are 2 MiB, more
 * than the property tests' memories).
 */
export const propertyProfiles: readonly CostProfile[] = [
  ...PROFILE_NAMES.map((n) => loadProfile(n)),
  profileWith('fiasco-oc-x86_64', {
    capabilities: { readOnlyAttach: true, rmSessionPerManagedDataspace: true },
    core: { maxMapOrder: 2 },
    mmu: { tlbEntries: 16, tlbWays: 2, tlbFlushThresholdPages: 4 },
  }),
  profileWith('fiasco-oc-x86_64', { mmu: { tlbEntries: 16, tlbWays: 2, superpageOrder: 2 } }),
  profileWith('linux-x86_64', { mmu: { tlbEntries: 16, tlbWays: 2, superpageOrder: 2 } }),
];

/**
 * What a property test of strategy `def` draws besides its scenario: a
 * profile, parameters from the strategy's declarations (sizes up to 16 past
 * their minimum: around a scenario's small memory), and how A reaches B's memory.
 */
export function runChoices(def: StrategyDef): fc.Arbitrary<[CostProfile, Record<string, unknown>, CopyVia]> {
  return fc.tuple(
    fc.constantFrom(...propertyProfiles),
    paramsArbitrary(def.params, { span: 16 }) as fc.Arbitrary<Record<string, unknown>>,
    fc.constantFrom(...COPY_VIA),
  );
}
