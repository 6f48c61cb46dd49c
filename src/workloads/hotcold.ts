/**
 * `hotcold`: the two-set locality model — a fraction `hotFraction` of the
 * pages (the hot set) receives a fraction `hotAccessFraction` of the
 * accesses, uniformly within each set. The default 20 % / 80 % is the usual
 * Pareto split; the same two-set model (there 10 % / 90 %) drives the
 * "hot-and-cold" simulations of Rosenblum & Ousterhout, "The design and
 * implementation of a log-structured file system" (SOSP 1991).
 *
 * The hot set has round(hotFraction · pages) pages, at least 1. By default
 * it is the contiguous block [0, hotPages) — a hot heap arena or stack —
 * which is the friendly case for coarse-grained tracking; `scatter=true`
 * makes it a seeded random set of the same size (a seeded permutation's
 * first hotPages entries), which is the unfriendly one. When the hot set is
 * all of memory every access is "hot".
 */
import type { ParamSpecs } from '../params/params.ts';
import { checkCommon, checkSeed, fractionOfPages, generatorStream } from './common.ts';
import { bernoulliThreshold31, Prng, PrngStream } from './prng.ts';
import type { WorkloadDef } from './types.ts';

const params = {
  hotFraction: {
    type: 'number',
    default: 0.2,
    min: 0,
    minExclusive: true,
    max: 1,
    doc: 'Fraction of the pages in the hot set (rounded, at least one page).',
  },
  hotAccessFraction: {
    type: 'number',
    default: 0.8,
    min: 0,
    max: 1,
    doc: 'Fraction of the accesses that go to the hot set.',
  },
  scatter: {
    type: 'boolean',
    default: false,
    doc: 'Hot set is a seeded random set of pages (false: the contiguous block starting at page 0).',
  },
} as const satisfies ParamSpecs;

/** The `hotcold` workload. */
export const hotcold: WorkloadDef<typeof params> = {
  name: 'hotcold',
  doc: 'hotFraction of the pages (default 20 %) receive hotAccessFraction of the accesses (default 80 %).',
  params,
  create(common, p, seed) {
    checkCommon('hotcold', common);
    checkSeed('hotcold', seed);
    const total = common.pages;
    const hotPages = fractionOfPages(p.hotFraction, total);
    const coldPages = total - hotPages;
    // Integer threshold compare, as for the write ratio; an empty cold set takes nothing.
    const hotThreshold = coldPages === 0 ? 2147483648 : bernoulliThreshold31(p.hotAccessFraction);
    const rng = Prng.seeded(seed, PrngStream.pages);
    const layout = p.scatter ? Prng.seeded(seed, PrngStream.layout).permutation(new Int32Array(total)) : null;
    return generatorStream(common, seed, (pages, n) => {
      for (let i = 0; i < n; i++) {
        pages[i] = rng.u32() >>> 1 < hotThreshold ? rng.below(hotPages) : hotPages + rng.below(coldPages);
      }
      if (layout !== null) for (let i = 0; i < n; i++) pages[i] = layout[pages[i]!]!;
    });
  },
};

/** The pages of the hot set for given parameters, ascending (for tests and reports). */
export function hotSet(pages: number, hotFraction: number, scatter: boolean, seed: number): Int32Array {
  const hotPages = fractionOfPages(hotFraction, pages);
  if (!scatter) return Int32Array.from({ length: hotPages }, (_, i) => i);
  const layout = Prng.seeded(seed, PrngStream.layout).permutation(new Int32Array(pages));
  return layout.subarray(0, hotPages).sort();
}
