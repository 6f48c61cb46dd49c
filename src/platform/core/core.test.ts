import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Phase, StallCause } from '../clock.ts';
import { cacheMaintenanceCycles, rpcCycles } from '../costs.ts';
import { ModelError } from '../errors.ts';
import { createPlatform, type Platform } from '../platform.ts';
import { loadProfile } from '../profile.ts';
import { profileWith } from '../testing.ts';
import { PAGE_SIZE, RegionMapState } from './index.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const k = x86.kernel;
const c = x86.core;
const a = x86.checkpointer;

/** B's 8 pages are one managed dataspace, empty, with A's handler installed. */
function managedSetup(handler: (pf: Platform) => void) {
  const pf = createPlatform(x86, 8);
  pf.clock.phase = Phase.setup;
  const session = pf.core.createRmSession();
  const md = pf.core.createRegionMap(session, 8);
  pf.core.attach(pf.core.root, md, 0);
  const ds = pf.core.allocRam(8);
  const receiver = pf.core.createSignalReceiver(() => handler(pf));
  pf.core.setFaultHandler(md, pf.core.createSignalContext(receiver, 0));
  pf.clock.phase = Phase.run;
  pf.stalls.recording = true;
  return { pf, md, ds };
}

describe('Genode core', () => {
  it('delivers a fault in an empty managed region to the handler with its address and type, blocked, and maps after attach with exactly one more fault', () => {
    const seen: (RegionMapState & { blocked: boolean })[] = [];
    let md!: ReturnType<typeof managedSetup>['md'];
    let ds!: ReturnType<typeof managedSetup>['ds'];
    const setup = managedSetup((pf) => {
      seen.push({ ...pf.core.state(md), blocked: pf.kernel.thread.blocked });
      expect(pf.core.queuedFaulters(md)).toBe(1);
      pf.core.attach(md, ds, 0);
      expect(pf.core.queuedFaulters(md)).toBe(0);
    });
    ({ md, ds } = setup);
    const pf = setup.pf;
    const t = pf.clock.now;
    pf.mmu.access(3, true);
    expect(seen).toEqual([{ type: 'WRITE_FAULT', addr: 3 * PAGE_SIZE, blocked: true }]);
    expect(pf.mmu.counters.pageFaultExceptions).toBe(2); // the fault, and the retry after the wake-up
    expect(pf.core.pagerCounters.pagerMaps).toBe(1);
    expect(pf.kernel.counters.pagesMapped).toBe(8); // the whole 8-page region in one flexpage
    const first =
      k.pageFaultTrap +
      k.ipcOneWay + // fault IPC
      2 * c.regionLookup + // root, then the empty managed dataspace
      rpcCycles(x86, c.signalWork) + // Pd_session::submit inside core
      k.irqTrigger + // the signal source's IRQ
      rpcCycles(x86, c.signalWork) + // A's signal thread: wait_for_signal
      a.listNodeVisit + // the context registry: one context
      k.irqTrigger + // local_submit wakes the receiving thread
      a.signalContextVisit + // pending_signal: one context
      rpcCycles(x86, c.stateWork) + // the test's handler: state(), attach()
      rpcCycles(x86, c.attachWork) +
      3 * k.ipcOneWay; // wake-up: Pager_object::wake_up's call, its acknowledgement, B resumed
    const retry =
      x86.mmu.pageWalk + k.pageFaultTrap + k.ipcOneWay + 2 * c.regionLookup + k.ipcOneWay + 8 * k.mapPerPage; // root, then the dataspace in the managed dataspace
    const stall = first + retry + x86.mmu.pageWalk;
    expect(pf.stalls.durations(StallCause.fault)).toEqual([stall]);
    expect(pf.clock.now - t).toBe(x86.mmu.pageWalk + stall);
    const t2 = pf.clock.now;
    pf.mmu.access(6, false); // mapped by the same flexpage: a walk, no fault
    expect(pf.clock.now - t2).toBe(x86.mmu.pageWalk);
  });

  it('reports a read fault as READ_FAULT', () => {
    let state: RegionMapState | undefined;
    const s = managedSetup((pf) => {
      state = pf.core.state(s.md);
      pf.core.attach(s.md, s.ds, 0);
    });
    s.pf.mmu.access(5, false);
    expect(state).toEqual({ type: 'READ_FAULT', addr: 5 * PAGE_SIZE });
  });

  it('reflects a write to a read-only attachment to the fault handler', () => {
    let state: RegionMapState | undefined;
    const s = managedSetup((pf) => {
      state = pf.core.state(s.md);
      pf.core.detach(s.md, 0);
      pf.core.attach(s.md, s.ds, 0, 0, 0, true);
    });
    s.pf.core.attach(s.md, s.ds, 0, 0, 0, false);
    s.pf.mmu.access(2, false);
    expect(state).toBeUndefined();
    s.pf.mmu.access(2, true);
    expect(state).toEqual({ type: 'WRITE_FAULT', addr: 2 * PAGE_SIZE });
  });

  it('keeps the faulter blocked, and says so, when the handler resolves nothing', () => {
    const s = managedSetup(() => {});
    expect(() => s.pf.mmu.access(1, true)).toThrow('B blocked forever: write fault at page 1');
  });

  it('refuses a fault in a region map without a fault handler', () => {
    const s = managedSetup(() => {});
    s.pf.core.setFaultHandler(s.md, null);
    expect(() => s.pf.mmu.access(1, true)).toThrow(ModelError);
  });

  it('issues one unmap per page when detaching an N-page region, plus one cache operation', () => {
    const { pf, md, ds } = managedSetup(() => {});
    pf.core.attach(md, ds, 0);
    for (let p = 0; p < 8; p++) pf.mmu.access(p, true);
    const calls = pf.kernel.counters.unmapCalls;
    const t = pf.clock.now;
    pf.core.detach(md, 0);
    expect(pf.kernel.counters.unmapCalls - calls).toBe(8);
    // (issue 10) Fiasco.OC invalidates no page by page (kernel.unmapFlushesSpace), and
    // l4_cache_dma_coherent is an empty inline on amd64 (cacheMaintenanceCycles is 0).
    const perPage = k.syscall + k.unmapPerPage;
    expect(pf.clock.now - t).toBe(
      rpcCycles(x86, c.detachWork) + 8 * perPage + cacheMaintenanceCycles(x86, 8),
    );
    expect(cacheMaintenanceCycles(x86, 8)).toBe(0);
    expect(Array.from({ length: pf.pages }, (_, p) => pf.space.flags(p)).every((e) => e === 0)).toBe(true);
  });

  it("charges an RM session its 64 KiB quota and keeps a region map's allocator block inside it", () => {
    const pf = createPlatform(x86, 4);
    pf.core.createRegionMap(pf.core.createRmSession(), 4);
    const m = pf.core.memoryUse();
    expect(m.quotaBytes).toBe(65536);
    expect(m.metadataBytes).toBe(0); // the region map's metadata is in the session's quota
    expect(m.byKind['rm-session-quota']).toBe(65536);
    expect(m.byKind['rm-session-metadata-peak']).toBe(8128);
  });

  it('needs one RM session per managed dataspace where the platform predates Genode 16.05', () => {
    const old = profileWith('fiasco-oc-x86_64', { capabilities: { rmSessionPerManagedDataspace: true } });
    const oldCore = createPlatform(old, 4).core;
    const session = oldCore.createRmSession();
    oldCore.createRegionMap(session, 2);
    expect(() => oldCore.createRegionMap(session, 2)).toThrow(/needs one RM session per managed dataspace/);
    expect(oldCore.regionMapsOf(session)).toBe(1);
    expect(() => oldCore.createRegionMap(oldCore.createRmSession(), 2)).not.toThrow();
    const core = createPlatform(x86, 4).core;
    const current = core.createRmSession();
    core.createRegionMap(current, 2);
    expect(() => core.createRegionMap(current, 2)).not.toThrow();
    expect(core.regionMapsOf(current)).toBe(2);
  });

  it('answers a fault with the largest aligned flexpage inside the region, up to maxMapOrder', () => {
    const pf = createPlatform(x86, 1024);
    // 4 KiB entries (issue 10: core's small-pages attribute), so pagesMapped counts the flexpage's pages
    pf.core.attach(pf.core.root, pf.core.allocRam(100, true), 0);
    pf.core.attach(pf.core.root, pf.core.allocRam(924, true), 100);
    pf.mmu.access(37, false);
    expect(pf.kernel.counters.pagesMapped).toBe(64); // [0, 64) is the largest aligned block around 37 inside [0, 100)
    pf.mmu.access(99, false);
    expect(pf.kernel.counters.pagesMapped).toBe(64 + 4); // [96, 100): [96, 104) would leave the region
    pf.mmu.access(600, false);
    expect(pf.kernel.counters.pagesMapped).toBe(68 + 512); // [512, 1024), capped at 2^9 pages
  });

  it('refuses overlapping attachments and a detach where no region starts', () => {
    const pf = createPlatform(x86, 8);
    pf.core.attach(pf.core.root, pf.core.allocRam(4), 0);
    expect(() => pf.core.attach(pf.core.root, pf.core.allocRam(4), 2)).toThrow('region conflict at page 2');
    expect(() => pf.core.detach(pf.core.root, 1)).toThrow('no region starts at page 1');
  });

  it('reuses a detached attachment slot for the next attach', () => {
    const pf = createPlatform(x86, 8);
    const first = pf.core.attach(pf.core.root, pf.core.allocRam(4), 0);
    const second = pf.core.attach(pf.core.root, pf.core.allocRam(4), 4);
    expect(second).not.toBe(first);
    expect(pf.core.attachmentAt(pf.core.root, 5)).toBe(second);
    pf.core.detach(pf.core.root, 0);
    expect(pf.core.attachmentAt(pf.core.root, 2)).toBeNull();
    const third = pf.core.attach(pf.core.root, pf.core.allocRam(2), 2);
    expect(third).toBe(first);
    expect(pf.core.attachmentAt(pf.core.root, 3)).toBe(third);
    expect(pf.core.attachmentAt(pf.core.root, 1)).toBeNull();
    expect(pf.core.attachmentAt(pf.core.root, 5)).toBe(second);
    expect(pf.core.memoryUse().byKind['attachment-metadata']).toBe(2 * x86.memory.attachmentMetadataBytes);
  });

  it('delivers the imprint of the signalled context to its receiver', () => {
    const pf = createPlatform(x86, 8);
    pf.clock.phase = Phase.setup;
    const imprints: number[] = [];
    const state = new RegionMapState();
    const receiver = pf.core.createSignalReceiver((imprint) => {
      imprints.push(imprint);
      const md = mds[imprint - 100]!;
      expect(pf.core.state(md, state)).toBe(state);
      expect(state).toEqual({ type: 'WRITE_FAULT', addr: 1 * PAGE_SIZE });
      pf.core.attach(md, pf.core.allocRam(4), 0);
    });
    const mds = [0, 1].map((i) => {
      const md = pf.core.createRegionMap(pf.core.createRmSession(), 4);
      pf.core.setFaultHandler(md, pf.core.createSignalContext(receiver, 100 + i));
      pf.core.attach(pf.core.root, md, 4 * i);
      return md;
    });
    pf.mmu.access(5, true);
    pf.mmu.access(1, true);
    expect(imprints).toEqual([101, 100]);
    expect(pf.core.pagerCounters.regionMapFaults).toBe(2);
    expect(pf.core.state(mds[0]!)).toEqual({ type: 'READY', addr: 0 });
  });

  it('grows its tables past any reservation and keeps every object apart', () => {
    const pf = createPlatform(x86, 300);
    pf.core.reserve({ regionMaps: 2, regionMapPages: 2, ramDataspaces: 1, attachments: 1 });
    const receiver = pf.core.createSignalReceiver(() => {
      throw new Error('no fault expected');
    });
    for (let p = 0; p < 300; p++) {
      const md = pf.core.createRegionMap(pf.core.createRmSession(), 1);
      pf.core.setFaultHandler(md, pf.core.createSignalContext(receiver, p));
      pf.core.attach(pf.core.root, md, p);
      const ds = pf.core.allocRam(1);
      expect(pf.core.pagesOf(ds)).toBe(1);
      pf.core.attach(md, ds, 0);
    }
    for (let p = 0; p < 300; p++) pf.mmu.access(p, true);
    expect(pf.core.pagerCounters.pagerMaps).toBe(300);
    expect(new Set(pf.space.frame).size).toBe(300); // every page its own frame
    // Each session holds its region map and its one region; B's regions and the dataspaces are outside.
    const m = pf.core.memoryUse();
    expect(m.byKind['rm-session-metadata-peak']).toBe(300 * (8128 + 128));
    expect(m.metadataBytes).toBe(300 * (128 + 256));
  });

  it('refuses to attach a managed dataspace twice or into itself', () => {
    const pf = createPlatform(x86, 8);
    const session = pf.core.createRmSession();
    const outer = pf.core.createRegionMap(session, 4);
    const inner = pf.core.createRegionMap(session, 2);
    pf.core.attach(outer, inner, 0);
    expect(() => pf.core.attach(pf.core.root, inner, 4)).toThrow('already attached');
    expect(() => pf.core.attach(inner, outer, 0)).toThrow('would contain itself');
    expect(() => pf.core.attach(outer, outer, 2)).toThrow('would contain itself');
    pf.core.detach(outer, 0);
    expect(() => pf.core.attach(pf.core.root, inner, 4)).not.toThrow();
  });
});

