/**
 * The region-map tracker of the seed and of rtcr's custom RAM service
 * (argos-research/genode-CheckpointRestore-SharedMemory, ram_session.cc),
 * shared by `managed-dataspace` and `per-page-rm`: both are a choice of its
 * parameters (`regionMapParams`) and a layout of B's memory
 * (`defineRegionMapStrategy`).
 *
 * B's RAM is a set of managed dataspaces (one per RAM allocation of B), each
 * filled with designated RAM dataspaces of `granularity` pages. The tracker
 * (A) detaches every designated dataspace after a checkpoint. B's first
 * access to one faults in core; core queues B on the managed dataspace's
 * region map and signals A; A asks `state()` which dataspace faulted, attaches
 * it (read-write, which makes the whole designated dataspace writable, so a
 * read counts as a write), and marks it. The attach wakes B, which faults
 * again and gets its mapping. At a checkpoint A copies the marked designated
 * dataspaces whole and detaches all attached ones.
 *
 * rtcr's fault handler (intercept/ram_session.cc `Fault_handler`), the
 * default (`lookup: linear`, Genode 16.05 and rtcr as they are): every managed
 * dataspace has its own signal context on one receiver
 * (`Signal_receiver::manage(&mrm_info->context)`), but the handler ignores
 * which one fired. `_find_faulting_mrm_info` walks rtcr's list of RAM
 * dataspaces (newest first: `Genode::List::insert` puts each at the head)
 * calling `state()` on each until one is not READY; `_handle_fault` calls
 * `state()` again on it, then `find_by_addr` walks its designated
 * dataspaces, newest first (the last one allocated is the first in the
 * list), to the one holding the fault address; `attach()` follows. At a
 * checkpoint the checkpointer walks the same lists (`_resolve_inc_checkpoint_
 * dataspaces`, `_detach_designated_dataspaces`, checkpointer.cc). Every list
 * element costs `checkpointer.listNodeVisit`, so a fault costs O(managed +
 * designated per managed) and a checkpoint O(managed + designated).
 *
 * The O(1) variant, `lookup: indexed`, is what a thesis could propose, not
 * what 16.05 and rtcr do: the signal's context names the faulting managed
 * dataspace (its imprint), one `state()` reports the address, the designated
 * dataspace is the address over its size, and checkpoints scan a bitmap
 * (`checkpointer.bitmapScanPerPage`). Genode's own walks on the signal path
 * (`Signal_receiver::pending_signal`, the context registry) stay O(contexts)
 * either way: they are the platform's (signal-source-component.ts).
 * With `readOnlyFirst` (Genode 2018 and later) a read fault attaches
 * read-only and only a later write re-attaches read-write and marks.
 *
 * A's bookkeeping is a few typed arrays (docs/design.md §8): the region map of each
 * managed dataspace, the RAM dataspace and state of each designated one; where
 * a designated dataspace lies is arithmetic in its index.
 */

import { ParamError, type ParamSpecs, type ParamValues } from '../params/params.ts';
import {
  type CostProfile,
  cacheMaintenanceCycles,
  ModelError,
  maxSignalDeliveryCycles,
  maxUnmapCycles,
  PAGE_SIZE,
  pauseResumeCycles,
  type RamDataspace,
  type RegionMap,
  RegionMapState,
  rpcCycles,
} from '../platform/index.ts';
import {
  defineStrategy,
  type Strategy,
  type StrategyBounds,
  type TrackerContext,
  type TrackerDef,
} from './types.ts';

/**
 * The tracker's parameters, declared once. `managed-dataspace` takes them
 * all; a preset (`per-page-rm`) takes some, changing at most a default.
 */
export const regionMapParams = {
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
    doc: "how A finds what faulted and what to copy: rtcr's list walks (state() on each managed dataspace, find_by_addr over its designated dataspaces; Genode 16.05 as is), or indexed by the signal's context and the address (O(1), a thesis improvement)",
  },
  readOnlyFirst: {
    type: 'boolean',
    default: false,
    doc: 'attach read-only on a read fault and read-write on the first write (needs readOnlyAttach)',
  },
} as const;

