/** `full-copy` on fiasco-oc-x86_64: no tracking, every page copied at every checkpoint. */
import { describe, expect, it } from 'vitest';
import { loadProfile, pauseResumeCycles } from '../../platform/index.ts';
import { literalWorkload, runStrategy, sequentialPass } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('full-copy', () => {
  it('takes no tracking fault on a sequential pass and copies every page once', () => {
    expect(sequentialPass(x86, 'full-copy').metrics.faults).toBe(0);
  });

  it('copies all pages whatever was written', () => {
    const r = runStrategy(x86, 'full-copy', {}, literalWorkload(P, [3, 7], [true, false]));
    // One checkpoint, the final one: no regular checkpoint to take a mean over.
    expect(r.metrics.checkpointPages).toEqual({ mean: null, max: P, falsePositiveMean: null });
    expect(r.metrics.finalCheckpoint).toEqual({
      pages: P,
      falsePositives: P - 1,
      pauseCycles: pauseResumeCycles(x86) + P * x86.checkpointer.copyPage,
    });
    expect(r.metrics.precision).toBe(1 / P);
  });
});
