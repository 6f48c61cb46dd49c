/** `managed-dataspace` on small, hand-countable workloads: exact counts, cycles and memory from the profile. */
import { describe, expect, it } from 'vitest';
import { loadProfile, rpcCycles } from '../../platform/index.ts';
import { profileWith } from '../../platform/testing.ts';
import { literalWorkload, runStrategy, sequentialPass, sequentialWrites } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;
const run = (params: Record<string, unknown>, workload = sequentialWrites(P), profile = x86) =>
  runStrategy(profile, 'managed-dataspace', params, workload);

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

  it('costs per page a region-map fault with its signal, state(), attach and retry', () => {
    const k = x86.kernel;
    const m = x86.mmu;
    const c = x86.core;
    const r = sequentialPass(x86, 'managed-dataspace');
    const perFault =
      k.pageFaultTrap +
      k.ipcOneWay +
      2 * c.regionLookup +
      k.irqTrigger +
      rpcCycles(x86, c.signalWork) +
      rpcCycles(x86, c.stateWork) +
      x86.checkpointer.handlerWork +
      rpcCycles(x86, c.attachWork) +
      k.ipcOneWay +
      (m.pageWalk +
        k.pageFaultTrap +
        k.ipcOneWay +
        2 * c.regionLookup +
        k.ipcOneWay +
        k.mapPerPage +
        m.pageWalk);
    expect(r.metrics.stalls.p50Cycles).toBe(perFault);
    expect(r.metrics.counters.stateCalls).toBe(P);
    expect(r.metrics.counters.attaches).toBe(P);
    expect(r.metrics.counters.detaches).toBe(P); // the re-arm at the checkpoint
    expect(r.metrics.counters.unmapCalls).toBe(P);
  });

  it('calls state() on every managed dataspace before the faulting one with the linear lookup', () => {
    const linear = run({ managedPages: 16, lookup: 'linear' });
    const indexed = run({ managedPages: 16, lookup: 'indexed' });
    // 16 managed dataspaces of 16 pages; a fault in the i-th costs i + 1 state() calls
    expect(linear.metrics.counters.stateCalls).toBe((16 * (16 * 17)) / 2);
    expect(indexed.metrics.counters.stateCalls).toBe(P);
    const stateRpc = rpcCycles(x86, x86.core.stateWork);
    expect(linear.metrics.runtimeCycles - indexed.metrics.runtimeCycles).toBe(
      (linear.metrics.counters.stateCalls - P) * stateRpc,
    );
  });
});

describe('managed-dataspace', () => {
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
