/**
 * Replaying a workload on one platform, batch by batch: the checkpoint timer
 * and the real-time jobs. Several replays can be fed the same batches (the
 * measured run and its baseline), so a workload is generated once per run.
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

/** What a replay measured. */
export interface ReplayOutcome {
  /** Cycles of target time from the start of the replay to its end. */
  cycles: number;
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
 * One platform's replay. Checkpoints fire on a periodic timer of target time,
 * at start + k × interval, skipping slots a long checkpoint overran (never,
 * when the interval is Infinity). For workloads with jobs, B idles from a
 * job's completion to the next release, and a checkpoint due meanwhile
 * happens at its time.
 */
export class Replay {
  private readonly start: number;
  private nextCheckpoint: number;
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
    /** Accesses the stream will deliver (no idling after the last job). */
    private readonly total: number,
    private readonly intervalCycles: number,
    private readonly checkpoint: () => void,
  ) {
    this.start = platform.clock.now;
    this.nextCheckpoint = this.start + intervalCycles;
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
      const to = jobs ? Math.min(n, i + (this.jobEnd - this.done)) : n;
      const j = mmu.run(pages, writes, i, to, this.compute, this.nextCheckpoint);
      this.done += j - i;
      i = j;
      if (i < to) {
        this.due();
        continue;
      }
      if (jobs && this.done === this.jobEnd) {
        this.completeJob();
        this.jobEnd += this.perJob;
        this.release = this.start + this.job * jobs.periodCycles;
        if (this.done < this.total) this.idleUntil(this.release);
      }
    }
  }

  /** Ends the replay (a last, partial job counts) and returns what it measured. */
  finish(): ReplayOutcome {
    if (this.jobs && this.done > this.jobEnd - this.perJob) this.completeJob();
    return {
      cycles: this.platform.clock.now - this.start,
      accesses: this.done,
      wcrtCycles: this.wcrt,
      deadlineMisses: this.misses,
      jobs: this.job,
    };
  }

  private due(): void {
    const clock = this.platform.clock;
    this.checkpoint();
    const k = Math.floor((clock.now - this.start) / this.intervalCycles) + 1;
    this.nextCheckpoint = this.start + k * this.intervalCycles;
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
