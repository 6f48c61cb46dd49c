import { describe, expect, it } from 'vitest';
import { Prng, PrngStream } from './prng.ts';
import { createWorkload } from './registry.ts';
import { collectStream } from './testing.ts';
import { ZipfRankSampler, zipf } from './zipf.ts';

/** Exact Zipf probabilities 1/(r^θ · H_{n,θ}) for r = 1 … n, summed in increasing order for accuracy. */
function zipfLaw(n: number, theta: number): Float64Array {
  const p = new Float64Array(n);
  let h = 0;
  for (let r = n; r >= 1; r--) {
    p[r - 1] = r ** -theta;
    h += p[r - 1]!;
  }
  for (let i = 0; i < n; i++) p[i]! /= h;
  return p;
}

/**
 * Largest |z| over the top ranks and over rank bands (2–10, 11–100, …, the
 * tail): z = (observed − expected) / sqrt(N·p·(1−p)). At a fixed seed the
 * result is fixed; the bound 5 is far above what a correct sampler reaches
 * and far below what a wrong law gives (see the last test).
 */
function maxZ(counts: Float64Array, law: Float64Array, samples: number, topRanks: number): number {
  const z = (observed: number, p: number): number =>
    Math.abs(observed - samples * p) / Math.sqrt(samples * p * (1 - p));
  let worst = 0;
  for (let r = 0; r < Math.min(topRanks, law.length); r++) worst = Math.max(worst, z(counts[r]!, law[r]!));
  for (let lo = 1; lo < law.length; lo *= 10) {
    const hi = Math.min(law.length, lo === 1 ? 10 : lo * 10);
    let o = 0;
    let p = 0;
    for (let r = lo; r < hi; r++) {
      o += counts[r]!;
      p += law[r]!;
    }
    if (p > 0 && p < 1) worst = Math.max(worst, z(o, p));
    if (hi === law.length) break;
  }
  return worst;
}

function rankCounts(n: number, theta: number, samples: number, seed: number): Float64Array {
  const sampler = new ZipfRankSampler(n, theta);
  const rng = Prng.seeded(seed);
  const counts = new Float64Array(n);
  for (let i = 0; i < samples; i++) counts[sampler.sample(rng)]!++;
  return counts;
}

describe('zipf rank sampler', () => {
  it('follows the exact law at 1 Mi pages, θ = 0.99 (YCSB)', () => {
    const n = 1 << 20;
    const counts = rankCounts(n, 0.99, 2_000_000, 1);
    expect(maxZ(counts, zipfLaw(n, 0.99), 2_000_000, 20)).toBeLessThan(5);
  });

  it.each([
    [1000, 0.5],
    [1000, 1],
    [100, 1.5],
    [50, 3],
    [1, 0.99],
  ])('follows the exact law for n = %i, θ = %f', (n, theta) => {
    const counts = rankCounts(n, theta, 400_000, 2);
    if (n === 1) expect(counts[0]).toBe(400_000);
    else expect(maxZ(counts, zipfLaw(n, theta), 400_000, 20)).toBeLessThan(5);
  });

  it('would be caught with θ mis-applied (1.0 or 0.9 instead of 0.99)', () => {
    const n = 1 << 20;
    const law = zipfLaw(n, 0.99);
    expect(maxZ(rankCounts(n, 1.0, 2_000_000, 1), law, 2_000_000, 20)).toBeGreaterThan(10);
    expect(maxZ(rankCounts(n, 0.9, 2_000_000, 1), law, 2_000_000, 20)).toBeGreaterThan(10);
  });

  it('refuses θ ≤ 0 and n < 1', () => {
    expect(() => new ZipfRankSampler(10, 0)).toThrow(RangeError);
    expect(() => new ZipfRankSampler(0, 0.99)).toThrow(RangeError);
  });
});

describe('zipf workload', () => {
  const common = { pages: 5000, accesses: 50_000, writeRatio: 0.5, computeCycles: 0 };

  it('is the rank stream itself when scatter is off (rank r = page r)', () => {
    const { pages } = collectStream(createWorkload(zipf, common, { theta: 0.8, scatter: false }, 6));
    const sampler = new ZipfRankSampler(5000, 0.8);
    const rng = Prng.seeded(6, PrngStream.pages);
    expect([...pages]).toEqual(Array.from({ length: pages.length }, () => sampler.sample(rng)));
  });

  it('places ranks on pages by the seeded permutation when scatter is on', () => {
    const ranks = collectStream(createWorkload(zipf, common, { scatter: false }, 6)).pages;
    const pages = collectStream(createWorkload(zipf, common, { scatter: true }, 6)).pages;
    const pageOfRank = Prng.seeded(6, PrngStream.layout).permutation(new Int32Array(5000));
    expect([...pages]).toEqual([...ranks].map((r) => pageOfRank[r]));
    expect(pageOfRank[0]).not.toBe(0);
  });

  it('refuses θ ≤ 0 with one clear line', () => {
    expect(() => createWorkload(zipf, common, { theta: 0 }, 1)).toThrow(
      "zipf: parameter 'theta' must be a number > 0, got 0",
    );
    expect(() => createWorkload(zipf, common, { theta: -1 }, 1)).toThrow(
      "zipf: parameter 'theta' must be a number > 0",
    );
  });
});