/**
 * Defines a strategy of this tracker: its parameters (regionMapParams, or a
 * preset's selection of them) and the layout of B's memory they give.
 * Requirements, the instance and the bounds follow from the layout.
 */
export function defineRegionMapStrategy<S extends ParamSpecs>(def: {
  readonly name: string;
  readonly doc: string;
  readonly params: S;
  layout(params: ParamValues<S>): ManagedLayout;
}): TrackerDef<S> {
  const checked = (p: ParamValues<S>, pages: number): ManagedLayout => {
    const layout = def.layout(p);
    checkLayout(def.name, layout, pages);
    return layout;
  };
  return defineStrategy({
    name: def.name,
    doc: def.doc,
    params: def.params,
    // rtcr copies a designated dataspace by attaching it into A (src/run/copy.ts).
    defaultCopyVia: 'attach',
    requires: (p) =>
      def.layout(p).readOnlyFirst ? ['managedDataspaces', 'readOnlyAttach'] : ['managedDataspaces'],
    create: (ctx, p) => createManagedTracker(ctx, checked(p, ctx.pages)),
    bounds: (profile, pages, p, touched) => managedBounds(profile, pages, checked(p, pages), touched),
  });
}

/** How B's memory is laid out and how the handler looks faults up. */
export interface ManagedLayout {
  /** Pages per designated dataspace. */
  readonly granularity: number;
  /** Pages per managed dataspace (one of B's RAM allocations); 0: one for all of B's memory. */
  readonly managedPages: number;
  /** One RM session per managed dataspace even where the platform does not demand it. */
  readonly sessionPerManagedDataspace: boolean;
  /** How the fault handler finds the faulting managed dataspace. */
  readonly lookup: 'linear' | 'indexed';
  /** Attach read-only on a read fault; re-attach read-write on the first write. */
  readonly readOnlyFirst: boolean;
  /**
   * Host-side only: how many designated dataspaces attached since the last
   * re-arm the tracker lists (default ATTACHED_LIST). No simulated figure
   * depends on it; tests shrink it to exercise the fallback scan.
   */
  readonly attachedListCapacity?: number;
}

/** Pages per managed dataspace for B's `pages` (the last one may be smaller). */
function managedSize(layout: ManagedLayout, pages: number): number {
  return layout.managedPages === 0 ? pages : Math.min(layout.managedPages, pages);
}

/** Checks a layout against B's size. @throws ParamError naming the strategy and parameter. */
export function checkLayout(owner: string, layout: ManagedLayout, pages: number): void {
  if (layout.managedPages === 0) return;
  if (layout.granularity > layout.managedPages && layout.managedPages < pages) {
    throw new ParamError(
      `${owner}: granularity ${layout.granularity} exceeds the ${layout.managedPages} pages of a managed dataspace`,
    );
  }
}

/** Number of managed dataspaces and of designated dataspaces for B's `pages`. */
function counts(layout: ManagedLayout, pages: number): { managed: number; designated: number } {
  const a = managedSize(layout, pages);
  const full = Math.floor(pages / a);
  const rest = pages - full * a;
  const designated =
    full * Math.ceil(a / layout.granularity) + (rest > 0 ? Math.ceil(rest / layout.granularity) : 0);
  return { managed: full + (rest > 0 ? 1 : 0), designated };
}

/** States of a designated dataspace (low bits of its flags), and its mark. */
const DETACHED = 0;
const READ_ONLY = 1;
const READ_WRITE = 2;
const STATE = 3;
const MARKED = 4;

/**
 * How many designated dataspaces attached since the last re-arm the tracker
 * lists, so that re-arming and collecting visit those instead of all of them
 * (host time only: the simulated scan is charged in full either way). Past
 * this many, both fall back to visiting every designated dataspace.
 */
const ATTACHED_LIST = 4096;

