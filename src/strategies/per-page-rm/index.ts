/**
 * `per-page-rm`: the seed's precise variant of the region-map tracker
 * (strategies/region-map-tracker.ts): one RM session and one managed
 * dataspace per 4 KiB page, so every page is tracked on its own. A layout
 * preset: granularity 1, one page per managed dataspace.
 *
 * Its lookup defaults to `indexed`, the seed's design (the signal's context
 * names the page), not rtcr's `linear`, which would ask `state()` of every
 * page's region map on every fault. Genode 16.05's signal delivery still
 * walks every context (`Signal_receiver::pending_signal` with a lock each,
 * the context registry), one per page: a fault costs O(pages) either way,
 * which is where it differs from `managed-dataspace` (one context, rtcr's
 * `find_by_addr` walk instead).
 *
 * Quota: 64 KiB of RM-session quota per page, the RAM_QUOTA of one session
 * per managed dataspace as Genode before 16.05 demanded; each session's
 * region map and region live inside it (counted once). On 16.05 one session
 * could create every region map: a run reports the quota that would not be
 * needed then as `byKind['rm-session-quota-unneeded']` (core/quota.ts).
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
