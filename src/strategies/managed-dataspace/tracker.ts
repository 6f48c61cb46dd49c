/**
 * The region-map tracker of the seed and of rtcr's custom RAM service
 * (argos-research/genode-CheckpointRestore-SharedMemory, ram_session.cc),
 * shared by `managed-dataspace` and `per-page-rm`.
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
 * Variants: rtcr's handler finds the faulting managed dataspace by calling
 * `state()` on each in turn (`lookup: linear`), versus one signal context per
 * managed dataspace (`indexed`); with `readOnlyFirst` (Genode 2018 and later)
 * a read fault attaches read-only and only a later write re-attaches
 * read-write and marks.
 */

import { ParamError } from '../../params/params.ts';
import {
  type CostProfile,
  Kind,
  ModelError,
  maxUnmapCycles,
  PAGE_SIZE,
  type Platform,
  pauseResumeCycles,
  type RamDataspace,
  type RegionMap,
  rpcCycles,
} from '../../platform/index.ts';
import type { Bounds, Strategy } from '../types.ts';

/** How B's memory is laid out and how the handler looks faults up. */
export interface ManagedLayout {
  /** Pages per designated dataspace. */
  readonly granularity: number;
  /** Pages per managed dataspace (one of B's RAM allocations). */
  readonly managedPages: number;
  /** One RM session per managed dataspace even where the platform does not demand it. */
  readonly sessionPerManagedDataspace: boolean;
  /** How the fault handler finds the faulting managed dataspace. */
  readonly lookup: 'linear' | 'indexed';
  /** Attach read-only on a read fault; re-attach read-write on the first write. */
  readonly readOnlyFirst: boolean;
}

/** Checks a layout against B's size. @throws ParamError naming the strategy and parameter. */
export function checkLayout(owner: string, layout: ManagedLayout, pages: number): void {
  if (layout.granularity > layout.managedPages && layout.managedPages < pages) {
    throw new ParamError(
      `${owner}: granularity ${layout.granularity} exceeds the ${layout.managedPages} pages of a managed dataspace`,
    );
  }
}

/** Number of managed dataspaces and of designated dataspaces for B's `pages`. */
function counts(layout: ManagedLayout, pages: number): { managed: number; designated: number } {
  const a = Math.min(layout.managedPages, pages);
  const full = Math.floor(pages / a);
  const rest = pages - full * a;
  const designated =
    full * Math.ceil(a / layout.granularity) + (rest > 0 ? Math.ceil(rest / layout.granularity) : 0);
  return { managed: full + (rest > 0 ? 1 : 0), designated };
}

/** States of a designated dataspace. */
const DETACHED = 0;
const READ_ONLY = 1;
const READ_WRITE = 2;

