/**
 * The one pseudo-random number generator of the workloads: xoshiro128**
 * (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 47(4), 2021; reference code https://prng.di.unimi.it/xoshiro128starstar.c),
 * seeded through splitmix32 (the Weyl sequence + murmur3 fmix32 finaliser of
 * Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014), as the xoshiro authors recommend.
 *
 * Why this one: 128 bits of state in four int32 fields, every step is 32-bit
 * integer math (`Math.imul`, shifts, xor) that V8 keeps in registers, and the
 * output passes BigCrush. `Math.random` is never used: a run must be
 * byte-identical from its seed on any machine (docs/design.md §1).
 *
 * Independent streams (page choice, write decisions, permutations) come from
 * the same seed with a different `stream` number, so that for instance
 * changing the write ratio never changes which pages are accessed.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_32 = 1 / TWO_POW_32;
const TWO_POW_MINUS_53 = 1 / 9007199254740992;

/** Stream numbers used by the generators, so no two uses of one seed collide. */
export const PrngStream = {
  /** Which page each access touches. */
  pages: 1,
  /** Whether each access is a write. */
  writes: 2,
  /** Seeded permutations and placements (zipf scatter, hot sets, phase windows). */
  layout: 3,
} as const;

/** One splitmix32 step: advances a Weyl sequence and returns its mixed output. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** xoshiro128** state and the draws the workloads need, all in 32-bit integer math. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** Starts from an explicit 128-bit state (not all zero); use {@link Prng.seeded} normally. */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    if ((s0 | s1 | s2 | s3) === 0) s3 = 1; // the all-zero state is xoshiro's only fixed point
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
  }

  /**
   * Seeds a generator from any safe integer seed and a stream number. Seeds
   * beyond 32 bits are folded in whole (the high word is mixed too), so
   * seeds 1 and 2^32 + 1 differ.
   * @throws RangeError when the seed is not a safe integer.
   * @example const rng = Prng.seeded(42, PrngStream.pages); rng.below(1000);
   */
  static seeded(seed: number, stream = 0): Prng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    // Absorb seed low word, high word and stream through splitmix32, then draw the state.
    let x = splitmix32(lo);
    x = splitmix32(x ^ hi);
    x = splitmix32(x ^ Math.imul(stream, 0x27d4eb2d));
    const s0 = splitmix32(x);
    const s1 = splitmix32(s0);
    const s2 = splitmix32(s1);
    const s3 = splitmix32(s2);
    return new Prng(s0, s1, s2, s3);
  }

  /** Next 32-bit output as an unsigned integer in [0, 2^32). */
  u32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.s2 ^ this.s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = this.s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution (one draw). */
  float(): number {
    return this.u32() * TWO_POW_MINUS_32;
  }

  /** Uniform float in [0, 1) with the full 53-bit double resolution (two draws). */
  float53(): number {
    const a = this.u32() >>> 5; // 27 bits
    const b = this.u32() >>> 6; // 26 bits
    return (a * 67108864 + b) * TWO_POW_MINUS_53;
  }

  /**
   * Unbiased integer in [0, n) for 1 ≤ n ≤ 2^32, by Lemire's multiply-and-reject
   * ("Fast random integer generation in an interval", ACM TOMACS 29(1), 2019):
   * the high word of the 64-bit product x·n, rejecting the few x whose low
   * word falls below 2^32 mod n. The low word is exact from `Math.imul`; the
   * high word is recovered exactly from the double product because the
   * difference is a multiple of 2^32 and the rounding error is below 2^12.
   */
  below(n: number): number {
    let x = this.u32();
    let lo = Math.imul(x, n) >>> 0;
    if (lo < n) {
      const threshold = (TWO_POW_32 - n) % n;
      while (lo < threshold) {
        x = this.u32();
        lo = Math.imul(x, n) >>> 0;
      }
    }
    return Math.round((x * n - lo) * TWO_POW_MINUS_32);
  }

  /**
   * Fills `out[0..n)` with 1 where a draw says "write", else 0: 1 exactly
   * when (u32 >>> 1) < threshold31, i.e. with probability threshold31 / 2^31
   * (see {@link bernoulliThreshold31}). One draw per entry, the same draws
   * `u32()` would give. Bulk form for the hot path: the state stays in
   * registers and the compare is branchless (a sign bit), because write
   * decisions are coin flips a branch predictor cannot learn.
   */
  fillBits(out: Uint8Array, n: number, threshold31: number): void {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0; i < n; i++) {
      const m = Math.imul(s1, 5);
      const r = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = ((r >>> 1) - threshold31) >>> 31;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /**
   * Fills `out[from..to)` with `below(bound)` draws — the identical sequence —
   * keeping the state in registers; the rare rejection goes through `below`.
   */
  fillBelow(out: Int32Array, from: number, to: number, bound: number): void {
    if (bound >= 2 && bound <= 2147483648 && (bound & (bound - 1)) === 0) {
      this.fillBelowPowerOfTwo(out, from, to, 32 - Math.log2(bound));
      return;
    }
    const reject = (TWO_POW_32 - bound) % bound; // Lemire: x is rejected when lo(x·bound) < 2^32 mod bound
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = from; i < to; i++) {
      const m = Math.imul(s1, 5);
      const x = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const lo = Math.imul(x, bound) >>> 0;
      if (lo < reject) {
        this.s0 = s0;
        this.s1 = s1;
        this.s2 = s2;
        this.s3 = s3;
        out[i] = this.belowAfterReject(bound, reject);
        s0 = this.s0;
        s1 = this.s1;
        s2 = this.s2;
        s3 = this.s3;
      } else {
        out[i] = Math.round((x * bound - lo) * TWO_POW_MINUS_32);
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /**
   * `fillBelow` for bound = 2^(32 − shift): Lemire's method never rejects
   * (2^32 mod 2^k = 0) and the high word of x·2^k is x >>> (32 − k), so this
   * is the identical sequence in one shift per draw.
   */
  private fillBelowPowerOfTwo(out: Int32Array, from: number, to: number, shift: number): void {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = from; i < to; i++) {
      const m = Math.imul(s1, 5);
      out[i] = Math.imul((m << 7) | (m >>> 25), 9) >>> shift;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** Lemire's retry loop, after the first draw was rejected. */
  private belowAfterReject(bound: number, reject: number): number {
    for (;;) {
      const x = this.u32();
      const lo = Math.imul(x, bound) >>> 0;
      if (lo >= reject) return Math.round((x * bound - lo) * TWO_POW_MINUS_32);
    }
  }

  /** Fills `out` with a uniformly random permutation of 0..out.length-1 (Fisher–Yates). */
  permutation(out: Int32Array): Int32Array {
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }
}

/**
 * The 31-bit threshold for a Bernoulli(p) draw by {@link Prng.fillBits}:
 * round(p · 2^31), so the realised probability is within 2^-32 of p, and
 * exactly 0 or 1 at the ends.
 */
export function bernoulliThreshold31(p: number): number {
  return Math.round(p * 2147483648);
}