export function createManagedTracker(ctx: TrackerContext, layout: ManagedLayout): Strategy {
  const { core, clock, profile, pages } = ctx;
  const g = layout.granularity;
  const a = managedSize(layout, pages);
  const { managed, designated } = counts(layout, pages);
  // Designated dataspace j is number j % perManaged of managed dataspace
  // m = ⌊j / perManaged⌋, at page (j % perManaged)·g of it, which is B's page
  // m·a + (j % perManaged)·g; all but the last managed dataspace are full.
  const perManaged = Math.ceil(a / g);
  /** The region map of each managed dataspace. */
  const managedRm = new Int32Array(managed);
  /** The RAM dataspace of designated dataspace 0; designated dataspace j's is the j-th allocated after it. */
  let firstDataspace = 0 as RamDataspace;
  /** State and mark of each designated dataspace. */
  const flags = new Uint8Array(designated);
  const faultState = new RegionMapState();
  /** What finding the marked designated dataspaces costs at a checkpoint (rtcr's list walk, or a bitmap). */
  const checkpointWalk = checkpointScanCycles(profile, layout, managed, designated);
  /** Designated dataspaces attached since the last re-arm, in attach order (see ATTACHED_LIST). */
  const attached = new Int32Array(Math.min(designated, layout.attachedListCapacity ?? ATTACHED_LIST));
  let attachedCount = 0;
  const noteAttached = (j: number): void => {
    if (attachedCount < attached.length) attached[attachedCount] = j;
    attachedCount++;
  };
  const listed = (): boolean => attachedCount <= attached.length;

  /** A's handling of a fault reported by `state()` of managed dataspace `m`. */
  const resolve = (m: number, write: boolean, addr: number): void => {
    clock.chargeHandler(profile.checkpointer.handlerWork);
    const k = Math.floor(addr / PAGE_SIZE / g);
    const j = m * perManaged + k;
    const at = k * g;
    const rm = managedRm[m] as RegionMap;
    const ds = core.ramDataspaceAfter(firstDataspace, j);
    const state = flags[j]! & STATE;
    if (!write && layout.readOnlyFirst && state === DETACHED) {
      core.attach(rm, ds, at, 0, 0, false);
      flags[j] = (flags[j]! & MARKED) | READ_ONLY;
      noteAttached(j);
      return;
    }
    if (state === READ_ONLY) core.detach(rm, at);
    else if (state !== DETACHED) throw new ModelError(`fault on attached read-write dataspace ${j}`);
    else noteAttached(j);
    core.attach(rm, ds, at, 0, 0, true);
    flags[j] = READ_WRITE | MARKED;
  };

  /** Designated dataspaces of managed dataspace m (all but the last managed dataspace are full). */
  const designatedIn = (m: number): number => Math.min(perManaged, designated - m * perManaged);
  // Read where charged: a distribution draws on every read (sampling.ts).
  const visits = (n: number) => n * profile.checkpointer.listNodeVisit;

  /**
   * The signal handler, one for all contexts; the imprint names the managed
   * dataspace. rtcr's (`linear`) ignores it and walks its lists (see the
   * file comment); `indexed` uses it.
   */
  const handleSignal = (imprint: number): void => {
    if (layout.lookup === 'indexed') {
      core.state(managedRm[imprint] as RegionMap, faultState);
      if (faultState.type === 'READY')
        throw new ModelError(`managed dataspace ${imprint} signalled a fault it does not report`);
      resolve(imprint, faultState.type === 'WRITE_FAULT', faultState.addr);
      return;
    }
    // _find_faulting_mrm_info: newest first, state() of each until one reports a fault.
    for (let m = managed - 1; m >= 0; m--) {
      clock.chargeHandler(visits(1));
      core.state(managedRm[m] as RegionMap, faultState);
      if (faultState.type === 'READY') continue;
      // _handle_fault: state() again, then find_by_addr over its designated dataspaces, newest first.
      core.state(managedRm[m] as RegionMap, faultState);
      const k = Math.floor(faultState.addr / PAGE_SIZE / g);
      clock.chargeHandler(visits(designatedIn(m) - k));
      resolve(m, faultState.type === 'WRITE_FAULT', faultState.addr);
      return;
    }
    throw new ModelError('region-map fault signalled, but no managed dataspace reports a fault');
  };

  /** Detaches every designated dataspace (`all`: at arm, when all are attached), or the attached ones. */
  const detachAll = (all: boolean): void => {
    if (!all && listed()) {
      for (let i = 0; i < attachedCount; i++) {
        const j = attached[i]!;
        if ((flags[j]! & STATE) === DETACHED) continue;
        core.detach(managedRm[Math.floor(j / perManaged)] as RegionMap, (j % perManaged) * g);
        flags[j] = flags[j]! & MARKED;
      }
      attachedCount = 0;
      return;
    }
    attachedCount = 0;
    for (let j = 0, m = 0; m < managed; m++) {
      const rm = managedRm[m] as RegionMap;
      for (let at = 0, end = Math.min(j + perManaged, designated); j < end; j++, at += g) {
        if (!all && (flags[j]! & STATE) === DETACHED) continue;
        core.detach(rm, at);
        flags[j] = flags[j]! & MARKED;
      }
    }
  };

  return {
    setupMemory() {
      const separate = layout.sessionPerManagedDataspace || profile.capabilities.rmSessionPerManagedDataspace;
      core.reserve({
        rmSessions: separate ? managed : 1,
        regionMaps: managed,
        regionMapPages: pages,
        ramDataspaces: designated,
        attachments: managed + designated,
        signalContexts: managed,
      });
      const shared = separate ? null : core.createRmSession();
      const receiver = core.createSignalReceiver(handleSignal);
      let j = 0;
      for (let base = 0, m = 0; base < pages; base += a, m++) {
        const size = Math.min(a, pages - base);
        const session = shared ?? core.createRmSession();
        const rm = core.createRegionMap(session, size);
        core.setFaultHandler(rm, core.createSignalContext(receiver, m));
        managedRm[m] = rm;
        core.attach(core.root, rm, base);
        for (let at = 0; at < size; at += g, j++) {
          const ds = core.allocRam(Math.min(g, size - at));
          if (j === 0) firstDataspace = ds;
          else if (ds !== core.ramDataspaceAfter(firstDataspace, j))
            throw new ModelError('the designated dataspaces were not allocated in one run');
          core.attach(rm, ds, at);
          flags[j] = READ_WRITE;
        }
      }
    },
    arm() {
      detachAll(true);
    },
    collect(out) {
      clock.chargeHandler(checkpointWalk);
      let n = 0;
      if (listed()) {
        // Only a dataspace attached read-write since the last re-arm is marked.
        for (let i = 0; i < attachedCount; i++) {
          const j = attached[i]!;
          if ((flags[j]! & MARKED) === 0) continue;
          flags[j] = flags[j]! & STATE;
          const m = Math.floor(j / perManaged);
          const first = m * a + (j % perManaged) * g;
          const last = Math.min(first + g, m * a + a, pages);
          for (let q = first; q < last; q++) out[n++] = q;
        }
        return n;
      }
      for (let j = 0, m = 0; m < managed; m++) {
        const base = m * a;
        const limit = Math.min(base + a, pages);
        for (let p = base, end = Math.min(j + perManaged, designated); j < end; j++, p += g) {
          if ((flags[j]! & MARKED) === 0) continue;
          flags[j] = flags[j]! & STATE;
          for (let q = p, last = Math.min(p + g, limit); q < last; q++) out[n++] = q;
        }
      }
      return n;
    },
    rearm() {
      // rtcr's _detach_designated_dataspaces walks its lists again; the indexed variant re-arms from its list.
      if (layout.lookup === 'linear') clock.chargeHandler(visits(managed + designated));
      detachAll(false);
    },
    memory: () => ({ 'tracker-bitmap': Math.ceil(designated / 8) }),
  };
}

