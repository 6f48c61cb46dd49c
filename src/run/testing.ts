/**
 * Test helpers for runs: a workload that replays a literal access list, and a
 * config builder with small defaults.
 */
import type { CostProfile } from '../platform/index.ts';
import type { WorkloadDef, WorkloadStream } from '../workloads/index.ts';
import type { RunConfig } from './types.ts';

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
