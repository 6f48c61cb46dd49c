/**
 * `managed-dataspace`: the custom RAM service of the seed and of rtcr. B's
 * RAM is managed dataspaces filled with designated dataspaces of
 * `granularity` pages; the first access to a detached one faults to the
 * checkpointer, which attaches and marks it. See tracker.ts for the protocol.
 */
import type { Capability } from '../../platform/index.ts';
import { defineStrategy } from '../types.ts';
import { checkLayout, createManagedTracker, type ManagedLayout, managedBounds } from './tracker.ts';

const params = {
  granularity: {
    type: 'integer',
    default: 1,
    min: 1,
    unit: 'pages',
    doc: 'pages per designated dataspace (rtcr tested 1 and 256); a power of two lets one fault map it whole',
  },
  managedPages: {
    type: 'integer',
    default: 0,
    min: 0,
    unit: 'pages',
    doc: "pages per managed dataspace, i.e. per RAM allocation of B in rtcr's RAM service (0: one for all of B's memory)",
  },
  lookup: {
    type: 'enum',
    values: ['linear', 'indexed'],
    default: 'linear',
    doc: "how the fault handler finds the faulting managed dataspace: rtcr's state() on each in turn, or one signal context each",
  },
  readOnlyFirst: {
    type: 'boolean',
    default: false,
    doc: 'attach read-only on a read fault and read-write on the first write (needs readOnlyAttach)',
  },
} as const;

function layoutOf(
  p: { granularity: number; managedPages: number; lookup: string; readOnlyFirst: boolean },
  pages: number,
): ManagedLayout {
  const layout: ManagedLayout = {
    granularity: p.granularity,
    managedPages: p.managedPages === 0 ? pages : p.managedPages,
    sessionPerManagedDataspace: false,
    lookup: p.lookup === 'indexed' ? 'indexed' : 'linear',
    readOnlyFirst: p.readOnlyFirst,
  };
  checkLayout('managed-dataspace', layout, pages);
  return layout;
}

export const managedDataspace = defineStrategy({
  name: 'managed-dataspace',
  doc: 'detach designated dataspaces of managed dataspaces; the first access to each faults to the checkpointer',
  params,
  requires: (p) => {
    const caps: Capability[] = ['managedDataspaces'];
    if (p.readOnlyFirst) caps.push('readOnlyAttach');
    return caps;
  },
  create: (ctx, p) => createManagedTracker(ctx, layoutOf(p, ctx.pages)),
  bounds: (profile, pages, p) => managedBounds(profile, pages, layoutOf(p, pages)),
});
