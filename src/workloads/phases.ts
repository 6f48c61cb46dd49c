/**
 * `phases`: program phase behaviour — the working set stays put for a while,
 * then moves (Denning's working-set model; e.g. a compiler's passes or a
 * solver's steps). B touches a working set of round(hotFraction · pages)
 * contiguous pages (wrapping at the end of memory), uniformly, for
 * `phaseAccesses` accesses; then the window jumps to a new seeded position.
 *
 * Phase k covers accesses [k·phaseAccesses, (k+1)·phaseAccesses). Its
 * window start is drawn from the layout stream of the seed and always
 * differs from the previous phase's start (when pages > 1), so the working
 * set moves exactly at every phase boundary. A move brings in pages never
 * written since the last checkpoint: the burst of first-write faults that a
 * checkpoint interval has to absorb.
 *
 * With `altHotFraction`, the odd phases (1, 3, …) have a working set of
 * round(altHotFraction · pages) instead, so the phases alternate between two
 * sizes (a small and a large working set: where a tracker that adapts per
 * interval should follow the better mechanism). Its default, 0, keeps one
 * size, and then the stream is the same as without the parameter.
 */
import type { ParamSpecs } from '../params/params.ts';
import { checkCommon, checkSeed, fractionOfPages, generatorStream } from './common.ts';
import { Prng, PrngStream } from './prng.ts';
import type { WorkloadDef } from './types.ts';

const params = {
  hotFraction: {
    type: 'number',
    default: 0.1,
    min: 0,
    minExclusive: true,
    max: 1,
    doc: 'Working-set size as a fraction of the pages (rounded, at least one page).',
  },
  phaseAccesses: {
    type: 'integer',
    default: 100_000,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: 'accesses',
    doc: 'Accesses per phase; the working set moves after each phase.',
  },
  altHotFraction: {
    type: 'number',
    default: 0,
    min: 0,
    max: 1,
    doc: 'Working-set size of the odd phases (1, 3, …) as a fraction of the pages, so phases alternate between two sizes; 0: hotFraction in every phase.',
  },
} as const satisfies ParamSpecs;

/**
 * Start page of the next phase's window: uniform over all pages except the
 * current start, so the window always moves (when there is room to move).
 */
function nextWindowStart(rng: Prng, pages: number, current: number): number {
  if (pages === 1) return 0;
  return (current + 1 + rng.below(pages - 1)) % pages;
}

/** The `phases` workload. */
export const phases: WorkloadDef<typeof params> = {
  name: 'phases',
  doc: 'A contiguous working set of hotFraction pages (altHotFraction in odd phases), touched uniformly, moves every phaseAccesses accesses.',
  params,
  create(common, p, seed) {
    checkCommon('phases', common);
    checkSeed('phases', seed);
    const total = common.pages;
    const even = fractionOfPages(p.hotFraction, total);
    const odd = p.altHotFraction === 0 ? even : fractionOfPages(p.altHotFraction, total);
    let window = even;
    let phase = 0;
    const phaseLength = p.phaseAccesses;
    const rng = Prng.seeded(seed, PrngStream.pages);
    const layout = Prng.seeded(seed, PrngStream.layout);
    let start = layout.below(total);
    let leftInPhase = phaseLength;
    return generatorStream(common, seed, (pages, n) => {
      let i = 0;
      while (i < n) {
        if (leftInPhase === 0) {
          start = nextWindowStart(layout, total, start);
          leftInPhase = phaseLength;
          phase++;
          window = (phase & 1) === 0 ? even : odd;
        }
        const end = i + Math.min(n - i, leftInPhase);
        leftInPhase -= end - i;
        rng.fillBelow(pages, i, end, window);
        for (; i < end; i++) {
          const q = pages[i]! + start;
          pages[i] = q >= total ? q - total : q;
        }
      }
    });
  },
};

/** Window start pages of the first `count` phases for a seed (for tests and reports). */
export function phaseWindowStarts(pages: number, seed: number, count: number): number[] {
  const layout = Prng.seeded(seed, PrngStream.layout);
  const out: number[] = [];
  let start = layout.below(pages);
  for (let k = 0; k < count; k++) {
    out.push(start);
    start = nextWindowStart(layout, pages, start);
  }
  return out;
}
