/**
 * `stride`: a strided sweep, the page-level analogue of walking a row-major
 * matrix by columns. A pass visits 0, s, 2s, … (below pages), then 1, 1+s,
 * 1+2s, …, up to column s−1, then wraps to page 0: every page exactly once
 * per pass, like `sequential`, but consecutive accesses are `stride` pages
 * apart. This keeps the number of first touches per pass equal to `pages`
 * while defeating spatial locality — a designated dataspace of g pages is
 * entered g times per pass when stride ≥ g, and the TLB reach is stressed.
 *
 * With stride ≥ pages every column holds one page and the walk equals
 * `sequential`. Page order does not depend on the seed; the seed only
 * decides which accesses are writes.
 */
import type { ParamSpecs } from '../params/params.ts';
import { checkCommon, checkSeed, generatorStream } from './common.ts';
import type { WorkloadDef } from './types.ts';

const params = {
  stride: {
    type: 'integer',
    default: 16,
    min: 1,
    max: 2 ** 30,
    unit: 'pages',
    doc: 'Distance in pages between consecutive accesses; each pass still touches every page once.',
  },
} as const satisfies ParamSpecs;

/** The `stride` workload. */
export const stride: WorkloadDef<typeof params> = {
  name: 'stride',
  doc: 'Strided sweep (column walk): consecutive accesses `stride` pages apart, every page once per pass.',
  params,
  create(common, p, seed) {
    checkCommon('stride', common);
    checkSeed('stride', seed);
    const total = common.pages;
    const step = p.stride;
    const columns = Math.min(step, total);
    let column = 0;
    let page = 0;
    return generatorStream(common, seed, (pages, n) => {
      let c = column;
      let q = page;
      for (let i = 0; i < n; i++) {
        pages[i] = q;
        q += step;
        if (q >= total) {
          c = c + 1 === columns ? 0 : c + 1;
          q = c;
        }
      }
      column = c;
      page = q;
    });
  },
};
