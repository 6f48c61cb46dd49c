/** `managed-dataspace` on small, hand-countable workloads: exact counts, cycles and memory from the profile. */
import { describe, expect, it, vi } from 'vitest';
import { resolveParams } from '../../params/params.ts';
import {
  Actor,
  cacheMaintenanceCycles,
  createPlatform,
  invalidationCycles,
  loadProfile,
  MANAGED_FAULT_PATH,
  managedFaultPathCounts,
  Phase,
  rpcCycles,
} from '../../platform/index.ts';
import { profileWith } from '../../platform/testing.ts';
import { runExperiment } from '../../run/runner.ts';
import {
  literalConfig,
  literalWorkload,
  runStrategy,
  sequentialPass,
  sequentialWrites,
} from '../../run/testing.ts';
import { faultWithoutWalk } from '../testing.ts';
import type { CopyVia } from '../types.ts';
import { managedDataspace } from './index.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const k = x86.kernel;
const c = x86.core;
const a = x86.checkpointer;
const P = 256;
const run = (params: Record<string, unknown>, workload = sequentialWrites(P), profile = x86) =>
  runStrategy(profile, 'managed-dataspace', params, workload);
const runVia = (
  copyVia: CopyVia,
  params: Record<string, unknown>,
  workload: ReturnType<typeof literalWorkload>,
) => runExperiment({ ...literalConfig(x86, 'managed-dataspace', params), copyVia }, { workload });

