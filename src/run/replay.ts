/**
 * Replaying a workload on one platform, batch by batch: the checkpoint timer
 * and the real-time jobs. Several replays can be fed the same batches (the
 * measured run and its baseline), so a workload is generated once per run.
 *
 * Where checkpoints fall (`CheckpointTimer`):
 * - `cycles`, from `start`: a fixed grid of target time, start + phase +
 *   k × interval, from its first point after the start (`phase` in
 *   [0, interval), 0 by default, places the grid against the periodic task's
 *   releases, which fall at start + j × period).
 *   A checkpoint (or a fault) that overruns a slot makes the timer skip it:
 *   the next checkpoint is at the first slot after it ended. Skipped slots
 *   are counted (`skippedSlots`), because a long pause removes checkpoints
 *   and with them their cost: a run with fewer checkpoints looks cheaper.
 * - `cycles`, from `end`: the first where the grid's first is, each next
 *   `interval` after the previous one ended (B always runs a whole interval
 *   between two); nothing is skipped.
 * - `accesses`: after B's access k × interval (k ≥ 1, before the last
 *   access), as scripts/native/replay.c places them: every strategy then
 *   checkpoints at the same points of B's execution, whatever it costs B.
 * And once at the end, in every mode (the runner's final checkpoint).
 */
import { Cat, type Platform } from '../platform/index.ts';
import type { JobStructure, WorkloadStream } from '../workloads/index.ts';

/** Accesses generated per batch. */
const BATCH = 4096;

/**
 * B touches (writes) every page once, in order, so the measured phase starts
 * with B's memory mapped. Through `Mmu.run` in batches, which gives exactly
 * what one `access` per page gives (mmu.test.ts) in a fraction of the host
 * time: at 1 Mi pages this was most of a run's set-up.
 */
export function touchAll(platform: Platform): void {
  const n = Math.min(BATCH, platform.pages);
  const pages = new Int32Array(n);
  const writes = new Uint8Array(n).fill(1);
  for (let first = 0; first < platform.pages; first += n) {
    const count = Math.min(n, platform.pages - first);
    for (let i = 0; i < count; i++) pages[i] = first + i;
    platform.mmu.run(pages, writes, 0, count, 0, Number.POSITIVE_INFINITY);
  }
}

/** Generates the workload once and feeds every batch to each replay in turn. */
export function drive(stream: WorkloadStream, replays: Replay[]): void {
  const pages = new Int32Array(BATCH);
  const writes = new Uint8Array(BATCH);
  for (let n = stream.fill(pages, writes); n > 0; n = stream.fill(pages, writes)) {
    for (const r of replays) r.feed(pages, writes, n);
  }
  stream.close();
}

/** Where a replay's checkpoints fall (see the module comment). */
export type CheckpointTimer =
  | { kind: 'cycles'; cycles: number; from: 'start' | 'end'; phase: number }
  | { kind: 'accesses'; accesses: number };

/** What a replay measured. */
export interface ReplayOutcome {
  /** Cycles of target time from the start of the replay to its end. */
  cycles: number;
  /** Of these, cycles B idled waiting for a job's release. */
  idleCycles: number;
  /** Timer slots (a fixed grid of target time) a checkpoint or a stall overran, so no checkpoint took them. */
  skippedSlots: number;
  /** Accesses replayed. */
  accesses: number;
  /** Worst response time of a job (0 without jobs). */
  wcrtCycles: number;
  /** Jobs that finished after their deadline. */
  deadlineMisses: number;
  /** Jobs completed. */
  jobs: number;
}

/**
 * One platform's replay. Checkpoints fall where the timer says (never
 * without one). For workloads with jobs, B idles from a job's completion to
 * the next release, and a checkpoint due meanwhile happens at its time.
 */
export class Replay {
  private readonly start: number;
  private readonly idleAtStart: number;
  /** Target time of the next checkpoint (time modes; Infinity otherwise). */
  private nextCheckpoint: number;
  /** The grid slot `nextCheckpoint` is (from `start`): k of start + phase + k × interval. */
  private slot: number;
  private skipped = 0;
  /** B's access count after which the next checkpoint falls (accesses mode; Infinity otherwise). */
  private nextAt: number;
  private readonly perJob: number;
  private job = 0;
  private jobEnd: number;
  private release: number;
  private wcrt = 0;
  private misses = 0;
  private done = 0;

