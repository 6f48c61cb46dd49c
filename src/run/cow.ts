/**
 * Copy-on-write checkpoints (`--copy=cow`; docs/design.md §1, §3; issue 18).
 *
 * At a checkpoint B is paused only to collect the pages to save and to
 * write-protect them (the kernel's copy-on-write protect, kernel.ts
 * `cowProtect`; a strategy whose re-arm write-protects them anyway lends it
 * its re-arm). B then resumes, and A's copier thread copies the pages in its
 * own CPU time; a write of B to a page not copied yet faults, A copies that
 * page at once, and the write proceeds (a `cowFault` stall). This is what
 * QEMU's background snapshot does with userfaultfd write-protect
 * (migration/ram.c `ram_write_tracking_start`, `ram_save_host_page` lifting
 * the protection of each page it saved) and what fork-based snapshots get
 * from the MMU.
 *
 * Scheduling, as Fiasco.OC's fixed-priority scheduler does it (round robin
 * within a priority; `Sched_context` of sched_context-fixed_prio.cpp, one
 * core): B's thread runs at its priority, A's copier thread at its own,
 * against B's (`priority`):
 * - `below`: A copies only while B idles (between the jobs of `periodic`; a
 *   batch workload never idles, so A's copying waits for the next
 *   checkpoint's overrun or the run's end). B's release preempts A (after
 *   the page A is copying).
 * - `same`: round robin. After a checkpoint's pause B runs first: A's
 *   checkpoint thread resumes B before it wakes its copier, so B is ahead of
 *   the copier in the ready list (Fiasco.OC enqueues a woken thread at the
 *   tail of its priority's list), for its quantum; then A's copier for one
 *   time slice (`sliceCycles`); then B for its quantum, Fiasco.OC's default time
 *   slice (10 ms: config `Default_time_slice` = 10 × `Scheduler_granularity`
 *   of 1 ms), then A again, while A has pages to copy. A thread released
 *   (B's next job) waits for the slice in progress to end.
 * - `above`: A preempts B whenever it has a budget. A thread above B under
 *   fixed priorities runs until it blocks, so the copier limits itself: it
 *   copies for one slice (`sliceCycles`) per period (`periodCycles`, from
 *   the pause's end) and sleeps for the rest (a timeout IPC); a period equal
 *   to the slice copies without pause, which is what an unrestrained copier
 *   above B would do. B's release does not preempt it. B runs at least one
 *   access after each pause before the copier takes the core (as under
 *   `stop`, where the next checkpoint falls due after the pause's end), so
 *   a copy longer than the interval slows B down but cannot starve it.
 * Every switch of the core between B (or B's idle time) and A's copier
 * costs `kernel.threadSwitch` (`checkpoint.switch`); leaving B's address
 * space empties B's untagged TLB (kernel.ts `threadSwitch` → `switchFromB`).
 * The pause's own stop and resume of B are its RPCs, as under `stop`. A's
 * copying is preempted between pages (one page copy, or with `--copy-via
 * attach` one dataspace's attach, copy and detach), not within one: a
 * release waits for the copy in progress. A checkpoint falling due while
 * A copies ends A's slice there (its checkpoint thread takes over).
 *
 * A checkpoint still copying when the next falls due is an overrun: with
 * `overrun` `finish` the next checkpoint's pause first finishes the copy (B
 * stopped), with `skip` the next beat is skipped (no checkpoint; counted in
 * `skippedSlots` on a time grid) until the copy is done. The run's final
 * checkpoint is never skipped: B has finished, so A copies what is left of
 * the previous one first, and after the final pause copies its pages, all
 * in B's idle time from then on.
 *
 * Consistency (`copiedAsAtPause`): the increment is stored at the pause with
 * B's pages as they are then, exactly as under `stop`, and verified there
 * (missed pages, the restored chain); every page A copies later, at a fault
 * or in its own time, must be that page — a write that reached an uncopied
 * page first makes A copy a different page, and the run fails
 * (`metrics.cow.copiedAfterWrite`). A page of an increment never copied is a
 * model error.
 */
