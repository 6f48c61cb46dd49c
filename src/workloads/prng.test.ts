import { describe, expect, it } from 'vitest';
import { bernoulliThreshold31, Prng, PrngStream, seedWord, splitMix64 } from './prng.ts';

function draws(rng: Prng, n: number): number[] {
  return Array.from({ length: n }, () => rng.u32());
}

/** Lemire's method computed with BigInt, from the same u32 draws: the reference for `below`. */
function belowReference(rng: Prng, n: number): number {
  const N = BigInt(n);
  const threshold = (2n ** 32n - N) % N;
  for (;;) {
    const m = BigInt(rng.u32()) * N;
    if ((m & 0xffffffffn) >= threshold) return Number(m >> 32n);
  }
}

describe('Prng', () => {
  it('matches the xoshiro128** reference outputs for state {1, 2, 3, 4}', () => {
    // From the reference C code (prng.di.unimi.it/xoshiro128starstar.c) with s = {1, 2, 3, 4}.
    expect(draws(new Prng(1, 2, 3, 4), 8)).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ]);
  });

  it('gives the same sequence for the same seed and stream', () => {
    expect(draws(Prng.seeded(42, 1), 100)).toEqual(draws(Prng.seeded(42, 1), 100));
  });

  it('gives different sequences for different seeds, streams, and high seed words', () => {
    const a = draws(Prng.seeded(42, 1), 16);
    expect(draws(Prng.seeded(43, 1), 16)).not.toEqual(a);
    expect(draws(Prng.seeded(42, 2), 16)).not.toEqual(a);
    expect(draws(Prng.seeded(42 + 2 ** 32, 1), 16)).not.toEqual(a);
    expect(draws(Prng.seeded(-42, 1), 16)).not.toEqual(a);
  });

  it('matches the SplitMix64 reference outputs', () => {
    // prng.di.unimi.it/splitmix64.c from x = 0 and from x = 1234567 (the commonly quoted vector 6457827717110365317).
    expect(splitMix64(0n, 2)).toEqual([0xe220a8397b1dcdafn, 0x6e789e6aa1b965f4n]);
    expect(splitMix64(1234567n, 2)).toEqual([0x599ed017fb08fc85n, 0x2c73f08458540fa5n]);
  });

  it("starts from SplitMix64's first two outputs of the packed (seed, stream) word", () => {
    const [a, b] = splitMix64(seedWord(-5, PrngStream.writes), 2) as [bigint, bigint];
    const w = (v: bigint, s: bigint) => Number(BigInt.asIntN(32, v >> s));
    expect(draws(Prng.seeded(-5, PrngStream.writes), 8)).toEqual(
      draws(new Prng(w(a, 0n), w(a, 32n), w(b, 0n), w(b, 32n)), 8),
    );
    // The word keeps the whole seed and the stream apart: -1 and 2^54 - 1 would meet only past the safe range.
    expect(seedWord(-1, 0)).toBe((1n << 54n) - 1n);
    expect(seedWord(Number.MAX_SAFE_INTEGER, 3)).toBe((3n << 54n) | BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('never starts two (seed, stream) pairs in the same state (2^16 seeds × 3 streams; folding into 32 bits first collided 6 times here)', () => {
    const seen = new Set<string>();
    const seeds = [
      ...Array.from({ length: 1 << 15 }, (_, i) => i),
      ...Array.from({ length: 1 << 15 }, (_, i) => -1 - i * 65_537),
    ];
    for (const seed of seeds) {
      for (const stream of [PrngStream.pages, PrngStream.writes, PrngStream.layout]) {
        const r = Prng.seeded(seed, stream);
        seen.add(`${r.u32()},${r.u32()},${r.u32()},${r.u32()}`);
      }
    }
    expect(seen.size).toBe(seeds.length * 3);
  });

  it('refuses a seed that is not a safe integer', () => {
    expect(() => Prng.seeded(1.5)).toThrow(/safe integer/);
    expect(() => Prng.seeded(Number.NaN)).toThrow(/safe integer/);
    expect(() => Prng.seeded(1, 1024)).toThrow(/stream/);
  });

  it('draws below(n) exactly as a 64-bit Lemire reference, for small and huge n', () => {
    for (const n of [1, 2, 3, 7, 1000, 65536, 2 ** 21 + 1, 2 ** 30, 2 ** 31 + 12345, 2 ** 32 - 1, 2 ** 32]) {
      const a = Prng.seeded(n, PrngStream.pages);
      const b = Prng.seeded(n, PrngStream.pages);
      const got = Array.from({ length: 2000 }, () => a.below(n));
      expect(got).toEqual(Array.from({ length: 2000 }, () => belowReference(b, n)));
      expect(got.every((x) => x >= 0 && x < n && Number.isInteger(x))).toBe(true);
    }
  });

  it('fills batches with the same draws as single calls (fillBelow, fillBits)', () => {
    // Powers of two take a shift-only path; it must give the identical sequence.
    for (const bound of [1, 2, 5, 1000, 16384, 65536, 3 * 2 ** 29 + 1, 2 ** 31]) {
      const single = Prng.seeded(7);
      const bulk = Prng.seeded(7);
      const out = new Int32Array(5000);
      bulk.fillBelow(out, 100, 5000, bound);
      expect([...out.subarray(100)]).toEqual(Array.from({ length: 4900 }, () => single.below(bound)));
      expect(bulk.u32()).toBe(single.u32());
    }
    const threshold = bernoulliThreshold31(0.3);
    const single = Prng.seeded(9);
    const bulk = Prng.seeded(9);
    const bits = new Uint8Array(5000);
    bulk.fillBits(bits, 5000, threshold);
    expect([...bits]).toEqual(Array.from({ length: 5000 }, () => (single.u32() >>> 1 < threshold ? 1 : 0)));
  });

  it('spreads below(10) evenly (chi-square, fixed seed)', () => {
    const rng = Prng.seeded(1);
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[rng.below(10)]!++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(33.7); // 9 degrees of freedom, p = 1e-4
  });

  it('draws floats in [0, 1)', () => {
    const rng = Prng.seeded(3);
    for (let i = 0; i < 10_000; i++) {
      const f = rng.float();
      const g = rng.float53();
      expect(f >= 0 && f < 1 && g >= 0 && g < 1).toBe(true);
    }
  });

  it('makes permutations that are bijections', () => {
    const perm = Prng.seeded(5).permutation(new Int32Array(1000));
    expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...perm]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
