/**
 * `managed-dataspace`: the custom RAM service of the seed and of rtcr. B's
 * RAM is managed dataspaces filled with designated dataspaces of
 * `granularity` pages; the first access to a detached one faults to the
 * checkpointer, which attaches and marks it. The protocol is the region-map
 * tracker's (strategies/region-map-tracker.ts), with every parameter open;
 * its defaults are rtcr's as it runs on Genode 16.05: the `linear` lookup
 * (rtcr's list walks) and, at a checkpoint, A attaching each designated
 * dataspace and the copy of its allocation (`--copy-via attach`, whose
 * detach of the copy unmaps one page per page of the allocation).
 */
import { defineRegionMapStrategy, regionMapParams } from '../region-map-tracker.ts';

export const managedDataspace = defineRegionMapStrategy({
  name: 'managed-dataspace',
  doc: 'detach designated dataspaces of managed dataspaces; the first access to each faults to the checkpointer',
  params: regionMapParams,
  layout: (p) => ({ ...p, sessionPerManagedDataspace: false }),
});
