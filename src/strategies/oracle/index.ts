/**
 * `oracle`: perfect, free tracking. It reads the platform's ground truth, so
 * it is not implementable; it is the lower bound every real strategy is
 * measured against (no faults, precision 1, the smallest possible copy).
 */
import { pauseResumeCycles } from '../../platform/index.ts';
import { attachPlainRam } from '../common.ts';
import { defineStrategy } from '../types.ts';

export const oracle = defineStrategy({
  name: 'oracle',
  doc: 'perfect zero-cost tracking from ground truth (lower bound, not implementable)',
  params: {},
  requires: () => [],
  groundTruth: true,
  create(ctx) {
    return {
      setupMemory: () => attachPlainRam(ctx),
      arm: () => {},
      collect: (out) => ctx.groundTruth.collectWritten(out),
      rearm: () => {},
    };
  },
  // No fault stalls; the pause: stop B, copy every page B touched (at most), resume B.
  bounds(profile, _pages, _params, touched) {
    const pause = pauseResumeCycles(profile) + touched * profile.checkpointer.copyPage;
    return {
      maxFaultStallCycles: 0,
      maxPauseCycles: pause,
      maxRingFullStallCycles: 0,
      maxCopiedPages: touched,
      faultsPerPage: 0,
      ringEntries: 0,
    };
  },
});
