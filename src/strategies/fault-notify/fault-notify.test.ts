/** `fault-notify` on small, hand-countable workloads: exact counts and cycles from the profile. */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../platform/index.ts';
import { sequentialPass } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('fault-notify', () => {
  it('takes one tracking fault per page on a sequential pass and copies every page once', () => {
    expect(sequentialPass(x86, 'fault-notify').metrics.faults).toBe(P);
  });

  it('costs per first write: trap, two IPCs, the tracker, the re-enable and the retried walk', () => {
    const k = x86.kernel;
    const r = sequentialPass(x86, 'fault-notify');
    const perFault =
      k.pageFaultTrap + 2 * k.ipcOneWay + x86.checkpointer.handlerWork + k.mapPerPage + x86.mmu.pageWalk;
    expect(r.metrics.stalls.p50Cycles).toBe(perFault);
    expect(r.metrics.breakdownCycles['fault.ipc']).toBe(P * 2 * k.ipcOneWay);
    expect(r.metrics.breakdownCycles['fault.handler']).toBe(P * x86.checkpointer.handlerWork);
  });

  it('costs a userfaultfd-wp fault with a handler thread on Linux: 4.74 µs (Peter Xu 2020), within 1 %', () => {
    const linux = loadProfile('linux-x86_64');
    const r = sequentialPass(linux, 'fault-notify');
    expect(r.metrics.faults).toBe(P);
    const us = (r.metrics.stalls.p50Cycles * 1e6) / linux.cpu.hz;
    expect(Math.abs(us - 4.74) / 4.74).toBeLessThan(0.01);
  });
});
