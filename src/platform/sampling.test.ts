import { describe, expect, it } from 'vitest';
import { Cat } from './clock.ts';
import { loadProfile } from './profile.ts';
import { drawCycles, FigureSampler, figureIndex, sampledCosts } from './sampling.ts';
import { plainPlatform, profileWith, profileWithDistributions, weylStreams } from './testing.ts';

const walk = { p0: 20, p50: 30, p90: 100, p99: 400, max: 5000 };

describe('cost figures drawn from a distribution', () => {
  it('draw within [p0, max], at the quantiles the distribution gives', () => {
    const d = { p: [0, 0.5, 0.9, 0.99, 1], cycles: [20, 30, 100, 400, 5000] };
    const s = new FigureSampler(d, weylStreams(7));
    const draws = Array.from({ length: 100_000 }, () => s.draw()).sort((a, b) => a - b);
    expect(draws[0]).toBeGreaterThanOrEqual(20);
    expect(draws.at(-1)).toBeLessThanOrEqual(5000);
    expect(draws.every(Number.isInteger)).toBe(true);
    const at = (p: number) => draws[Math.floor(p * draws.length)]!;
    expect(at(0.5)).toBeCloseTo(30, -1);
    expect(at(0.9)).toBeCloseTo(100, -1);
    expect(Math.abs(at(0.99) - 400)).toBeLessThan(10);
    // Piecewise linear: the median of the segment p90…p99 is its midpoint.
    expect(Math.abs(at(0.945) - 250)).toBeLessThan(5);
  });

  it('give one value for a distribution of one value, and sum n draws where asked', () => {
    const d = { p: [0, 1], cycles: [77, 77] };
    expect(new FigureSampler(d, weylStreams(1)).draw()).toBe(77);
    expect(new FigureSampler(d, weylStreams(1)).sum(10)).toBe(770);
  });

  it('leave a profile of constants as it is: the view is the profile, every charge the value', () => {
    const p = loadProfile('linux-x86_64');
    expect(sampledCosts(p)).toBe(p);
    expect(drawCycles(p, 'checkpointer', 'copyPage', 1000)).toBe(1000 * p.checkpointer.copyPage);
  });

  it('draw anew on every read of the view, each figure from its own stream', () => {
    const p = profileWithDistributions('linux-x86_64', { 'mmu.pageWalk': walk, 'kernel.ipcOneWay': walk });
    const a = sampledCosts(p, weylStreams);
    const reads = Array.from({ length: 50 }, () => a.mmu.pageWalk);
    expect(new Set(reads).size).toBeGreaterThan(10);
    // The same streams give the same draws, whatever the other figure drew meanwhile.
    const b = sampledCosts(p, weylStreams);
    for (let i = 0; i < 7; i++) void b.kernel.ipcOneWay;
    expect(Array.from({ length: 50 }, () => b.mmu.pageWalk)).toEqual(reads);
    // Constants and capabilities read as loaded.
    expect(a.mmu.dirtyAssist).toBe(p.mmu.dirtyAssist);
    expect(a.kernel.unmapFlushesSpace).toBe(false);
    expect(figureIndex('mmu.pageWalk')).not.toBe(figureIndex('kernel.ipcOneWay'));
  });

  it('need the run’s streams', () => {
    const p = profileWithDistributions('linux-x86_64', { 'mmu.pageWalk': walk });
    expect(() => sampledCosts(p)).toThrow(/cost distributions \(mmu\.pageWalk\).*random streams/);
  });

  it('sum n independent draws for a cost per event', () => {
    const p = profileWithDistributions('linux-x86_64', { 'checkpointer.copyPage': walk });
    const costs = sampledCosts(p, weylStreams);
    const n = 20_000;
    const total = drawCycles(costs, 'checkpointer', 'copyPage', n);
    // The distribution's mean, piecewise linear: 0.5·25 + 0.4·65 + 0.09·250 + 0.01·2700 = 88.
    expect(total / n).toBeGreaterThan(80);
    expect(total / n).toBeLessThan(96);
  });
});

describe('a page walk drawn from a distribution', () => {
  it('runs its own loop, which charges exactly what the inline loops charge when the distribution has one value', () => {
    const constant = profileWith('linux-x86_64', { mmu: { tlbEntries: 8, tlbWays: 2, superpageOrder: 2 } });
    const drawn = profileWithDistributions('linux-x86_64', {
      'mmu.pageWalk': { p0: constant.mmu.pageWalk, max: constant.mmu.pageWalk },
    });
    const small = profileWith(drawn, { mmu: { tlbEntries: 8, tlbWays: 2, superpageOrder: 2 } });
    expect(small.distributions!['mmu.pageWalk']).toBeDefined();
    const n = 3000;
    const pages = Int32Array.from({ length: n }, (_, i) => ((i * 7919) % 97) ^ (i % 5));
    const writes = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const run = (profile: typeof constant) => {
      const pf = plainPlatform(profile, 128);
      const stopped = pf.mmu.run(pages, writes, 0, n, 3, pf.clock.now + 20_000);
      const rest = pf.mmu.run(pages, writes, stopped, n, 3, Number.POSITIVE_INFINITY);
      return {
        stopped,
        rest,
        now: pf.clock.now,
        byCategory: [pf.clock.byCategory[Cat.compute], pf.clock.byCategory[Cat.tlbMiss]],
        counters: { ...pf.mmu.counters },
        fingerprints: Array.from(pf.memory.fingerprints()),
      };
    };
    const a = run(constant);
    expect(a.stopped).toBeGreaterThan(0);
    expect(a.stopped).toBeLessThan(n);
    expect(a.counters.tlbMisses).toBeGreaterThan(100);
    expect(run(small)).toEqual(a);
  });

  it('gives every walk its own cycles', () => {
    const drawn = profileWithDistributions('linux-x86_64', { 'mmu.pageWalk': walk });
    const pf = plainPlatform(drawn, 4096);
    const before = pf.clock.byCategory[Cat.tlbMiss]!;
    const walks = pf.mmu.counters.tlbMisses;
    const n = 20_000;
    const pages = Int32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 4096) >>> 0);
    pf.mmu.run(pages, new Uint8Array(n), 0, n, 0, Number.POSITIVE_INFINITY);
    const w = pf.mmu.counters.tlbMisses - walks;
    const mean = (pf.clock.byCategory[Cat.tlbMiss]! - before) / w;
    expect(w).toBeGreaterThan(10_000);
    expect(mean).toBeGreaterThan(80);
    expect(mean).toBeLessThan(96);
  });
});
