/**
 * `zipf`: a skewed, YCSB-style workload. The page of rank r (r = 1 … n) is
 * accessed with probability 1 / (r^θ · H_{n,θ}), H_{n,θ} = Σ_{i=1..n} i^−θ.
 * θ = 0.99 is YCSB's "zipfian constant" (Cooper et al., "Benchmarking cloud
 * serving systems with YCSB", SoCC 2010; core/…/ZipfianGenerator.java).
 *
 * The sampler. YCSB draws with the method of Gray et al., "Quickly generating
 * billion-record synthetic databases" (SIGMOD 1994), which is exact only for
 * the two most popular ranks and approximates the rest. Here ranks are drawn
 * exactly, for any θ > 0 including θ = 1, by rejection-inversion: W. Hörmann
 * and G. Derflinger, "Rejection-inversion to generate variates from monotone
 * discrete distributions", ACM TOMACS 6(3), 1996 — the form implemented in
 * Apache Commons RNG (`RejectionInversionZipfSampler`). O(1) expected time
 * per draw and no table, so a million pages cost nothing to set up. A draw
 * costs a log1p and an exp; at θ = 0.99 about 98.5 % of draws are accepted
 * by the cheap squeeze test (k − x ≤ s) without evaluating H and h again.
 * That makes zipf the slowest generator (about 9 M draws/s on the reference
 * 2-core host, against 80–190 M/s for the table-free ones); an alias table
 * (Walker/Vose) would be faster per draw but costs O(n) set-up and memory.
 *
 * Where the ranks live. YCSB's ScrambledZipfianGenerator hashes ranks to
 * keys so the popular items are not neighbours. Here, by default, ranks are
 * placed on pages by a seeded permutation (a bijection, unlike a hash): the
 * hot pages are scattered over B's memory, which is what a heap looks like to
 * a page-granular tracker. `scatter=false` makes rank r (0-based) page r, so
 * the hottest pages are packed at the start of memory.
 */
import type { ParamSpecs } from '../params/params.ts';
import { checkCommon, checkSeed, generatorStream } from './common.ts';
import { Prng, PrngStream } from './prng.ts';
import type { WorkloadDef } from './types.ts';

/** log1p(x)/x, continuous at 0 (commons-rng `helper1`). */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** expm1(x)/x, continuous at 0 (commons-rng `helper2`). */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

/**
 * Exact Zipf rank sampler by rejection-inversion (Hörmann & Derflinger 1996).
 * `sample` returns a 0-based rank r in [0, n) with probability
 * 1 / ((r+1)^θ · H_{n,θ}). Exported so tests can check the law itself.
 */
export class ZipfRankSampler {
  /** Number of ranks. */
  readonly n: number;
  /** Exponent θ > 0. */
  readonly theta: number;
  private readonly hIntegralX1: number;
  private readonly hIntegralN: number;
  private readonly s: number;

  /**
   * @throws RangeError when n is not an integer ≥ 1 or θ is not a finite number > 0.
   */
  constructor(n: number, theta: number) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`zipf: n must be an integer >= 1, got ${n}`);
    if (!(theta > 0) || !Number.isFinite(theta))
      throw new RangeError(`zipf: theta must be > 0, got ${theta}`);
    this.n = n;
    this.theta = theta;
    this.hIntegralX1 = this.hIntegral(1.5) - 1;
    this.hIntegralN = this.hIntegral(n + 0.5);
    this.s = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  /** h(x) = x^−θ, the continuous hat over the probabilities. */
  private h(x: number): number {
    return Math.exp(-this.theta * Math.log(x));
  }

  /** H(x) = ∫₁ˣ h, i.e. (x^(1−θ) − 1)/(1−θ), or log x at θ = 1. */
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.theta) * logX) * logX;
  }

  /** H⁻¹. */
  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.theta);
    if (t < -1) t = -1; // guards rounding at the lower end (commons-rng does the same)
    return Math.exp(helper1(t) * x);
  }

  /** Draws one 0-based rank. */
  sample(rng: Prng): number {
    const n = this.n;
    for (;;) {
      // u uniform in (H(1.5) − 1, H(n + 0.5)]
      const u = this.hIntegralN + rng.float53() * (this.hIntegralX1 - this.hIntegralN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > n) k = n;
      if (k - x <= this.s || u >= this.hIntegral(k + 0.5) - this.h(k)) return k - 1;
    }
  }
}

const params = {
  theta: {
    type: 'number',
    default: 0.99,
    min: 0,
    minExclusive: true,
    doc: 'Zipf exponent θ (> 0; 0.99 as YCSB); larger is more skewed, θ = 1 allowed.',
  },
  scatter: {
    type: 'boolean',
    default: true,
    doc: 'Place ranks on pages by a seeded permutation (false: rank r is page r).',
  },
} as const satisfies ParamSpecs;

/** The `zipf` workload. */
export const zipf: WorkloadDef<typeof params> = {
  name: 'zipf',
  doc: 'Zipf-distributed page popularity (θ = 0.99 as YCSB), exact rejection-inversion sampler.',
  params,
  create(common, p, seed) {
    checkCommon('zipf', common);
    checkSeed('zipf', seed);
    const sampler = new ZipfRankSampler(common.pages, p.theta);
    const rng = Prng.seeded(seed, PrngStream.pages);
    if (p.scatter) {
      const pageOfRank = Prng.seeded(seed, PrngStream.layout).permutation(new Int32Array(common.pages));
      return generatorStream(common, seed, (pages, n) => {
        for (let i = 0; i < n; i++) pages[i] = pageOfRank[sampler.sample(rng)]!;
      });
    }
    return generatorStream(common, seed, (pages, n) => {
      for (let i = 0; i < n; i++) pages[i] = sampler.sample(rng);
    });
  },
};