import {
  Cat,
  type CostProfile,
  FINGERPRINT_WORD,
  ModelError,
  Phase,
  type Platform,
  RECORD_WORDS,
  type TargetMemory,
} from '../platform/index.ts';
import {
  type Bounds,
  maxWriteProtectCycles,
  type StrategyBounds,
  withMaxStall,
} from '../strategies/index.ts';
import type { Copier, CopyBounds } from './copy.ts';
import type { ConcurrentCopier } from './replay.ts';
import type { CheckpointStore } from './store.ts';

/** How a checkpoint copies (`--copy`): B paused for the whole copy, or copy-on-write. */
export const COPY_MODES = ['stop', 'cow'] as const;
export type CopyMode = (typeof COPY_MODES)[number];

/** A's copier thread's priority against B's (`--copier-priority`). */
export const COPIER_PRIORITIES = ['below', 'same', 'above'] as const;
export type CopierPriority = (typeof COPIER_PRIORITIES)[number];

/** What a checkpoint still copying when the next falls due does (`--cow-overrun`). */
export const COW_OVERRUNS = ['finish', 'skip'] as const;
export type CowOverrun = (typeof COW_OVERRUNS)[number];

/**
 * Fiasco.OC's default time slice, in seconds: config-*.cpp
 * `Default_time_slice = 10 * Scheduler_granularity` (µs, granularity 1000),
 * which every thread Genode's core starts keeps (base-foc sets a priority, no
 * quantum). B's quantum at the copier's priority; the copier's default slice.
 */
export const FIASCO_TIME_SLICE_SECONDS = 0.01;

/** Fiasco.OC's default time slice in cycles of a core at `hz`. */
export function defaultSliceCycles(hz: number): number {
  return Math.round(hz * FIASCO_TIME_SLICE_SECONDS);
}

/** A's copier thread of copy-on-write checkpoints (`copier` of a cow run in results.json). */
export interface CopierSettings {
  /** Its priority against B's. */
  priority: CopierPriority;
  /** Its time slice, cycles: its quantum at `same`, its budget per period at `above`. */
  sliceCycles: number;
  /** `above`: the period of its budget, cycles (≥ the slice; equal: it copies without pause). */
  periodCycles: number;
  /** A checkpoint still copying when the next falls due: `finish` it in the next pause, or `skip` the beat. */
  overrun: CowOverrun;
}

/** What a run's copy-on-write checkpoints add up to (`metrics.cow`, cow runs only). */
export interface CowMetrics {
  /** Cycles B was paused at checkpoints, summed (the `checkpoint` stalls: collect, protect, re-arm, overruns finished). */
  pausedCycles: number;
  /** Cycles A's copier thread copied while B was not paused (`breakdownCycles['checkpoint.cowCopy']`). */
  concurrentCopyCycles: number;
  /** Cycles of switches between B and A's copier thread (`breakdownCycles['checkpoint.switch']`). */
  switchCycles: number;
  /** B's writes to pages not copied yet, each a `cowFault` stall (`stallsByKind.cowFault`). */
  faults: number;
  /** Pages A copied with B paused: overruns finished in the next pause. */
  pagesCopiedInPause: number;
  /** Pages A's copier thread copied beside B (B running, idle or finished). */
  pagesCopiedConcurrently: number;
  /** Pages copied at copy-on-write faults. */
  pagesCopiedOnFault: number;
  /** Checkpoints still copying when the next fell due. */
  overruns: number;
  /** Of the overruns, the beats skipped (`overrun` `skip`): no checkpoint was taken then. */
  skippedBeats: number;
  /** Pages A copied after B had written them since the pause: must be 0 (else the run fails). */
  copiedAfterWrite: number;
}

