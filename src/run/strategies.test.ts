/**
 * Exact behaviour of every strategy on small, hand-countable workloads on
 * fiasco-oc-x86_64: fault counts, copied pages, memory, precision, and whole
 * runtimes summed from the profile's figures.
 */
import { describe, expect, it } from 'vitest';
import { loadProfile, pauseResumeCycles, rpcCycles } from '../platform/index.ts';
import { profileWith } from '../platform/testing.ts';
import { strategies } from '../strategies/index.ts';
import { runExperiment } from './runner.ts';
import { literalConfig, literalWorkload, sequentialWrites } from './testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;
const seq = sequentialWrites(P);

const run = (strategy: string, params: Record<string, unknown> = {}, workload = seq, profile = x86) =>
  runExperiment(literalConfig(profile, strategy, params), { workload });

describe('a sequential pass writing each page once, one checkpoint at the end', () => {
  it.each([
    ['fault-notify', {}, P],
    ['kernel-log', {}, P],
    ['per-page-rm', {}, P],
    ['managed-dataspace', { granularity: 1 }, P],
    ['managed-dataspace', { granularity: 4 }, P / 4],
    ['managed-dataspace', { granularity: 16 }, P / 16],
    ['managed-dataspace', { granularity: 3 }, Math.ceil(P / 3) + 0],
    ['dirty-bit-scan', {}, 0],
    ['oracle', {}, 0],
    ['full-copy', {}, 0],
  ] as const)('%s %j takes exactly %i tracking faults and copies every page once', (name, params, faults) => {
    const r = run(name, params);
    expect(r.ok, r.failures.join('; ')).toBe(true);
    if (name === 'managed-dataspace' && params.granularity === 3) {
      // A 3-page designated dataspace is mapped by core in aligned flexpages
      // (Fault_area): the handler's fault maps part of it, the rest fault in core.
      expect(r.metrics.counters.regionMapFaults).toBe(faults);
      expect(r.metrics.faults).toBeGreaterThan(faults);
    } else {
      expect(r.metrics.faults).toBe(faults);
    }
    expect(r.checkpoints).toBe(1);
    expect(r.metrics.checkpointPages.mean).toBe(P);
    expect(r.metrics.verification).toEqual({ missedPages: 0, restoreOk: true, boundsOk: true });
  });

  it('full-copy copies all pages whatever was written', () => {
    const r = run('full-copy', {}, literalWorkload(P, [3, 7], [true, false]));
    expect(r.metrics.checkpointPages).toEqual({ mean: P, max: P, falsePositiveMean: P - 1 });
    expect(r.metrics.precision).toBe(1 / P);
  });

  it('per-page-rm costs 64 KiB of RM-session quota and a region map per page', () => {
    const r = run('per-page-rm');
    expect(r.metrics.memory.quotaBytes).toBe(P * 65536);
    expect(r.metrics.memory.byKind['region-map-metadata']).toBe(P * 8128);
  });

  it('managed-dataspace needs one RM session in Genode 16.05 and one per managed dataspace before it', () => {
    expect(run('managed-dataspace', { managedPages: 64 }).metrics.memory.quotaBytes).toBe(65536);
    const old = profileWith('fiasco-oc-x86_64', { capabilities: { rmSessionPerManagedDataspace: true } });
    expect(run('managed-dataspace', { managedPages: 64 }, seq, old).metrics.memory.quotaBytes).toBe(
      4 * 65536,
    );
  });

  it('oracle has precision 1 and no stall but the checkpoint pause', () => {
    const r = run('oracle', {}, literalWorkload(P, [1, 2, 2, 9], [true, false, true, false]));
    expect(r.metrics.precision).toBe(1);
    expect(r.metrics.checkpointPages.mean).toBe(2);
    expect(r.metrics.stalls.count).toBe(1);
    expect(r.metrics.stalls.maxCycles).toBe(r.metrics.pause.maxCycles);
    expect(r.metrics.pause.maxCycles).toBe(pauseResumeCycles(x86) + 2 * x86.checkpointer.copyPage);
  });

  it('managed-dataspace precision falls as granularity grows on sparse writes', () => {
    const every8th = Array.from({ length: P / 8 }, (_, i) => i * 8);
    const w = literalWorkload(
      P,
      every8th,
      every8th.map(() => true),
    );
    const precision = [1, 4, 16].map(
      (g) => run('managed-dataspace', { granularity: g }, w).metrics.precision,
    );
    expect(precision).toEqual([1, 0.25, 0.125]);
  });

  it('counts a read as a write for managed-dataspace unless it attaches read-only first', () => {
    const reads = literalWorkload(P, [5, 6, 6], [false, false, true]);
    expect(run('managed-dataspace', {}, reads).metrics.checkpointPages.mean).toBe(2);
    const modern = profileWith('fiasco-oc-x86_64', { capabilities: { readOnlyAttach: true } });
    const r = run('managed-dataspace', { readOnlyFirst: true }, reads, modern);
    expect(r.metrics.checkpointPages.mean).toBe(1);
    expect(r.metrics.precision).toBe(1);
    expect(r.metrics.faults).toBe(3); // read 5, read 6, write 6 (upgrade)
  });
});

