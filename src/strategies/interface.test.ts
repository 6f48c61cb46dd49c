/**
 * The strategy interface as a new author meets it: what the context holds,
 * and that a strategy written from nothing but strategies/types.ts registers,
 * runs and verifies.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createPlatform, loadProfile } from '../platform/index.ts';
import { attachPlainRam } from './common.ts';
import { createStrategy } from './registry.ts';
import { defineStrategy, type GroundTruthContext, type TrackerContext } from './types.ts';

const x86 = loadProfile('fiasco-oc-x86_64');

describe('the context a strategy is created with', () => {
  /** A strategy that keeps the context it was given. */
  function spy(groundTruth: boolean) {
    const seen: { ctx?: TrackerContext | GroundTruthContext } = {};
    const base = {
      name: 'spy',
      doc: 'keeps its context',
      params: {},
      requires: () => [],
      bounds: () => ({ maxStallCycles: 0, maxPauseCycles: 0 }),
    };
    const create = (ctx: TrackerContext) => {
      seen.ctx = ctx;
      return { setupMemory: () => attachPlainRam(ctx), arm: () => {}, collect: () => 0, rearm: () => {} };
    };
    const def = groundTruth
      ? defineStrategy({ ...base, groundTruth: true, create })
      : defineStrategy({ ...base, create });
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
