/** `oracle` on fiasco-oc-x86_64: free, perfect tracking from the ground truth. */
import { describe, expect, it } from 'vitest';
import { loadProfile, pauseResumeCycles } from '../../platform/index.ts';
import { literalWorkload, runStrategy, sequentialPass } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('oracle', () => {
  it('takes no tracking fault on a sequential pass and copies every page once', () => {
    expect(sequentialPass(x86, 'oracle').metrics.faults).toBe(0);
  });

  it('runs B in superpages where the region allows: one TLB entry per 2 MiB, where a tracker maps 4 KiB pages', () => {
    // read 1024 pages twice, checkpoint at the end
    const twice = Array.from({ length: 2048 }, (_, i) => i % 1024);
    const w = literalWorkload(
      1024,
      twice,
      twice.map(() => false),
    );
    // The setup's last fault IPC left B's TLB holding the second superpage only: one refill, for the first.
    expect(runStrategy(x86, 'oracle', {}, w).metrics.counters.tlbMisses).toBe(1);
    expect(runStrategy(x86, 'full-copy', {}, w).metrics.counters.tlbMisses).toBe(1);
    // kernel-log write-protects per 4 KiB page, so core maps 4 KiB pages: a walk per page after arming
    expect(runStrategy(x86, 'kernel-log', {}, w).metrics.counters.tlbMisses).toBe(1024);
  });

  it('has precision 1 and no stall but the checkpoint pause', () => {
    const r = runStrategy(x86, 'oracle', {}, literalWorkload(P, [1, 2, 2, 9], [true, false, true, false]));
    expect(r.metrics.precision).toBe(1);
    expect(r.metrics.finalCheckpoint.pages).toBe(2);
    expect(r.metrics.stalls.count).toBe(1);
    expect(r.metrics.stalls.maxCycles).toBe(r.metrics.pause.maxCycles);
    expect(r.metrics.pause.maxCycles).toBe(pauseResumeCycles(x86) + 2 * x86.checkpointer.copyPage);
  });
});