describe('exact runtimes summed from the profile', () => {
  const k = x86.kernel;
  const m = x86.mmu;
  const compute = P * 100;

  it('baseline: the sequential pass hits the TLB the setup filled', () => {
    expect(run('oracle').metrics.baselineCycles).toBe(compute);
  });

  it('kernel-log: one walk and one in-kernel fault per page, then one checkpoint', () => {
    const r = run('kernel-log');
    const faults = P * (m.pageWalk + k.pageFaultTrap + k.logAppend + m.pageWalk);
    const pause =
      pauseResumeCycles(x86) +
      k.syscall +
      P * k.logScanPerPage +
      P * x86.checkpointer.copyPage +
      (k.syscall + P * k.unmapPerPage + m.tlbFlushAll); // re-protect the 256-page run: one flexpage
    expect(r.metrics.stalls.maxCycles).toBe(pause);
    expect(r.metrics.runtimeCycles).toBe(compute + faults + pause);
    expect(r.metrics.breakdownCycles).toEqual({
      compute,
      'tlb.miss': 2 * P * m.pageWalk,
      'fault.kernel': P * (k.pageFaultTrap + k.logAppend),
      'checkpoint.pause': pauseResumeCycles(x86),
      'checkpoint.collect': k.syscall + P * k.logScanPerPage,
      'checkpoint.copy': P * x86.checkpointer.copyPage,
      'checkpoint.rearm': k.syscall + P * k.unmapPerPage + m.tlbFlushAll,
    });
  });

  it('fault-notify: every first write costs trap, two IPCs, the tracker, the re-enable and the retried walk', () => {
    const r = run('fault-notify');
    const perFault =
      k.pageFaultTrap + 2 * k.ipcOneWay + x86.checkpointer.handlerWork + k.mapPerPage + m.pageWalk;
    expect(r.metrics.stalls.p50Cycles).toBe(perFault);
    expect(r.metrics.breakdownCycles['fault.ipc']).toBe(P * 2 * k.ipcOneWay);
    expect(r.metrics.breakdownCycles['fault.handler']).toBe(P * x86.checkpointer.handlerWork);
  });

  it('dirty-bit-scan: no faults; a walk per page after the arming flush, and one scan at the checkpoint', () => {
    const r = run('dirty-bit-scan');
    const scan = rpcCycles(x86, 0) + k.syscall + P * k.unmapPerPage + m.tlbFlushAll;
    const pause = pauseResumeCycles(x86) + scan + P * x86.checkpointer.copyPage;
    expect(r.metrics.faults).toBe(0);
    expect(r.metrics.runtimeCycles).toBe(compute + P * m.pageWalk + pause);
    expect(r.metrics.counters.dirtyAssists).toBe(0); // every entry was refilled by a write walk, which sets D
  });

  it('managed-dataspace: a region-map fault per page with its signal, state(), attach and retry', () => {
    const r = run('managed-dataspace');
    const c = x86.core;
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

  it("managed-dataspace's linear lookup calls state() on every managed dataspace before the faulting one", () => {
    const linear = run('managed-dataspace', { managedPages: 16, lookup: 'linear' });
    const indexed = run('managed-dataspace', { managedPages: 16, lookup: 'indexed' });
    // 16 managed dataspaces of 16 pages; a fault in the i-th costs i + 1 state() calls
    expect(linear.metrics.counters.stateCalls).toBe((16 * (16 * 17)) / 2);
    expect(indexed.metrics.counters.stateCalls).toBe(P);
    const stateRpc = rpcCycles(x86, x86.core.stateWork);
    expect(linear.metrics.runtimeCycles - indexed.metrics.runtimeCycles).toBe(
      (linear.metrics.counters.stateCalls - P) * stateRpc,
    );
  });
});

describe('capabilities', () => {
  it('refuses dirty-bit-scan on ARMv7, naming capability and profile', () => {
    expect(() => run('dirty-bit-scan', {}, seq, loadProfile('fiasco-oc-armv7'))).toThrow(
      "strategy 'dirty-bit-scan' needs capability 'hardwareDirtyBits', which profile fiasco-oc-armv7 lacks",
    );
  });

  it('refuses the Genode strategies on Linux and read-only-first attach before Genode 2018', () => {
    expect(() => run('per-page-rm', {}, seq, loadProfile('linux-x86_64'))).toThrow(/managedDataspaces/);
    expect(() => run('managed-dataspace', { readOnlyFirst: true })).toThrow(/readOnlyAttach/);
  });

  it('registers every strategy of design §3', () => {
    expect(strategies.map((s) => s.name).sort()).toEqual(
      [
        'dirty-bit-scan',
        'fault-notify',
        'full-copy',
        'kernel-log',
        'managed-dataspace',
        'oracle',
        'per-page-rm',
      ].sort(),
    );
  });
});

describe('the Linux profile reproduces the published figures it was built from', () => {
  const linux = loadProfile('linux-x86_64');
  const us = (cycles: number) => (cycles * 1e6) / linux.cpu.hz;

  it('fault-notify costs a userfaultfd-wp fault with a handler thread: 4.74 µs (Peter Xu 2020), within 1 %', () => {
    const r = run('fault-notify', {}, seq, linux);
    expect(r.metrics.faults).toBe(P);
    expect(Math.abs(us(r.metrics.stalls.p50Cycles) - 4.74) / 4.74).toBeLessThan(0.01);
  });

  it('kernel-log reads and resets the log of 8192 pages at PAGEMAP_SCAN speed: 285-310 µs (Wine MR 7871)', () => {
    const r = run('kernel-log', {}, sequentialWrites(8192), linux);
    const collect = us(r.metrics.breakdownCycles['checkpoint.collect']!);
    expect(collect).toBeGreaterThanOrEqual(285);
    expect(collect).toBeLessThanOrEqual(310);
  });
});