describe("a region map's page → attachment lookup", () => {
  it('answers like a flat per-page table through any attach and detach sequence, chunk boundaries included', () => {
    // Two region maps of up to 300 pages each span several 64-page chunks and a partial last one; one of at
    // most 64 keeps its lookup entry in its own record (region-lookup.ts), beside the other's.
    const op = fc.record({
      map: fc.nat(1),
      at: fc.nat(299),
      pages: fc.integer({ min: 1, max: 140 }),
      detach: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.array(op, { maxLength: 60, size: 'max' }),
        (size0, size1, ops) => {
          const pf = createPlatform(x86, 1);
          const session = pf.core.createRmSession();
          const maps = [size0, size1].map((size) => ({
            size,
            rm: pf.core.createRegionMap(session, size),
            flat: new Array<number | null>(size).fill(null),
            starts: [] as number[],
          }));
          for (const o of ops) {
            const { size, rm, flat, starts } = maps[o.map]!;
            if (o.detach && starts.length > 0) {
              const at = starts.splice(o.at % starts.length, 1)[0]!;
              const a = flat[at]!;
              pf.core.detach(rm, at);
              for (let p = 0; p < size; p++) if (flat[p] === a) flat[p] = null;
              continue;
            }
            const at = o.at % size;
            const n = Math.min(o.pages, size - at);
            const occupied = flat.slice(at, at + n).findIndex((x) => x !== null);
            const ds = pf.core.allocRam(n);
            if (occupied >= 0) {
              expect(() => pf.core.attach(rm, ds, at)).toThrow(
                `attach: region conflict at page ${at + occupied} of region map`,
              );
              continue;
            }
            const a = pf.core.attach(rm, ds, at);
            flat.fill(a, at, at + n);
            starts.push(at);
          }
          for (const { size, rm, flat } of maps) {
            const seen = Array.from({ length: size }, (_, p) => pf.core.attachmentAt(rm, p));
            expect(seen).toEqual(flat);
          }
        },
      ),
      { numRuns: 300, seed: 20261126 },
    );
  });
});