describe('managed-dataspace on a sequential pass', () => {
  it.each([
    [1, P],
    [4, P / 4],
    [16, P / 16],
  ])(
    'takes one tracking fault per designated dataspace of %i pages (%i) and copies every page once',
    (g, faults) => {
      expect(sequentialPass(x86, 'managed-dataspace', { granularity: g }).metrics.faults).toBe(faults);
    },
  );

  it('maps a 3-page designated dataspace in aligned flexpages: the handler faults once per dataspace, core the rest', () => {
    // Core maps the largest aligned flexpage that fits (Fault_area): the
    // handler's fault maps part of a 3-page dataspace, the rest fault in core.
    const r = sequentialPass(x86, 'managed-dataspace', { granularity: 3 });
    expect(r.metrics.counters.regionMapFaults).toBe(Math.ceil(P / 3));
    expect(r.metrics.faults).toBeGreaterThan(Math.ceil(P / 3));
  });

  it("costs per page a region-map fault with its signal, rtcr's two state() calls and find_by_addr walk, attach and retry", () => {
    const r = sequentialPass(x86, 'managed-dataspace');
    // One managed dataspace, one signal context; the fault on designated dataspace p walks P - p list elements.
    const base = faultWithoutWalk(x86, 2, 1);
    expect(r.metrics.stallHistogram.fault).toEqual(
      Array.from({ length: P }, (_, j) => [base + (j + 1) * a.listNodeVisit, 1]),
    );
    expect(r.metrics.counters.stateCalls).toBe(2 * P);
    expect(r.metrics.counters.attaches).toBe(P);
    expect(r.metrics.counters.detaches).toBe(P); // the re-arm at the checkpoint
    // A's detach of each designated dataspace it copied unmaps B's page, then the re-arm's detach again;
    // A's detach of the copy of B's allocation (P pages) each time unmaps P pages B never shows.
    expect(r.metrics.counters.unmapCalls).toBe(2 * P);
    expect(r.metrics.counters.copyUnmapCalls).toBe(P * P);
  });

  it("walks rtcr's lists: state() on every managed dataspace newer than the faulting one, once more on it, find_by_addr to the address", () => {
    const linear = run({ managedPages: 16, lookup: 'linear' });
    const indexed = run({ managedPages: 16, lookup: 'indexed' });
    // 16 managed dataspaces of 16 pages, newest first: a fault in the i-th costs 16 - i state() calls, and one more.
    expect(linear.metrics.counters.stateCalls).toBe((16 * (16 * 17)) / 2 + P);
    expect(indexed.metrics.counters.stateCalls).toBe(P);
    const walked = 16 * ((16 * 17) / 2); // the managed dataspaces asked, and as many designated ones passed
    const checkpointWalks = 2 * (16 + P) * a.listNodeVisit - P * a.bitmapScanPerPage; // collect and re-arm
    expect(linear.metrics.runtimeCycles - indexed.metrics.runtimeCycles).toBe(
      (linear.metrics.counters.stateCalls - P - P) * rpcCycles(x86, c.stateWork) +
        P * rpcCycles(x86, c.stateWork) + // the second state() of each fault
        2 * walked * a.listNodeVisit +
        checkpointWalks,
    );
  });

  it("counts one fault's IPCs, RPCs, IRQ triggers and thread switches as the sources do (core/fault-path.ts)", () => {
    // A chain of hand-overs from B back to B.
    const path = MANAGED_FAULT_PATH;
    expect(path[0]!.from).toBe('B');
    expect(path[path.length - 1]!.to).toBe('B');
    for (let i = 1; i < path.length; i++) expect(path[i]!.from).toBe(path[i - 1]!.to);
    expect(managedFaultPathCounts(1)).toEqual({ ipcs: 16, irqs: 2, rpcs: 5, switches: 18 });

    // An IRQ trigger of its own price, to count them among the IPC charges.
    const profile = profileWith('fiasco-oc-x86_64', { kernel: { irqTrigger: 1401 } });
    const pages = 64;
    // Four managed dataspaces of 16 pages: a fault in the i-th asks 4 - i of them for state().
    for (const [page, v] of [
      [60, 1],
      [5, 4],
    ] as const) {
      const pf = createPlatform(profile, pages);
      const params = resolveParams('managed-dataspace', managedDataspace.params, { managedPages: 16 });
      const tracker = managedDataspace.create(pf, params);
      pf.clock.phase = Phase.setup;
      tracker.setupMemory();
      tracker.arm();
      pf.clock.phase = Phase.run;
      const ipc = vi.spyOn(pf.kernel, 'ipc');
      // An RPC to Genode core (rpcCore) or to another server (rpc).
      const rpc = vi.spyOn(pf.kernel, 'rpc');
      const rpcCore = vi.spyOn(pf.kernel, 'rpcCore');
      const charge = vi.spyOn(pf.clock, 'charge');
      pf.mmu.access(page, true);
      const irqs = charge.mock.calls.filter(
        ([actor, cycles]) => actor === Actor.ipc && cycles === 1401,
      ).length;
      const rpcs = rpc.mock.calls.length + rpcCore.mock.calls.length;
      const ipcs = ipc.mock.calls.length + 2 * rpcs;
      expect({ ipcs, irqs, rpcs, switches: ipcs + irqs }).toEqual(managedFaultPathCounts(v));
    }
  });

  it('takes a fault stall that grows with the designated dataspaces under the rtcr lookup, and stays flat indexed', () => {
    const fault = (pages: number, lookup: string) => {
      const r = runStrategy(x86, 'managed-dataspace', { lookup }, literalWorkload(pages, [0], [true]));
      return r.metrics.stallHistogram.fault;
    };
    // Designated dataspace 0 is the last of find_by_addr's list: every element is passed.
    expect(fault(256, 'linear')).toEqual([[faultWithoutWalk(x86, 2, 1) + 256 * a.listNodeVisit, 1]]);
    expect(fault(1024, 'linear')).toEqual([[faultWithoutWalk(x86, 2, 1) + 1024 * a.listNodeVisit, 1]]);
    const indexed = faultWithoutWalk(x86, 1, 1);
    expect(fault(256, 'indexed')).toEqual([[indexed, 1]]);
    expect(fault(1024, 'indexed')).toEqual([[indexed, 1]]);
  });

  it('pauses longer copying through attach (rtcr) than with B kept mapped in A, by the attachments, their faults and unmaps', () => {
    const pages = 64;
    const w = () => literalWorkload(pages, [5], [true]);
    const attach = runVia('attach', {}, w());
    const mapped = runVia('mapped', {}, w());
    expect(attach.ok && mapped.ok).toBe(true);
    const faultA = (n: number) => k.pageFaultTrap + 2 * k.ipcOneWay + c.regionLookup + n * k.mapPerPage;
    const rpcDetach = rpcCycles(x86, c.detachWork);
    // B's page 5, mapped and cached (issue 10: Fiasco.OC invalidates no page by page, so no
    // invlpg; l4_cache_dma_coherent is an empty inline on amd64, cacheMaintenanceCycles 0)
    const bUnmap = k.syscall + k.unmapPerPage + invalidationCycles(x86, 1);
    const cache = (n: number) => cacheMaintenanceCycles(x86, n);
    const common =
      2 * rpcCycles(x86, c.threadControl) + // stop and resume B
      2 * (1 + pages) * a.listNodeVisit + // rtcr's walks at collect and re-arm
      a.copyPage +
      rpcDetach +
      cache(1); // the re-arm's detach of designated dataspace 5
    const viaAttach =
      2 * rpcCycles(x86, c.attachWork) + // the designated dataspace and the copy into A
      faultA(1) + // A reads the one-page designated dataspace
      faultA(pages) + // A writes the copy: one flexpage of all 64 pages
      (rpcDetach + pages * k.syscall + pages * k.unmapPerPage + cache(pages)) + // detach the copy
      (rpcDetach + bUnmap + k.unmapPerPage + cache(1)) + // detach the original: from B and from A
      k.syscall; // the re-arm's unmap finds B's page gone
    // A kept the page mapped, but the arm's detach revoked A's mapping too: A faults once.
    const viaMapped = faultA(1) + bUnmap + k.unmapPerPage;
    expect(attach.metrics.pause.maxCycles).toBe(common + viaAttach);
    expect(mapped.metrics.pause.maxCycles).toBe(common + viaMapped);
    expect(attach.metrics.counters.copyAttaches).toBe(2);
    expect(attach.metrics.counters.copyUnmapCalls).toBe(pages);
    expect(mapped.metrics.counters.copyFaults).toBe(1);
  });
});

