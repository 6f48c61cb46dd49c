/**
 * The one pseudo-random number generator of the workloads: xoshiro128**
 * (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 47(4), 2021; reference code https://prng.di.unimi.it/xoshiro128starstar.c),
 * seeded through SplitMix64 (Steele, Lea & Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014; reference code
 * https://prng.di.unimi.it/splitmix64.c), as the xoshiro authors recommend.
 *
 * Why this one: 128 bits of state in four int32 fields, every step is 32-bit
 * integer math (`Math.imul`, shifts, xor) that V8 keeps in registers, and the
 * output passes BigCrush. `Math.random` is never used: a run must be
 * byte-identical from its seed on any machine (docs/design.md §1).
 *
 * Independent streams (page choice, write decisions, permutations) come from
 * the same seed with a different `stream` number, so that for instance
 * changing the write ratio never changes which pages are accessed.
 *
 * Seeding is injective: (seed, stream) is packed into one 64-bit word without
 * loss (the seed's 54-bit two's complement, the stream above it), and
 * SplitMix64's first output is a bijection of that word (a Weyl step, then
 * Stafford's variant 13 finaliser, each invertible on 64 bits). That output
 * is half of the 128-bit state, so two distinct (seed, stream) pairs never
 * start in the same state. (Folding them into 32 bits first, as before,
 * let ~2^16 seeds collide by the birthday bound.)
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
  /**
   * The first of the run's cost-figure streams (src/run/cost-streams.ts): a
   * profile figure given as a distribution draws from stream 512 + its index
   * in the profile schema. No workload draws from 512 and above.
   */
  costs: 512,
} as const;

/** Bits of the packed word that hold the seed: a safe integer's two's complement needs 54. */
const SEED_BITS = 54n;
/** Streams must fit the 10 bits above the seed. */
const MAX_STREAM = 1023;
const MASK64 = (1n << 64n) - 1n;

/**
 * SplitMix64 from state `x`: its first two outputs, as in the reference
 * (`z = (x += 0x9e3779b97f4a7c15)`, then the variant-13 finaliser).
 * Runs once per generator, so BigInt costs nothing that matters.
 */
export function splitMix64(x: bigint, outputs: number): bigint[] {
  const out: bigint[] = [];
  let state = x & MASK64;
  for (let i = 0; i < outputs; i++) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    out.push(z ^ (z >> 31n));
  }
  return out;
}

/** The 64-bit word a (seed, stream) pair is packed into: distinct pairs, distinct words. */
export function seedWord(seed: number, stream: number): bigint {
  return BigInt.asUintN(Number(SEED_BITS), BigInt(seed)) | (BigInt(stream) << SEED_BITS);
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
   * Seeds a generator from any safe integer seed and a stream number: the
   * state is SplitMix64's first two outputs from the packed (seed, stream)
   * word, so distinct pairs never share a state (see the module comment).
   * @throws RangeError when the seed is not a safe integer or the stream is not in [0, 1023].
   * @example const rng = Prng.seeded(42, PrngStream.pages); rng.below(1000);
   */
  static seeded(seed: number, stream = 0): Prng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    if (!Number.isInteger(stream) || stream < 0 || stream > MAX_STREAM)
      throw new RangeError(`stream must be a whole number in [0, ${MAX_STREAM}], got ${stream}`);
    const [a, b] = splitMix64(seedWord(seed, stream), 2) as [bigint, bigint];
    const word = (v: bigint, shift: bigint) => Number(BigInt.asIntN(32, v >> shift));
    return new Prng(word(a, 0n), word(a, 32n), word(b, 0n), word(b, 32n));
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