/**
 * The copy-on-write consistency check of one page: the page A copies now is
 * B's page as it was at the checkpoint's pause. The increment was stored at
 * the pause with B's fingerprints then, so this compares B's live
 * fingerprint of `p` with the one the store holds for `p`; of the store it
 * needs `restoredFingerprint(p)` only. Call it as A copies `p`, before any
 * later checkpoint stores `p` again.
 */
export function copiedAsAtPause(store: CheckpointStore, memory: TargetMemory, p: number): boolean {
  return memory.records[p * RECORD_WORDS + FINGERPRINT_WORD] === store.restoredFingerprint(p);
}

/**
 * A copy-on-write run's bounds: the strategy's (`own`) with what reaching
 * B's memory adds (`extra`, copy.ts), and the longest copy-on-write fault.
 *
 * `maxCowFaultStallCycles`, one `cowFault` stall from B's first exception to
 * the completed write (kernel.ts `cowWriteFault`, Mmu.slowAccess):
 * - the resolutions of the same access before it: a tracking fault (the
 *   region-map trackers detach the page at the re-arm; B's access maps it
 *   again, write-protected) or B's refault through its pager after A's
 *   detach: the strategy's longest stall plus the copy's refault
 *   (`own.maxStallCycles + extra.fault`; issue 13's per-kind bounds give a
 *   fault-only term for the first);
 * - the walk that found W withheld and the retried walk (2 × mmu.pageWalk);
 * - the exception (kernel.pageFaultTrap), the notification to A and A's
 *   reply (2 × kernel.ipcOneWay);
 * - A reaching the page (copy.ts `maxCopyAroundCycles`: with `mapped` its
 *   fault on a revoked mapping, with `attach` its dataspace's whole attach,
 *   copy and detach) and the memcpy (checkpointer.copyPage);
 * - what the same fault does after the copy: fault-notify's marking
 *   (checkpointer.handlerWork) or kernel-log's append (kernel.logAppend), and
 *   W given back (kernel.mapPerPage);
 * - with `attach`, B's refault through its pager after A's detach revoked
 *   the page: the exception, the fault IPC and the reply, core's lookups
 *   through a managed dataspace (2 levels), a mapping of up to 2^maxMapOrder
 *   pages, the walk.
 *
 * `maxPauseCycles`: the strategy's pause (which copies every page it
 * reports once) and the copy's, plus the copy-on-write protect of every page
 * reported (strategies/common.ts `maxWriteProtectCycles`) and, for an
 * overrun finished in the pause, lifting the protection of every page A
 * copies there (a syscall and a mapping each, kernel.ts `cowRelease`).
 *
 * For the periodic task's response-time bound (realtime.ts), a copy-on-write
 * fault is one more fault per page and interval (`faultsPerPage` + 1, each
 * stall at most the larger of the two kinds), and each checkpoint adds to
 * its pause A's copier thread's interference with B (`interferenceCycles`):
 * every page it copies reached alone (`maxCopyAroundCycles`), copied and
 * released, with a switch to A and one back around each — at `above` and
 * `same` A's copying preempts B, at `below` B's release waits for the copy
 * A is in.
 */