describe('managed-dataspace', () => {
  it("upgrades its RM session in rtcr's 256 KiB steps when 16 Ki designated dataspaces outgrow 64 KiB, and reports the final quota", () => {
    const pages = 16384;
    const r = runStrategy(x86, 'managed-dataspace', {}, literalWorkload(pages, [1], [true]));
    const mem = x86.memory;
    // The session holds the region map and, at setup, every designated dataspace's region.
    const peak = mem.regionMapMetadataBytes + pages * mem.attachmentMetadataBytes;
    const upgrades = Math.ceil((peak - mem.rmSessionQuotaBytes) / mem.rmSessionUpgradeBytes);
    expect(upgrades).toBe(8); // (8128 + 16384 · 128 − 65536) / 262144 = 7.78
    expect(r.metrics.memory.quotaBytes).toBe(mem.rmSessionQuotaBytes + upgrades * mem.rmSessionUpgradeBytes);
    expect(r.metrics.memory.byKind['rm-session-quota-upgrades']).toBe(upgrades * mem.rmSessionUpgradeBytes);
    expect(r.metrics.memory.byKind['rm-session-metadata-peak']).toBe(peak);
    // Inside the quota, so not metadata again: B's one region, the dataspaces, rtcr's bitmap.
    expect(r.metrics.memory.metadataBytes).toBe(
      mem.attachmentMetadataBytes + pages * mem.dataspaceMetadataBytes + pages / 8,
    );
  });

  it('needs one RM session in Genode 16.05 and one per managed dataspace before it', () => {
    expect(run({ managedPages: 64 }).metrics.memory.quotaBytes).toBe(65536);
    const old = profileWith('fiasco-oc-x86_64', { capabilities: { rmSessionPerManagedDataspace: true } });
    expect(run({ managedPages: 64 }, sequentialWrites(P), old).metrics.memory.quotaBytes).toBe(4 * 65536);
  });

  it('loses precision as granularity grows on sparse writes', () => {
    const every8th = Array.from({ length: P / 8 }, (_, i) => i * 8);
    const w = literalWorkload(
      P,
      every8th,
      every8th.map(() => true),
    );
    const precision = [1, 4, 16].map((g) => run({ granularity: g }, w).metrics.precision);
    expect(precision).toEqual([1, 0.25, 0.125]);
  });

  it('counts a read as a write unless it attaches read-only first', () => {
    const reads = literalWorkload(P, [5, 6, 6], [false, false, true]);
    expect(run({}, reads).metrics.finalCheckpoint.pages).toBe(2);
    const modern = profileWith('fiasco-oc-x86_64', { capabilities: { readOnlyAttach: true } });
    const r = run({ readOnlyFirst: true }, reads, modern);
    expect(r.metrics.finalCheckpoint.pages).toBe(1);
    expect(r.metrics.precision).toBe(1);
    expect(r.metrics.faults).toBe(3); // read 5, read 6, write 6 (upgrade)
  });

  it('is refused on Linux, and read-only-first attach before Genode 2018', () => {
    expect(() => run({}, sequentialWrites(P), loadProfile('linux-x86_64'))).toThrow(/managedDataspaces/);
    expect(() => run({ readOnlyFirst: true })).toThrow(/readOnlyAttach/);
  });
});
