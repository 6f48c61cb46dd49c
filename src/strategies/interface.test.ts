/**
 * The strategy interface as a new author meets it: what the context holds,
 * and that a strategy written from nothing but strategies/types.ts registers,
 * runs and verifies.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createPlatform, loadProfile, TrackingMode } from '../platform/index.ts';
import { runExperiment } from '../run/index.ts';
import { createStrategy, findStrategy, registerStrategy } from './registry.ts';
import { stubStrategy } from './testing.ts';
import { defineStrategy, type GroundTruthContext, type TrackerContext } from './types.ts';

const x86 = loadProfile('fiasco-oc-x86_64');

describe('the context a strategy is created with', () => {
  /** A strategy that keeps the context it was given. */
  function spy(groundTruth: boolean) {
    const seen: { ctx?: TrackerContext | GroundTruthContext } = {};
    const def = stubStrategy({
      name: 'spy',
      groundTruth,
      hooks: (ctx) => {
        seen.ctx = ctx;
        return {};
      },
    });
    return { def, seen };
  }

  it("holds the platform's operations and figures, and not its memory oracle", () => {
    const pf = createPlatform(x86, 8);
    const { def, seen } = spy(false);
    createStrategy(def, pf, {});
    expect(Object.keys(seen.ctx!).sort()).toEqual(['clock', 'core', 'kernel', 'pages', 'profile']);
    expect(Object.values(seen.ctx!)).not.toContain(pf.memory);
    // Nor can a tracker reach B's page table (and the fingerprints beside it) through the kernel.
    expectTypeOf<TrackerContext['kernel']>().not.toHaveProperty('space');
    expectTypeOf<TrackerContext>().not.toHaveProperty('groundTruth');
  });

  it('adds the oracle for a strategy that declares groundTruth, and only its written-pages query', () => {
    const pf = createPlatform(x86, 8);
    const { def, seen } = spy(true);
    createStrategy(def, pf, {});
    expect((seen.ctx as GroundTruthContext).groundTruth).toBe(pf.memory);
    expectTypeOf<keyof GroundTruthContext['groundTruth']>().toEqualTypeOf<'collectWritten'>();
  });
});

describe('a new strategy, from nothing but the documented interface', () => {
  // Write-protect B; the kernel reports each first write; collect what it reported.
  const firstWrites = defineStrategy({
    name: 'first-writes',
    doc: 'write-protect, and note each first write the kernel reports',
    params: {},
    requires: () => ['kernelFaultNotification'],
    create: ({ kernel, core, pages }) => {
      const written = new Uint8Array(pages);
      return {
        // Small pages: the kernel's tracking write-protects 4 KiB pages, not superpages.
        setupMemory: () => void core.attach(core.root, core.allocRam(pages, true), 0),
        arm: () => {
          kernel.enableTracking(TrackingMode.notify, (page) => {
            written[page] = 1;
          });
          kernel.writeProtect(0, Math.ceil(Math.log2(pages)));
        },
        collect: (out) => {
          let n = 0;
          for (let p = 0; p < pages; p++) if (written[p] === 1) out[n++] = p;
          written.fill(0);
          return n;
        },
        rearm: (copied, n) => {
          for (let i = 0; i < n; i++) kernel.writeProtect(copied[i]!, 0);
        },
      };
    },
    bounds: () => ({
      maxFaultStallCycles: Number.MAX_SAFE_INTEGER,
      maxPauseCycles: Number.MAX_SAFE_INTEGER,
      maxRingFullStallCycles: Number.MAX_SAFE_INTEGER,
      maxCopiedPages: Number.MAX_SAFE_INTEGER,
      faultsPerPage: 1,
      ringEntries: 1,
    }),
  });

  it('registers, runs by name on a shipped workload, and verifies: every written page reported, nothing else', () => {
    registerStrategy(firstWrites);
    expect(findStrategy('first-writes')).toBe(firstWrites);
    const r = runExperiment({
      profile: x86,
      strategy: 'first-writes',
      strategyParams: {},
      workload: 'uniform',
      workloadParams: {},
      common: { pages: 512, accesses: 20_000, writeRatio: 0.5, computeCycles: 100 },
      intervalCycles: 200_000,
      seed: 1,
    });
    expect(r.ok, r.failures.join('; ')).toBe(true);
    expect(r.metrics.verification).toEqual({ missedPages: 0, restoreOk: true, boundsOk: true });
    expect(r.checkpoints).toBeGreaterThan(1);
    expect(r.metrics.faults).toBeGreaterThan(0);
    expect(r.metrics.precision).toBe(1);
  });
});