export function cowBounds(
  profile: CostProfile,
  own: StrategyBounds,
  extra: CopyBounds,
  copier: Copier,
): { bounds: Bounds; faultsPerPage: number; interferenceCycles: number } {
  const k = profile.kernel;
  const c = profile.core;
  const viaAttach = copier.mode === 'attach';
  const refault = viaAttach
    ? k.pageFaultTrap +
      2 * k.ipcOneWay +
      2 * c.regionLookup +
      2 ** c.maxMapOrder * k.mapPerPage +
      profile.mmu.pageWalk
    : 0;
  const copyAround = copier.maxCopyAroundCycles();
  const cowFault =
    own.maxFaultStallCycles +
    extra.fault +
    2 * profile.mmu.pageWalk +
    k.pageFaultTrap +
    2 * k.ipcOneWay +
    copyAround +
    profile.checkpointer.copyPage +
    profile.checkpointer.handlerWork +
    k.logAppend +
    k.mapPerPage +
    refault;
  const copied = own.maxCopiedPages;
  const release = k.syscall + k.mapPerPage;
  const pause = own.maxPauseCycles + extra.pause + maxWriteProtectCycles(profile, copied) + copied * release;
  const bounds = withMaxStall({
    maxFaultStallCycles: own.maxFaultStallCycles + extra.fault,
    maxPauseCycles: pause,
    maxRingFullStallCycles: own.maxRingFullStallCycles,
    maxCowFaultStallCycles: cowFault,
  });
  // One checkpoint's concurrent copy, every page reached alone, and a switch there and back around each.
  const interferenceCycles =
    copied * (copyAround + profile.checkpointer.copyPage + release + 2 * k.threadSwitch);
  return { bounds, faultsPerPage: own.faultsPerPage + (extra.fault > 0 ? 1 : 0) + 1, interferenceCycles };
}

/** Who had the core last: A (its copier, or its checkpoint thread's pause), B, or nobody (B idle). */
type OnCore = 'A' | 'B' | 'idle';

/** A's copier thread: the pages it has to copy, its scheduling against B, and what it counts. */
export class CowCopier implements ConcurrentCopier {
  /** The pages of the checkpoint being copied, in the order reported; [head, tail) still queued. */
  private readonly queue: Int32Array;
  private head = 0;
  private tail = 0;
  /** Per page of B: 1 while the checkpoint being copied has still to copy it. */
  private readonly uncopied: Uint8Array;
  private onCore: OnCore = 'B';
  /** `same`: when the quantum of the thread holding the core ends. */
  private sliceEnd = 0;
  /** `above`: what is left of the copier's budget in its period, and when its next period starts. */
  private budget = 0;
  private nextPeriod = 0;
  /** B's quantum (Fiasco.OC's default time slice). */
  private readonly bQuantum: number;
  /** When the last pause resumed B. */
  private resumedAt = Number.NEGATIVE_INFINITY;
  /** Copying with B paused (an overrun finished) rather than beside it. */
  private inPause = false;
  /** Pages loaded for copying and pages copied, over the run. */
  private loaded = 0;
  private copied = 0;
  /** The counts of `CowMetrics` A keeps itself. */
  readonly counts = {
    faults: 0,
    pagesCopiedInPause: 0,
    pagesCopiedConcurrently: 0,
    pagesCopiedOnFault: 0,
    copiedAfterWrite: 0,
  };

  constructor(
    private readonly platform: Platform,
    private readonly copier: Copier,
    private readonly store: CheckpointStore,
    readonly settings: CopierSettings,
  ) {
    this.queue = new Int32Array(platform.pages);
    this.uncopied = new Uint8Array(platform.pages);
    this.bQuantum = defaultSliceCycles(platform.profile.cpu.hz);
  }

  /** Whether the checkpoint last loaded has pages still to copy. */
  hasWork(): boolean {
    const q = this.queue;
    const u = this.uncopied;
    while (this.head < this.tail && u[q[this.head]!] === 0) this.head++;
    return this.head < this.tail;
  }

  /** At a checkpoint's pause, once the pages `list[0..n)` are protected: A's work until they are copied. */
  load(list: Int32Array, n: number): void {
    if (this.hasWork())
      throw new ModelError('copy-on-write: a checkpoint loaded while the last is still copying');
    this.queue.set(list.subarray(0, n));
    this.head = 0;
    this.tail = n;
    for (let i = 0; i < n; i++) this.uncopied[list[i]!] = 1;
    this.loaded += n;
  }

  /** B stopped by a pause: A finishes the checkpoint still copying (an overrun). The caller sets the phase. */
  finishInPause(): void {
    this.inPause = true;
    while (this.hasWork()) this.copyNext();
    this.inPause = false;
  }

