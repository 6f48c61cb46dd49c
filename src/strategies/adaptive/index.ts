/**
 * `adaptive`: per checkpoint interval, either write-fault tracking (as
 * `fault-notify`: the kernel extension write-protects B's pages and notifies
 * A of each first write) or dirty-bit scanning (as `dirty-bit-scan` at
 * flexpage order 0: unmap-with-status over every page at the checkpoint),
 * chosen at each checkpoint from the interval that just ended.
 *
 * The decision rule, with hysteresis: tracking faults costs per dirty page
 * (a trap, two IPCs, A's marking, the re-protect), scanning costs per page of
 * B (an unmap entry each), whatever B wrote. So the dirty fraction of the
 * last interval decides: faults switch to scanning when it exceeds
 * `highFraction`, scanning switches back under `lowFraction`, and between the
 * two the mechanism stays, so that an interval near the break-even does not
 * pay a switch each way. On fiasco-oc-x86_64 the break-even is near 4 % of
 * B written per interval: a written page costs a fault stall of
 * 800 + 2 × 1395 + 300 + 150 + 30 = 4070 cycles and its re-protect's entry,
 * 150, where a scan costs 150 + 190 / 61 ≈ 153 cycles per page of B (the
 * TLB refills, which both pay, left aside); the defaults, 5 % and 2.5 %,
 * straddle it.
 *
 * The switches, B paused, charged to `checkpoint.trackingSwitch` in the
 * pause, after the pages were copied:
 * - to scanning: one pass of unmaps over B revoking W (as the scan, in the
 *   same batches, asked of core by one RPC as the scan is), which takes the
 *   tracking write-protect off every page and clears every D bit, then the
 *   extension switched off (kernel.ts `setTrackingMode`, one syscall: the
 *   extension is the thesis's own, its off switch a design choice). Giving W
 *   back needs no kernel call of its own, but the off switch is needed: while
 *   the extension is on, the kernel installs W as the tracking write-protect
 *   in every mapping (kernel.ts `map`), so core's pager would map the pages
 *   protected again. B's
 *   next write to each page left read-only faults to core's pager, which
 *   maps it writable again, up to 2^maxMapOrder pages a reply, with a clean
 *   D bit: ordinary pager faults, in `fault.*`.
 * - to faults: the extension switched on (one syscall) and every page of B
 *   write-protected for tracking (one kernel write-protect, as
 *   `fault-notify`'s arm). A page the last unmap left read-only is not
 *   marked (the write-protect marks writable pages); B's write to it faults
 *   to the pager, which maps it write-protected for tracking while the
 *   extension is on, and the write then traps in the same stall.
 * The interval after a switch is tracked by the new mechanism: nothing is
 * missed in between, as the checkpoint copied every page the old one found.
 *
 * B's RAM is 4 KiB pages (the extension protects per page, the scan reads
 * one D bit per page). Unavailable where either half is: without hardware
 * dirty bits in unmap's status (Fiasco.OC on ARM, Linux) or without the
 * write-fault notification extension.
 */

import { ParamError } from '../../params/params.ts';
import {
  bitmapScanCycles,
  maxUnmapCycles,
  Phase,
  pagerRefaultCycles,
  pauseResumeCycles,
  Revoke,
  rpcCycles,
  TrackingMode,
  UNMAP_BATCH_MAX,
} from '../../platform/index.ts';
import {
  attachPlainRam,
  maxWriteProtectCycles,
  notifyFaultStallCycles,
  PageBitmap,
  writeProtectAll,
  writeProtectPages,
} from '../common.ts';
import { FlexpageScan, maxFlexpageScanCycles } from '../flexpage-scan.ts';
import { defineStrategy } from '../types.ts';

/** The tracking mechanism of an interval. */
const Mode = { faults: 0, scan: 1 } as const;

/** @throws ParamError when the hysteresis band is inverted. */
function checkBand(params: { highFraction: number; lowFraction: number }): void {
  if (params.lowFraction > params.highFraction) {
    throw new ParamError(
      `adaptive: lowFraction ${params.lowFraction} exceeds highFraction ${params.highFraction} (the band must not be inverted)`,
    );
  }
}

