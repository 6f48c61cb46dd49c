/**
 * `uniform`: every access picks a page uniformly at random from all of B's
 * memory — no locality at all, the worst case for any tracking granularity
 * coarser than a page and for the TLB.
 */
import type { ParamSpecs } from '../params/params.ts';
import { checkCommon, checkSeed, generatorStream } from './common.ts';
import { Prng, PrngStream } from './prng.ts';
import type { WorkloadDef } from './types.ts';

const params = {} as const satisfies ParamSpecs;

/** The `uniform` workload. */
export const uniform: WorkloadDef<typeof params> = {
  name: 'uniform',
  doc: 'Each access touches a page drawn uniformly from all pages.',
  params,
  create(common, _params, seed) {
    checkCommon('uniform', common);
    checkSeed('uniform', seed);
    const rng = Prng.seeded(seed, PrngStream.pages);
    const total = common.pages;
    return generatorStream(common, seed, (pages, n) => rng.fillBelow(pages, 0, n, total));
  },
};
