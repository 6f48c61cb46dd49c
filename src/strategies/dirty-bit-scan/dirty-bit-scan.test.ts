/** `dirty-bit-scan` on small, hand-countable workloads: exact counts and cycles from the profile. */
import { describe, expect, it } from 'vitest';
import { loadProfile, pauseResumeCycles, rpcCycles } from '../../platform/index.ts';
import { runStrategy, sequentialPass, sequentialWrites } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('dirty-bit-scan', () => {
  it('takes no fault; a walk per page after the arming flush, and one scan at the checkpoint', () => {
    const k = x86.kernel;
    const m = x86.mmu;
    const r = sequentialPass(x86, 'dirty-bit-scan');
    const scan = rpcCycles(x86, 0) + k.syscall + P * k.unmapPerPage + m.tlbFlushAll;
    const pause = pauseResumeCycles(x86) + scan + P * x86.checkpointer.copyPage;
    expect(r.metrics.faults).toBe(0);
    expect(r.metrics.runtimeCycles).toBe(P * 100 + P * m.pageWalk + pause);
    expect(r.metrics.counters.dirtyAssists).toBe(0); // every entry was refilled by a write walk, which sets D
  });

  it('is refused on ARMv7, naming capability and profile', () => {
    expect(() =>
      runStrategy(loadProfile('fiasco-oc-armv7'), 'dirty-bit-scan', {}, sequentialWrites(P)),
    ).toThrow(
      "strategy 'dirty-bit-scan' needs capability 'hardwareDirtyBits', which profile fiasco-oc-armv7 lacks",
    );
  });
});
