/**
 * `full-copy`: no tracking at all; every checkpoint copies all of B's memory.
 * The baseline every incremental strategy must beat, and the template a new
 * strategy author copies: one folder, one plain object, one registry line.
 */
import { pauseResumeCycles } from '../../platform/index.ts';
import { attachPlainRam } from '../common.ts';
import { defineStrategy } from '../types.ts';

export const fullCopy = defineStrategy({
  name: 'full-copy',
  doc: 'no tracking: copy every page at every checkpoint',
  // Parameters: name → { type, default, doc, min/max }. This one has none.
  params: {},
  // Capabilities the platform must offer (see PROFILE_SCHEMA.capabilities).
  requires: () => [],
  // Optional: `groundTruth: true` hands `create` the memory oracle as
  // `ctx.groundTruth`; only a bound that no real tracker reaches (`oracle`) may.
  // groundTruth: true,
  // The instance on a fresh platform. `ctx` holds what a tracker may use:
  // profile, clock, kernel, core and pages (strategies/types.ts).
  create(ctx) {
    return {
      // Setup: B's memory as a plain component has it, one RAM dataspace.
      setupMemory: () => attachPlainRam(ctx),
      // Setup: nothing to arm.
      arm: () => {},
      // Checkpoint: report every page into the runner's `out`; the runner copies them.
      collect(out) {
        for (let p = 0; p < ctx.pages; p++) out[p] = p;
        return ctx.pages;
      },
      // Checkpoint: nothing to re-arm. Its arguments are the pages just copied:
      // rearm(copied, n) { ... copied[0..n) ... },
      rearm: () => {},
      // Optional: memory the strategy holds itself, by kind (core's is counted by core).
      // memory: () => ({ 'tracker-bitmap': bytes }),
    };
  },
  // Worst cases from the profile, one per stall kind, checked against every
  // run; each lists the terms of its code path. No tracking: no fault stall
  // (bound 0: a fault would fail the run), no page faults twice in an
  // interval. The pause: stop B, copy every page (touched or not), resume B.
  bounds(profile, pages) {
    const pause = pauseResumeCycles(profile) + pages * profile.checkpointer.copyPage;
    return {
      maxFaultStallCycles: 0,
      maxPauseCycles: pause,
      maxRingFullStallCycles: 0,
      maxCopiedPages: pages,
      faultsPerPage: 0,
      ringEntries: 0,
    };
  },
});
