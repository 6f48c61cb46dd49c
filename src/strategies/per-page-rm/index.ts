/**
 * `per-page-rm`: the seed's precise variant of the managed-dataspace tracker:
 * one RM session and one managed dataspace per 4 KiB page, so every page is
 * tracked on its own, at 64 KiB of RM-session quota per page plus a region
 * map's metadata. The protocol is managed-dataspace's (tracker.ts) with a
 * granularity of one page and one managed dataspace per page.
 */
import type { Capability } from '../../platform/index.ts';
import { createManagedTracker, type ManagedLayout, managedBounds } from '../managed-dataspace/tracker.ts';
import { defineStrategy } from '../types.ts';

const params = {
  lookup: {
    type: 'enum',
    values: ['linear', 'indexed'],
    default: 'indexed',
    doc: "how the fault handler finds the faulting page: one signal context per page, or rtcr's state() on each in turn (O(pages) RPCs per fault)",
  },
  readOnlyFirst: {
    type: 'boolean',
    default: false,
    doc: 'attach read-only on a read fault and read-write on the first write (needs readOnlyAttach)',
  },
} as const;

function layoutOf(p: { lookup: string; readOnlyFirst: boolean }): ManagedLayout {
  return {
    granularity: 1,
    managedPages: 1,
    sessionPerManagedDataspace: true,
    lookup: p.lookup === 'linear' ? 'linear' : 'indexed',
    readOnlyFirst: p.readOnlyFirst,
  };
}

export const perPageRm = defineStrategy({
  name: 'per-page-rm',
  doc: 'one RM session and managed dataspace per page; the first access to each page faults to the checkpointer',
  params,
  requires: (p) => {
    const caps: Capability[] = ['managedDataspaces'];
    if (p.readOnlyFirst) caps.push('readOnlyAttach');
    return caps;
  },
  create: (ctx, p) => createManagedTracker(ctx, layoutOf(p)),
  bounds: (profile, pages, p) => managedBounds(profile, pages, layoutOf(p)),
});