  constructor(
    private readonly platform: Platform,
    private readonly compute: number,
    private readonly jobs: JobStructure | null,
    /** Accesses the stream will deliver (no idling after the last job, no checkpoint at the last access). */
    private readonly total: number,
    private readonly timer: CheckpointTimer | null,
    private readonly checkpoint: () => void,
  ) {
    this.start = platform.clock.now;
    this.idleAtStart = platform.clock.byCategory[Cat.idle]!;
    // The grid's first point after the start: start + phase, or start + interval for phase 0.
    this.slot = timer?.kind === 'cycles' && timer.phase > 0 ? 0 : 1;
    this.nextCheckpoint =
      timer?.kind === 'cycles'
        ? this.start + timer.phase + this.slot * timer.cycles
        : Number.POSITIVE_INFINITY;
    this.nextAt = timer?.kind === 'accesses' ? timer.accesses : Number.POSITIVE_INFINITY;
    this.perJob = jobs ? jobs.accessesPerJob : Number.POSITIVE_INFINITY;
    this.jobEnd = this.perJob;
    this.release = this.start;
  }

  /** Runs B over `pages[0..n)`, `writes[0..n)`. */
  feed(pages: Int32Array, writes: Uint8Array, n: number): void {
    const { mmu } = this.platform;
    const jobs = this.jobs;
    let i = 0;
    while (i < n) {
      // Stop at the end of the batch, of the job, and at the access a checkpoint follows.
      const to = Math.min(n, i + (this.jobEnd - this.done), i + (this.nextAt - this.done));
      const j = mmu.run(pages, writes, i, to, this.compute, this.nextCheckpoint);
      this.done += j - i;
      i = j;
      if (i < to) {
        this.due();
        continue;
      }
      let jobDone = false;
      if (jobs && this.done === this.jobEnd) {
        this.completeJob();
        this.jobEnd += this.perJob;
        this.release = this.start + this.job * jobs.periodCycles;
        jobDone = true;
      }
      if (this.done === this.nextAt) {
        if (this.done < this.total) this.checkpoint();
        this.nextAt += (this.timer as { accesses: number }).accesses;
      }
      if (jobDone && this.done < this.total) this.idleUntil(this.release);
    }
  }

  /** Ends the replay (a last, partial job counts) and returns what it measured. */
  finish(): ReplayOutcome {
    if (this.jobs && this.done > this.jobEnd - this.perJob) this.completeJob();
    const clock = this.platform.clock;
    return {
      cycles: clock.now - this.start,
      idleCycles: clock.byCategory[Cat.idle]! - this.idleAtStart,
      skippedSlots: this.skipped,
      accesses: this.done,
      wcrtCycles: this.wcrt,
      deadlineMisses: this.misses,
      jobs: this.job,
    };
  }

  /** The checkpoint the timer fell due for, and the next one's time. */
  private due(): void {
    const clock = this.platform.clock;
    const timer = this.timer as { cycles: number; from: 'start' | 'end'; phase: number };
    this.checkpoint();
    if (timer.from === 'end') {
      this.nextCheckpoint = clock.now + timer.cycles;
      return;
    }
    // The first slot after the checkpoint ended; the ones in between are skipped.
    const origin = this.start + timer.phase;
    const next = Math.floor((clock.now - origin) / timer.cycles) + 1;
    this.skipped += next - this.slot - 1;
    this.slot = next;
    this.nextCheckpoint = origin + next * timer.cycles;
  }

  private idleUntil(t: number): void {
    const clock = this.platform.clock;
    while (clock.now < t) {
      if (this.nextCheckpoint <= t) {
        if (this.nextCheckpoint > clock.now) clock.chargeCategory(Cat.idle, this.nextCheckpoint - clock.now);
        this.due();
      } else clock.chargeCategory(Cat.idle, t - clock.now);
    }
  }

  private completeJob(): void {
    const response = this.platform.clock.now - this.release;
    if (response > this.wcrt) this.wcrt = response;
    if (response > this.jobs!.periodCycles) this.misses++;
    this.job++;
  }
}