  /** The pause has resumed B: which thread has the core next. */
  afterPause(): void {
    const now = this.platform.clock.now;
    this.resumedAt = now;
    // B runs on, as after a stop-and-copy pause, for a quantum (`same`: ahead of the copier).
    this.onCore = 'B';
    this.sliceEnd = now + this.bQuantum;
    if (this.hasWork() && this.settings.priority === 'above') {
      // The copier's budget periods start with the pause's end; it preempts B after B's first access.
      this.budget = this.settings.sliceCycles;
      this.nextPeriod = now + this.settings.periodCycles;
    }
  }

  /** B has finished its work: A copies what is left, in what is now idle time. */
  drain(): void {
    if (!this.hasWork()) return;
    this.toA();
    this.copyUntil(Number.POSITIVE_INFINITY);
    this.onCore = 'idle';
  }

  /** The pages loaded and not copied (after the run's last `drain`: a model error unless 0). */
  uncopiedPages(): number {
    return this.loaded - this.copied;
  }

  preemptsAt(): number {
    if (!this.hasWork()) return Number.POSITIVE_INFINITY;
    switch (this.settings.priority) {
      case 'below':
        // Only to hand the core back to B where a checkpoint cut A's copying short and skipped its beat.
        return this.onCore === 'A' ? this.platform.clock.now : Number.POSITIVE_INFINITY;
      case 'same':
        return this.onCore === 'A' ? this.platform.clock.now : this.sliceEnd;
      case 'above':
        // Not before B's first access after the pause (one cycle past its end).
        return Math.max(this.budget > 0 ? this.platform.clock.now : this.nextPeriod, this.resumedAt + 1);
    }
  }

  preempt(limit: number): void {
    const clock = this.platform.clock;
    const s = this.settings;
    if (s.priority === 'same') {
      if (this.onCore !== 'A') this.sliceEnd = clock.now + s.sliceCycles; // B's quantum ended: A's slice
      this.toA();
      this.copyUntil(Math.min(this.sliceEnd, limit));
    } else if (s.priority === 'above') {
      if (this.budget <= 0) this.newPeriod();
      this.toA();
      this.runBudget(limit);
    }
    if (clock.now >= limit && this.hasWork()) return; // the checkpoint falls due: A's checkpoint thread runs
    this.toB();
    this.sliceEnd = clock.now + this.bQuantum;
  }

  idle(release: number, limit: number): void {
    const clock = this.platform.clock;
    if (!this.hasWork()) {
      this.idleTo(release);
      return;
    }
    switch (this.settings.priority) {
      case 'below':
        // B's release preempts A.
        this.toA();
        this.copyUntil(release);
        break;
      case 'same':
        if (this.onCore !== 'A') this.sliceEnd = clock.now + this.settings.sliceCycles;
        this.toA();
        for (;;) {
          this.copyUntil(Math.min(this.sliceEnd, limit));
          if (!this.hasWork() || clock.now >= limit || clock.now >= release) break;
          this.sliceEnd = clock.now + this.settings.sliceCycles; // B still blocked: A's next slice
        }
        break;
      case 'above':
        for (;;) {
          if (this.budget <= 0) {
            // Asleep until its next period: does it start before B's release?
            if (this.nextPeriod >= release) break;
            this.idleTo(this.nextPeriod);
            this.newPeriod();
          }
          this.toA();
          this.runBudget(limit);
          if (!this.hasWork() || clock.now >= limit || clock.now >= release) break;
        }
        break;
    }
    if (clock.now >= limit && this.hasWork()) return; // the checkpoint falls due
    this.idleTo(release);
    if (this.onCore === 'A') this.toB(); // A kept the core past B's release
    this.sliceEnd = Math.max(clock.now, release) + this.bQuantum;
  }

