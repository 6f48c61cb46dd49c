/**
 * `managed-dataspace`: the custom RAM service of the seed and of rtcr. B's
 * RAM is managed dataspaces filled with designated dataspaces of
 * `granularity` pages; the first access to a detached one faults to the
 * checkpointer, which attaches and marks it. The protocol is the region-map
 * tracker's (strategies/region-map-tracker.ts), with every parameter open.
 */
import { defineRegionMapStrategy, regionMapParams } from '../region-map-tracker.ts';

export const managedDataspace = defineRegionMapStrategy({
  name: 'managed-dataspace',
  doc: 'detach designated dataspaces of managed dataspaces; the first access to each faults to the checkpointer',
  params: regionMapParams,
  layout: (p) => ({ ...p, sessionPerManagedDataspace: false }),
});
