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
  create(platform) {
    return {
      // Setup: B's memory as a plain component has it, one RAM dataspace.
      setupMemory: () => attachPlainRam(platform),
      // Setup: nothing to arm.
      arm: () => {},
      // Checkpoint: report every page; the runner copies them.
      collect(out) {
        for (let p = 0; p < platform.pages; p++) out[p] = p;
        return platform.pages;
      },
      // Checkpoint: nothing to re-arm.
      rearm: () => {},
      // Optional: memory the strategy holds itself, by kind (core's is counted by core).
      // memory: () => ({ 'tracker-bitmap': bytes }),
    };
  },
  // The pause is the longest stall: stop B, copy every page, resume.
  bounds(profile, pages) {
    const pause = pauseResumeCycles(profile) + pages * profile.checkpointer.copyPage;
    return { maxStallCycles: pause, maxPauseCycles: pause };
  },
});