export const adaptive = defineStrategy({
  name: 'adaptive',
  doc: "per interval, write-fault notification or a dirty-bit scan, chosen from the last interval's dirty fraction with hysteresis",
  params: {
    highFraction: {
      type: 'number',
      default: 0.05,
      min: 0,
      max: 1,
      doc: "switch from fault tracking to scanning after an interval that wrote more than this fraction of B's pages",
    },
    lowFraction: {
      type: 'number',
      default: 0.025,
      min: 0,
      max: 1,
      doc: "switch from scanning back to fault tracking after an interval that wrote less than this fraction of B's pages (at most highFraction)",
    },
  },
  requires: () => ['kernelFaultNotification', 'hardwareDirtyBits'],
  create(ctx, params) {
    checkBand(params);
    const { kernel, pages, clock } = ctx;
    const bitmap = new PageBitmap(ctx, pages);
    const scan = new FlexpageScan(kernel, pages, 0, UNMAP_BATCH_MAX);
    const mark = (vpn: number) => bitmap.mark(vpn);
    let mode: number = Mode.faults;

    const toScan = (): void => {
      kernel.rpcCore(0); // ask core to unmap B's W (the scan's assumed core extension)
      scan.run(Revoke.write, null);
      kernel.setTrackingMode(TrackingMode.off);
      mode = Mode.scan;
    };
    const toFaults = (): void => {
      kernel.setTrackingMode(TrackingMode.notify, mark);
      writeProtectAll(kernel, pages);
      mode = Mode.faults;
    };

    return {
      setupMemory: () => attachPlainRam(ctx, true),
      arm() {
        kernel.enableTracking(TrackingMode.notify, mark);
        writeProtectAll(kernel, pages);
      },
      collect(out) {
        if (mode === Mode.faults) return bitmap.drain(out);
        kernel.rpcCore(0); // ask core to scan B's mappings (assumed core extension)
        return scan.run(Revoke.none, out);
      },
      // The pages copied are the pages the last interval wrote (both halves are exact): n decides.
      rearm(copied, n) {
        const switchTo =
          mode === Mode.faults
            ? n > params.highFraction * pages
              ? Mode.scan
              : Mode.faults
            : n < params.lowFraction * pages
              ? Mode.faults
              : Mode.scan;
        if (switchTo === mode) {
          if (mode === Mode.faults) writeProtectPages(kernel, copied, n);
          return;
        }
        const phase = clock.phase;
        clock.phase = Phase.trackingSwitch;
        if (switchTo === Mode.scan) toScan();
        else toFaults();
        clock.phase = phase;
      },
      memory: () => ({ 'tracker-bitmap': bitmap.bytes() }),
    };
  },
  // A fault stall: a tracking fault (common.ts notifyFaultStallCycles), or
  // B's write to a page the switch to scanning left read-only, which core's
  // pager maps again (platform costs.ts pagerRefaultCycles), or both in one
  // stall, where the pager maps it write-protected for tracking after a
  // switch back; once per page and interval either way.
  // The pause: stop and resume B, the larger collect (the bitmap's scan with
  // a store per touched page, or the RPC to core and the scan's unmaps), the
  // copy of every touched page, and the larger re-arm: faults kept (every
  // touched page write-protected again), or a switch — to scanning (the RPC,
  // a pass of unmaps, the syscall switching the extension off) or to faults
  // (the syscall switching it on, one write-protect over every page of B).
  bounds(profile, pages, params, touched) {
    checkBand(params);
    const syscall = profile.kernel.syscall;
    const unmaps = maxFlexpageScanCycles(profile, pages, 0, UNMAP_BATCH_MAX);
    const collect = Math.max(bitmapScanCycles(profile, pages, touched), rpcCycles(profile, 0) + unmaps);
    const toScan = rpcCycles(profile, 0) + unmaps + syscall;
    const toFaults = syscall + maxUnmapCycles(profile, pages);
    const rearm = Math.max(maxWriteProtectCycles(profile, touched), toScan, toFaults);
    return {
      maxFaultStallCycles: notifyFaultStallCycles(profile) + pagerRefaultCycles(profile),
      maxPauseCycles: pauseResumeCycles(profile) + collect + touched * profile.checkpointer.copyPage + rearm,
      maxRingFullStallCycles: 0,
      maxCopiedPages: touched,
      faultsPerPage: 1,
      ringEntries: 0,
    };
  },
});
