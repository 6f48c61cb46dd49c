/**
 * The incremental verification (store.ts, and the oracle's write log in
 * platform/memory.ts) against the full comparison it replaces, which visits
 * every page: on random access sequences, through kernel unmaps (with and
 * without the TLB invalidation they owe), TLB flushes and evictions, on every
 * profile, and with deliberately broken strategies — ones that miss pages,
 * report pages B did not write, or whose copy stores a wrong fingerprint —
 * both must give the same verdict at every checkpoint, and the run's final
 * full comparison must agree with what the incremental checks kept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CostProfile,
  FINGERPRINT_WORD,
  loadProfile,
  ModelError,
  PROFILE_NAMES,
  RECORD_WORDS,
  Revoke,
  TargetMemory,
} from '../platform/index.ts';
import { plainPlatform, profileWith } from '../platform/testing.ts';
import { stubStrategy } from '../strategies/testing.ts';
import { runExperiment } from './runner.ts';
import { CheckpointStore } from './store.ts';
import { literalConfig, literalWorkload } from './testing.ts';

const profiles: CostProfile[] = [
  ...PROFILE_NAMES.map((n) => loadProfile(n)),
  // A tiny TLB: evictions and full flushes all the time.
  profileWith('fiasco-oc-x86_64', { mmu: { tlbEntries: 8, tlbWays: 2, tlbFlushThresholdPages: 2 } }),
];

/** How a checkpoint's broken (or correct) strategy reports, and which pages its copy gets wrong. */
interface Report {
  miss: number;
  extra: number[];
  corrupt: number[];
  seed: number;
}

const report: fc.Arbitrary<Report> = fc.record({
  /** Of each written page: 0 reports it, 1 misses it, 2 misses it only sometimes. */
  miss: fc.constantFrom(0, 1, 2),
  /** Pages reported that B may not have written. */
  extra: fc.array(fc.nat(), { maxLength: 6, size: 'max' }),
  /** Pages of the increment stored with a wrong fingerprint. */
  corrupt: fc.array(fc.nat(), { maxLength: 3, size: 'max' }),
  seed: fc.nat(),
});

const step = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('run' as const),
      accesses: fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 40, size: 'max' }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('unmap' as const),
      page: fc.nat(),
      order: fc.integer({ min: 0, max: 3 }),
      revoke: fc.constantFrom(Revoke.none, Revoke.write, Revoke.all),
      forgetInvalidation: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('checkpoint' as const), report }) },
);