/**
 * What finding the marked designated dataspaces costs at a checkpoint: rtcr
 * walks its list of RAM dataspaces and each one's designated dataspaces
 * (`linear`), the indexed variant scans a bitmap of them.
 */
function checkpointScanCycles(
  profile: CostProfile,
  layout: ManagedLayout,
  managed: number,
  designated: number,
): number {
  const a = profile.checkpointer;
  return layout.lookup === 'linear'
    ? (managed + designated) * a.listNodeVisit
    : designated * a.bitmapScanPerPage;
}

/**
 * Worst cases from the profile. A tracking fault's stall, counted from the
 * first exception to the completed access (core/fault-path.ts lists its
 * hand-overs): trap, fault IPC, core's lookups in B's region map and in the
 * managed dataspace (2 levels), the signal's delivery with Genode's walks over
 * every context (`maxSignalDeliveryCycles`), A's lookup (rtcr's: `state()` of
 * every managed dataspace, once more of the faulting one, and find_by_addr
 * over the largest managed dataspace's designated dataspaces; indexed: one
 * `state()`), A's work, for a read-only upgrade a detach of the designated
 * dataspace (which may also revoke A's mapping of its pages, `--copy-via
 * mapped`), the attach RPC and the wake-up's three IPCs; then the retry:
 * walk, trap, fault IPC, 2 lookups, the reply with a mapping of up to
 * min(granularity, 2^maxMapOrder) pages, walk. A page of B stalls at most
 * once per interval (its designated dataspace's fault, or a pager fault for
 * a part of it the first mapping did not cover), twice with `readOnlyFirst`
 * (a read, then the write's upgrade).
 *
 * A checkpoint pause, with B touching at most `touched` pages in an
 * interval, so that at most min(designated, touched) designated dataspaces
 * are attached and marked: stopping and resuming B; finding the marked ones
 * (rtcr's list walk over all, or a bitmap scan of all); their pages copied
 * (at most min(pages, that many × granularity)); rtcr's re-arm walk
 * (`linear`, over all); a detach RPC and cache operation per attached one;
 * one unmap per page of them.
 */