export function createManagedTracker(platform: Platform, layout: ManagedLayout): Strategy {
  const { core, clock, profile, pages } = platform;
  const g = layout.granularity;
  const a = Math.min(layout.managedPages, pages);
  const { designated } = counts(layout, pages);
  const managed: RegionMap[] = [];
  /** First designated-dataspace index of each managed dataspace. */
  const firstDesignated: number[] = [];
  const dataspaces: RamDataspace[] = [];
  const dsManaged = new Int32Array(designated);
  const dsAt = new Int32Array(designated);
  const dsTargetPage = new Int32Array(designated);
  const state = new Uint8Array(designated);
  const marked = new Uint8Array(designated);

  /** A's handling of a fault reported by `state()` of managed dataspace `m`. */
  const resolve = (m: number, type: 'READ_FAULT' | 'WRITE_FAULT', addr: number): void => {
    clock.charge(Kind.handler, profile.checkpointer.handlerWork);
    const j = firstDesignated[m]! + Math.floor(addr / PAGE_SIZE / g);
    const rm = managed[m]!;
    if (type === 'READ_FAULT' && layout.readOnlyFirst && state[j] === DETACHED) {
      core.attach(rm, dataspaces[j]!, dsAt[j]!, { writable: false });
      state[j] = READ_ONLY;
      return;
    }
    if (state[j] === READ_ONLY) core.detach(rm, dsAt[j]!);
    else if (state[j] !== DETACHED) throw new ModelError(`fault on attached read-write dataspace ${j}`);
    core.attach(rm, dataspaces[j]!, dsAt[j]!, { writable: true });
    state[j] = READ_WRITE;
    marked[j] = 1;
  };

  /** The signal handler: find the faulting managed dataspace and resolve its fault. */
  const handleSignal = (only: number): void => {
    const from = Math.max(only, 0);
    const to = only < 0 ? managed.length : only + 1;
    for (let m = from; m < to; m++) {
      const st = core.state(managed[m]!);
      if (st.type !== 'READY') {
        resolve(m, st.type, st.addr);
        return;
      }
    }
    throw new ModelError('region-map fault signalled, but no managed dataspace reports a fault');
  };

  return {
    setupMemory() {
      const separate = layout.sessionPerManagedDataspace || profile.capabilities.rmSessionPerManagedDataspace;
      const shared = separate ? null : core.createRmSession();
      const linear = layout.lookup === 'linear' ? core.createSignalContext(() => handleSignal(-1)) : null;
      let j = 0;
      for (let base = 0, m = 0; base < pages; base += a, m++) {
        const size = Math.min(a, pages - base);
        const session = shared ?? core.createRmSession();
        const rm = session.createRegionMap(size);
        rm.faultHandler = linear ?? core.createSignalContext(() => handleSignal(m));
        managed.push(rm);
        firstDesignated.push(j);
        core.attach(core.root, rm, base);
        for (let at = 0; at < size; at += g, j++) {
          const ds = core.allocRam(Math.min(g, size - at));
          dataspaces.push(ds);
          dsManaged[j] = m;
          dsAt[j] = at;
          dsTargetPage[j] = base + at;
          core.attach(rm, ds, at);
          state[j] = READ_WRITE;
        }
      }
    },
    arm() {
      for (let j = 0; j < designated; j++) {
        core.detach(managed[dsManaged[j]!]!, dsAt[j]!);
        state[j] = DETACHED;
      }
    },
    collect(out) {
      clock.charge(Kind.handler, designated * profile.checkpointer.bitmapScanPerPage);
      let n = 0;
      for (let j = 0; j < designated; j++) {
        if (marked[j] === 0) continue;
        marked[j] = 0;
        const first = dsTargetPage[j]!;
        for (let p = first, end = first + dataspaces[j]!.pages; p < end; p++) out[n++] = p;
      }
      return n;
    },
    rearm() {
      for (let j = 0; j < designated; j++) {
        if (state[j] === DETACHED) continue;
        core.detach(managed[dsManaged[j]!]!, dsAt[j]!);
        state[j] = DETACHED;
      }
    },
    memory: () => ({ 'tracker-bitmap': Math.ceil(designated / 8) }),
  };
}

/**
 * Worst cases from the profile. A tracking fault's stall, counted from the
 * first exception to the completed access:
 * trap, fault IPC, core's lookups in B's region map and in the managed
 * dataspace (2 levels), the signal (IRQ trigger and
 * fetch RPC), `state()` RPCs (all managed dataspaces when linear), A's work,
 * for a read-only upgrade a detach of the designated dataspace, the attach RPC
 * and the wake-up IPC; then the retry: walk, trap, fault IPC, 2 lookups, the
 * reply with a mapping of up to min(granularity, 2^maxMapOrder) pages, walk.
 */
export function managedBounds(profile: CostProfile, pages: number, layout: ManagedLayout): Bounds {
  const k = profile.kernel;
  const c = profile.core;
  const { managed, designated } = counts(layout, pages);
  const g = Math.min(layout.granularity, pages);
  const stateCalls = layout.lookup === 'linear' ? managed : 1;
  const mapped = Math.min(g, 2 ** c.maxMapOrder);
  const detach = (n: number) => rpcCycles(profile, c.detachWork) + n * maxUnmapCycles(profile, 1) + c.cacheOp;
  const signalAndHandler =
    k.irqTrigger +
    rpcCycles(profile, c.signalWork) +
    stateCalls * rpcCycles(profile, c.stateWork) +
    profile.checkpointer.handlerWork;
  const wake = rpcCycles(profile, c.attachWork) + k.ipcOneWay;
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
  const pause =
    pauseResumeCycles(profile) +
    designated * profile.checkpointer.bitmapScanPerPage +
    pages * profile.checkpointer.copyPage +
    designated * (rpcCycles(profile, c.detachWork) + c.cacheOp) +
    pages * maxUnmapCycles(profile, 1);
  return { maxStallCycles: Math.max(fault, pause), maxPauseCycles: pause };
}