  /**
   * The kernel's copy-on-write notification: B wrote page `vpn` before A
   * copied it. A copies it at once (the kernel lets the write through after).
   */
  onFault(vpn: number): void {
    if (this.uncopied[vpn] !== 1)
      throw new ModelError(`copy-on-write fault on page ${vpn}, which A has no copy pending of`);
    this.counts.faults++;
    this.copier.copyAround(vpn, null, this.onFaultCopied);
  }

  /** `above`: a new period of the copier's budget. */
  private newPeriod(): void {
    const { sliceCycles, periodCycles } = this.settings;
    const now = this.platform.clock.now;
    this.budget = sliceCycles;
    // The next period after now (periods run from the pause's end).
    if (this.nextPeriod <= now)
      this.nextPeriod += Math.floor((now - this.nextPeriod) / periodCycles + 1) * periodCycles;
  }

  /** `above`: A copies on its budget, not past `limit`. */
  private runBudget(limit: number): void {
    const clock = this.platform.clock;
    const t0 = clock.now;
    this.copyUntil(Math.min(t0 + this.budget, limit));
    this.budget = Math.max(0, this.budget - (clock.now - t0));
  }

  /** A's copier copies pages until `end` (the page it is copying at `end` completes) or until none is left. */
  private copyUntil(end: number): void {
    const clock = this.platform.clock;
    const phase = clock.phase;
    clock.phase = Phase.cowCopy;
    while (clock.now < end && this.hasWork()) this.copyNext();
    clock.phase = phase;
  }

  /** The next page of the queue not copied yet, and with `--copy-via attach` the rest queued of its dataspace. */
  private copyNext(): void {
    if (!this.hasWork()) return;
    const p = this.queue[this.head++]!;
    this.copier.copyAround(p, this.uncopied, this.onCopied);
  }

  /** A copied page `q` in its own time: it lifts the page's protection. */
  private readonly onCopied = (q: number): void => {
    this.take(q);
    this.platform.kernel.cowRelease(q);
    if (this.inPause) this.counts.pagesCopiedInPause++;
    else this.counts.pagesCopiedConcurrently++;
  };

  /** A copied page `q` at a fault (the kernel lifts the protection with its reply). */
  private readonly onFaultCopied = (q: number): void => {
    this.take(q);
    this.counts.pagesCopiedOnFault++;
  };

  /** A copies page `q`: the memcpy, and the check that it is B's page as at the pause. */
  private take(q: number): void {
    if (this.uncopied[q] !== 1) throw new ModelError(`copy-on-write: page ${q} copied twice`);
    this.uncopied[q] = 0;
    this.copied++;
    this.platform.clock.chargeHandler(this.platform.costs.checkpointer.copyPage); // one memcpy: one draw (sampling.ts)
    if (!copiedAsAtPause(this.store, this.platform.memory, q)) this.counts.copiedAfterWrite++;
  }

  /** The core goes to A's copier: a switch, unless A has it (leaving B or B's idle time leaves B's space). */
  private toA(): void {
    if (this.onCore === 'A') return;
    this.switchCore(true);
    this.onCore = 'A';
  }

  /** The core goes from A's copier to B: a switch. */
  private toB(): void {
    if (this.onCore === 'A') this.switchCore(false);
    this.onCore = 'B';
  }

  private switchCore(fromB: boolean): void {
    const clock = this.platform.clock;
    const phase = clock.phase;
    clock.phase = Phase.switch;
    this.platform.kernel.threadSwitch(fromB);
    clock.phase = phase;
  }

  /** Nobody runs until `t` (A has nothing to copy or sleeps, B waits for its release). */
  private idleTo(t: number): void {
    const clock = this.platform.clock;
    if (t <= clock.now) return;
    if (this.onCore === 'A') this.onCore = 'idle'; // A blocks: the idle thread runs, in no new space
    clock.chargeCategory(Cat.idle, t - clock.now);
  }
}