export function managedBounds(
  profile: CostProfile,
  pages: number,
  layout: ManagedLayout,
  touched = pages,
): StrategyBounds {
  const k = profile.kernel;
  const c = profile.core;
  const cp = profile.checkpointer;
  const { managed, designated } = counts(layout, pages);
  const g = Math.min(layout.granularity, pages);
  const perManaged = Math.ceil(managedSize(layout, pages) / layout.granularity);
  const mapped = Math.min(g, 2 ** c.maxMapOrder);
  // (issue 10) a detach's cache maintenance: costs.ts cacheMaintenanceCycles over the region
  const detach = (n: number) =>
    rpcCycles(profile, c.detachWork) +
    n * (maxUnmapCycles(profile, 1) + k.unmapPerPage) +
    cacheMaintenanceCycles(profile, n);
  const lookup =
    layout.lookup === 'linear'
      ? managed * (cp.listNodeVisit + rpcCycles(profile, c.stateWork)) +
        rpcCycles(profile, c.stateWork) +
        perManaged * cp.listNodeVisit
      : rpcCycles(profile, c.stateWork);
  const signalAndHandler = maxSignalDeliveryCycles(profile, managed) + lookup + cp.handlerWork;
  const wake = rpcCycles(profile, c.attachWork) + 3 * k.ipcOneWay;
  const retry =
    profile.mmu.pageWalk +
    k.pageFaultTrap +
    2 * k.ipcOneWay +
    2 * c.regionLookup +
    mapped * k.mapPerPage +
    profile.mmu.pageWalk;
  const emptyFault = k.pageFaultTrap + k.ipcOneWay + 2 * c.regionLookup + signalAndHandler + wake + retry;
  const upgradeFault =
    k.pageFaultTrap + k.ipcOneWay + 2 * c.regionLookup + signalAndHandler + detach(g) + wake + retry;
  const fault = layout.readOnlyFirst ? Math.max(emptyFault, upgradeFault) : emptyFault;
  const rearmWalk = layout.lookup === 'linear' ? (managed + designated) * cp.listNodeVisit : 0;
  const attached = Math.min(designated, touched);
  const copied = Math.min(pages, attached * g);
  const pause =
    pauseResumeCycles(profile) +
    checkpointScanCycles(profile, layout, managed, designated) +
    copied * cp.copyPage +
    rearmWalk +
    attached * (rpcCycles(profile, c.detachWork) + cacheMaintenanceCycles(profile, g)) +
    copied * maxUnmapCycles(profile, 1);
  return {
    maxFaultStallCycles: fault,
    maxPauseCycles: pause,
    maxRingFullStallCycles: 0,
    maxCopiedPages: copied,
    faultsPerPage: layout.readOnlyFirst ? 2 : 1,
    ringEntries: 0,
  };
}