describe('the incremental verification', () => {
  it('gives the full comparison’s verdict at every checkpoint, for any accesses, kernel operations and broken reports', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...profiles),
        fc.integer({ min: 1, max: 40 }),
        fc.array(step, { maxLength: 30, size: 'max' }),
        (profile, pages, steps) => {
          const pf = plainPlatform(profile, pages);
          const { memory, mmu, kernel } = pf;
          const store = new CheckpointStore(pages);
          store.storeBase(memory);
          memory.markCheckpoint();
          const reported = new Uint8Array(pages);
          const list = new Int32Array(pages);
          const scanned = new Int32Array(pages);
          const logged = new Int32Array(pages);
          const checkpoint = (r: Report) => {
            // The oracle's two ways of finding the written pages agree.
            const w = memory.scanWritten(scanned, false);
            expect(Array.from(logged.subarray(0, memory.collectWritten(logged)))).toEqual(
              Array.from(scanned.subarray(0, w)),
            );
            // The strategy's report: the written pages, some missed, some extra.
            let n = 0;
            const add = (p: number) => {
              if (reported[p] === 0) {
                reported[p] = 1;
                list[n++] = p;
              }
            };
            for (let i = 0; i < w; i++) {
              const skip = r.miss === 1 || (r.miss === 2 && ((r.seed >> (i % 16)) & 1) === 1);
              if (!skip) add(scanned[i]!);
            }
            for (const p of r.extra) add(p % pages);
            // The copy: live fingerprints, or wrong ones for the corrupted pages.
            const copied = memory.records.slice();
            for (const c of r.corrupt)
              if (n > 0) copied[list[c % n]! * RECORD_WORDS + FINGERPRINT_WORD]! += 7;
            store.storeIncrement(list, n, new TargetMemory(copied));
            const full = store.fullVerdict(reported, memory);
            expect(store.verify(reported, list, n, memory)).toEqual(full);
            for (let i = 0; i < n; i++) reported[list[i]!] = 0;
          };
          for (const s of steps) {
            if (s.kind === 'run') {
              const n = s.accesses.length;
              const ps = Int32Array.from(s.accesses, ([p]) => p % pages);
              const ws = Uint8Array.from(s.accesses, ([, w]) => (w ? 1 : 0));
              mmu.run(ps, ws, 0, n, 1, Number.POSITIVE_INFINITY);
            } else if (s.kind === 'unmap') {
              const size = 2 ** s.order;
              kernel.debugSkipTlbInvalidation = s.forgetInvalidation;
              kernel.unmap(Math.floor((s.page % pages) / size) * size, s.order, s.revoke);
              kernel.debugSkipTlbInvalidation = false;
            } else if (s.kind === 'flush') mmu.flushAll();
            else checkpoint(s.report);
          }
          checkpoint({ miss: 0, extra: [], corrupt: [], seed: 0 });
          store.checkFinal(memory);
        },
      ),
      { numRuns: 400, seed: 20261201 },
    );
  });

  it('fails the run with a ModelError when a write escaped the oracle’s log (the final full comparison)', () => {
    const pf = plainPlatform(loadProfile('fiasco-oc-x86_64'), 16);
    const store = new CheckpointStore(16);
    store.storeBase(pf.memory);
    pf.mmu.flushAll(); // no TLB entry: the log starts empty
    pf.memory.markCheckpoint();
    // A write that bypasses the MMU, so the log never sees it: a model bug.
    pf.memory.records[5 * RECORD_WORDS + FINGERPRINT_WORD]! += 1;
    const verdict = store.verify(new Uint8Array(16), new Int32Array(16), 0, pf.memory);
    expect(verdict).toEqual({ truePositives: 0, falsePositives: 0, missed: 0, restoreMismatches: 0 });
    expect(() => store.checkFinal(pf.memory)).toThrow(ModelError);
    expect(() => store.checkFinal(pf.memory)).toThrow(
      'the full comparison at the end finds 1 restore mismatches and 1 pages written since the last checkpoint; the incremental checks kept 0 and 0',
    );
  });

  it('agrees with the full comparison in whole runs of strategies that miss pages or report wrong ones', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...profiles),
        fc.integer({ min: 1, max: 32 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 300, size: 'max' }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.nat(),
        (profile, pages, accesses, interval, seed) => {
          let k = 0;
          // Reports every other written page (by a seed), plus a page B may not have written.
          const sloppy = stubStrategy({
            name: 'sloppy',
            groundTruth: true,
            hooks: (ctx) => ({
              collect(out) {
                const n = ctx.groundTruth!.collectWritten(out);
                let m = 0;
                for (let i = 0; i < n; i++) if (((seed >> (k++ % 16)) & 1) === 0) out[m++] = out[i]!;
                if (m < out.length) out[m++] = (seed + k) % pages;
                return m;
              },
            }),
          });
          const workload = literalWorkload(
            pages,
            accesses.map(([p]) => p % pages),
            accesses.map(([, w]) => w),
          );
          const r = runExperiment(literalConfig(profile, 'sloppy', {}, interval), {
            strategy: sloppy,
            workload,
            fullCheck: true,
          });
          expect(r.metrics.verification.missedPages > 0).toBe(!r.metrics.verification.restoreOk);
        },
      ),
      { numRuns: 200, seed: 20261202 },
    );
  });
});
