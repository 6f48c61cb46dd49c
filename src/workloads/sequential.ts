/**
 * `sequential`: sweeps B's memory page by page, 0, 1, …, pages−1, 0, 1, …
 *
 * With writeRatio = 1 every pass writes every page exactly once, in order:
 * the per-fault microbenchmark — each page's first write after a checkpoint
 * is one tracking fault, so faults per checkpoint = pages touched since the
 * last one, with no locality for a TLB or a designated dataspace to hide.
 *
 * The page order does not depend on the seed (the microbenchmark must be the
 * same every time); the seed only decides which accesses are writes.
 */
import type { ParamSpecs } from '../params/params.ts';
import { checkCommon, checkSeed, generatorStream } from './common.ts';
import type { WorkloadDef } from './types.ts';

const params = {} as const satisfies ParamSpecs;

/** The `sequential` workload. */
export const sequential: WorkloadDef<typeof params> = {
  name: 'sequential',
  doc: 'Sweep over all pages in order, wrapping; writeRatio=1 is the per-fault microbenchmark.',
  params,
  create(common, _params, seed) {
    checkCommon('sequential', common);
    checkSeed('sequential', seed);
    const total = common.pages;
    let next = 0;
    return generatorStream(common, seed, (pages, n) => {
      let p = next;
      for (let i = 0; i < n; i++) {
        pages[i] = p;
        p = p + 1 === total ? 0 : p + 1;
      }
      next = p;
    });
  },
};
