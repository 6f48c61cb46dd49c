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

  it('has precision 1 and no stall but the checkpoint pause', () => {
    const r = runStrategy(x86, 'oracle', {}, literalWorkload(P, [1, 2, 2, 9], [true, false, true, false]));
    expect(r.metrics.precision).toBe(1);
    expect(r.metrics.finalCheckpoint.pages).toBe(2);
    expect(r.metrics.stalls.count).toBe(1);
    expect(r.metrics.stalls.maxCycles).toBe(r.metrics.pause.maxCycles);
    expect(r.metrics.pause.maxCycles).toBe(pauseResumeCycles(x86) + 2 * x86.checkpointer.copyPage);
  });
});
