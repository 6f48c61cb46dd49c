/** `full-copy` on fiasco-oc-x86_64: no tracking, every page copied at every checkpoint. */
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../platform/index.ts';
import { literalWorkload, runStrategy, sequentialPass } from '../../run/testing.ts';

const x86 = loadProfile('fiasco-oc-x86_64');
const P = 256;

describe('full-copy', () => {
  it('takes no tracking fault on a sequential pass and copies every page once', () => {
    expect(sequentialPass(x86, 'full-copy').metrics.faults).toBe(0);
  });

  it('copies all pages whatever was written', () => {
    const r = runStrategy(x86, 'full-copy', {}, literalWorkload(P, [3, 7], [true, false]));
    expect(r.metrics.checkpointPages).toEqual({ mean: P, max: P, falsePositiveMean: P - 1 });
    expect(r.metrics.precision).toBe(1 / P);
  });
});
