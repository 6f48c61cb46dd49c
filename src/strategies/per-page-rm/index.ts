/**
 * `per-page-rm`: the seed's precise variant of the region-map tracker
 * (strategies/region-map-tracker.ts): one RM session and one managed
 * dataspace per 4 KiB page, so every page is tracked on its own, at 64 KiB of
 * RM-session quota per page plus a region map's metadata. A layout preset:
 * granularity 1, one page per managed dataspace, and the lookup by signal
 * context by default.
 */
import { defineRegionMapStrategy, regionMapParams } from '../region-map-tracker.ts';

export const perPageRm = defineRegionMapStrategy({
  name: 'per-page-rm',
  doc: 'one RM session and managed dataspace per page; the first access to each page faults to the checkpointer',
  params: {
    lookup: { ...regionMapParams.lookup, default: 'indexed' },
    readOnlyFirst: regionMapParams.readOnlyFirst,
  } as const,
  layout: (p) => ({ ...p, granularity: 1, managedPages: 1, sessionPerManagedDataspace: true }),
});
