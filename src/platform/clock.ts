/**
 * Simulated time: an integer count of cycles of the one core B, A, core and
 * the kernel share (docs/design.md §1). Every charged cycle carries a category so a
 * result can be explained, not just ranked.
 *
 * Operations of the kernel and core do not know whether they run on behalf of
 * a fault, a checkpoint or the setup; they charge an *actor* (kernel, ipc,
 * core, handler: who does the work) and the clock's current *phase* decides
 * the category. Hot-path
 * costs (compute, TLB miss, dirty assist) charge their category directly.
 */

import { ModelError } from './errors.ts';
import { MAX_EXACT } from './exact.ts';

/** Categories of charged cycles, as they appear in `breakdownCycles`. */
export const CATEGORY_NAMES = [
  'compute',
  'idle',
  'tlb.miss',
  'tlb.dirtyAssist',
  'fault.kernel',
  'fault.ipc',
  'fault.core',
  'fault.handler',
  'checkpoint.pause',
  'checkpoint.collect',
  'checkpoint.copy',
  'checkpoint.rearm',
  'checkpoint.cowFault',
  'checkpoint.cowCopy',
  'checkpoint.switch',
  'setup',
  'checkpoint.trackingSwitch',
] as const;
export type CategoryName = (typeof CATEGORY_NAMES)[number];

/** Category indices (positions in CATEGORY_NAMES). */
export const Cat = {
  compute: 0,
  idle: 1,
  tlbMiss: 2,
  tlbDirtyAssist: 3,
  faultKernel: 4,
  faultIpc: 5,
  faultCore: 6,
  faultHandler: 7,
  checkpointPause: 8,
  checkpointCollect: 9,
  checkpointCopy: 10,
  checkpointRearm: 11,
  /** --copy=cow: B stalled on a write to a page A has not copied yet (trap, notification, A's copy, reply). */
  checkpointCowFault: 12,
  /** --copy=cow: A's copier thread copying while B is not paused (its copies and the protection it lifts). */
  checkpointCowCopy: 13,
  /** --copy=cow: the kernel switching the core between B and A's copier thread (preemptions). */
  checkpointSwitch: 14,
  setup: 15,
  /**
   * A checkpoint: the tracker changing its mechanism for the next interval
   * (`adaptive`: the tracking extension switched off or on, and B's pages
   * unmapped or write-protected for it). After `setup` so that the earlier
   * indices stay as they were.
   */
  checkpointTrackingSwitch: 16,
} as const;

/**
 * Who does the work an operation charges: the kernel's exception and
 * page-table paths, its IPC path, Genode core, or A (the checkpointer's
 * handler). (`kind` elsewhere means a memory category, as in `byKind`.)
 */
export const Actor = { kernel: 0, ipc: 1, core: 2, handler: 3 } as const;
export type ActorId = (typeof Actor)[keyof typeof Actor];
const ACTORS = 4;
// Clock.charge writes ACTORS as the literal 4 (a module const in it is re-read per call).
if (ACTORS !== 4) throw new Error('Clock.charge writes ACTORS as the literal 4');

/** What the system is doing; with the actor it decides the category. */
export const Phase = {
  /** B runs; kernel work here is a fault taken outside a tracked stall (attributed to fault.*). */
  run: 0,
  /** A fault is being resolved while B is stalled. */
  fault: 1,
  /** A checkpoint: stopping and resuming B. */
  pause: 2,
  /** A checkpoint: the strategy gathers the pages written since the last one. */
  collect: 3,
  /** A checkpoint: the reported pages are copied into the store. */
  copy: 4,
  /** A checkpoint: the strategy re-arms its tracking. */
  rearm: 5,
  /** Before measurement: building B's memory, the base checkpoint, arming. */
  setup: 6,
  /** `--copy=cow`: B's write to a page not yet copied faults, A copies it, the write proceeds. */
  cowFault: 7,
  /** `--copy=cow`: A's copier thread copies the checkpoint's pages while B is not paused. */
  cowCopy: 8,
  /** `--copy=cow`: the kernel preempts one of B and A's copier thread for the other. */
  switch: 9,
  /** A checkpoint: the strategy changes its tracking mechanism for the next interval (`adaptive`). */
  trackingSwitch: 10,
} as const;
export type PhaseId = (typeof Phase)[keyof typeof Phase];
const PHASES = 11;

/** phase × actor → category. */
const CATEGORY_OF = new Uint8Array(PHASES * ACTORS);
{
  const fault = [Cat.faultKernel, Cat.faultIpc, Cat.faultCore, Cat.faultHandler];
  const byPhase: Record<number, readonly number[]> = {
    [Phase.run]: fault,
    [Phase.fault]: fault,
    [Phase.pause]: Array(ACTORS).fill(Cat.checkpointPause),
    [Phase.collect]: Array(ACTORS).fill(Cat.checkpointCollect),
    [Phase.copy]: Array(ACTORS).fill(Cat.checkpointCopy),
    [Phase.rearm]: Array(ACTORS).fill(Cat.checkpointRearm),
    [Phase.setup]: Array(ACTORS).fill(Cat.setup),
    [Phase.cowFault]: Array(ACTORS).fill(Cat.checkpointCowFault),
    [Phase.cowCopy]: Array(ACTORS).fill(Cat.checkpointCowCopy),
    [Phase.switch]: Array(ACTORS).fill(Cat.checkpointSwitch),
    [Phase.trackingSwitch]: Array(ACTORS).fill(Cat.checkpointTrackingSwitch),
  };
  for (let p = 0; p < PHASES; p++) {
    for (let a = 0; a < ACTORS; a++) CATEGORY_OF[p * ACTORS + a] = byPhase[p]![a]!;
  }
}

/** The simulated clock with its per-category account. */
export class Clock {
  /** Current time in cycles since the platform was created (an integer). */
  now = 0;
  /** Cycles charged per category, indexed by `Cat`. */
  readonly byCategory = new Float64Array(CATEGORY_NAMES.length);
  /** Current phase; set by the runner and the fault path. */
  phase: PhaseId = Phase.setup;
  /**
   * CATEGORY_OF and MAX_EXACT as fields: `charge` runs ~56 times per managed
   * fault, and a module-level const or an imported binding is re-read and
   * checked on every use (README "Host speed"). Host time only.
   */
  private readonly categoryOf = CATEGORY_OF;
  private readonly maxExact = MAX_EXACT;

  /**
   * Charges work `actor` did in the current phase.
   * @throws ModelError when simulated time would pass 2^53 − 1 (exact.ts, rule 4).
   */
  charge(actor: ActorId, cycles: number): void {
    const cat = this.categoryOf[this.phase * 4 + actor]!; // 4: ACTORS
    const now = this.now + cycles;
    if (!(now <= this.maxExact)) this.overrun(cycles, cat);
    this.now = now;
    this.byCategory[cat]! += cycles;
  }

  // One method per actor, for the fault path's ~56 charges per fault: reading
  // `Actor.ipc` at a call site is a load of a module-level binding and of its
  // property on every call, which cost ~7 % of a managed run's instructions
  // (cachegrind, issue 16). The literals are Actor's values (checked below
  // the class).
  /** `charge(Actor.kernel, cycles)`. */
  chargeKernel(cycles: number): void {
    this.charge(0, cycles);
  }
  /** `charge(Actor.ipc, cycles)`. */
  chargeIpc(cycles: number): void {
    this.charge(1, cycles);
  }
  /** `charge(Actor.core, cycles)`. */
  chargeCore(cycles: number): void {
    this.charge(2, cycles);
  }
  /** `charge(Actor.handler, cycles)`. */
  chargeHandler(cycles: number): void {
    this.charge(3, cycles);
  }

  /**
   * Charges a category directly (hot-path costs, idle time).
   * @throws ModelError when simulated time would pass 2^53 − 1 (exact.ts, rule 4).
   */
  chargeCategory(cat: number, cycles: number): void {
    const now = this.now + cycles;
    if (!(now <= this.maxExact)) this.overrun(cycles, cat);
    this.now = now;
    this.byCategory[cat]! += cycles;
  }

  /**
   * Checks that `accesses` more accesses, which together may add up to
   * `cycles`, keep simulated time at most 2^53 − 1: what `Mmu.run` calls
   * before it adds cycles in a local (exact.ts, rule 4). A computed `cycles`
   * that rounded is at least 2^53, so it fails the check too.
   * @throws ModelError naming both.
   */
  checkAhead(accesses: number, cycles: number): void {
    const end = this.now + cycles;
    if (end <= MAX_EXACT) return;
    throw new ModelError(
      `the next ${accesses} accesses could take simulated time to ${end} cycles, past 2^53 − 1 = ${MAX_EXACT}, where cycle counts stop being exact (the run is at cycle ${this.now}; see src/platform/exact.ts): run fewer accesses, or lower computeCycles or the profile's figures`,
    );
  }

  private overrun(cycles: number, cat: number): never {
    throw new ModelError(
      `charging ${cycles} cycles of ${CATEGORY_NAMES[cat]} at cycle ${this.now} would take simulated time past 2^53 − 1 = ${MAX_EXACT} cycles, where cycle counts stop being exact (see src/platform/exact.ts): run fewer accesses, or lower the profile's figures`,
    );
  }

  /** The non-zero categories, excluding setup, as a plain object for results. */
  breakdown(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let c = 0; c < CATEGORY_NAMES.length; c++) {
      if (c === Cat.setup) continue;
      const v = this.byCategory[c]!;
      if (v !== 0) out[CATEGORY_NAMES[c]!] = v;
    }
    return out;
  }
}

if (Actor.kernel !== 0 || Actor.ipc !== 1 || Actor.core !== 2 || Actor.handler !== 3) {
  throw new Error("Clock's per-actor charge methods write Actor's values as literals");
}

/**
 * Why B was stalled: a fault resolution, a checkpoint pause, a full dirty
 * ring (`kernel-log log=ring`: B waits while A drains the ring), or a write
 * to a page a copy-on-write checkpoint has not copied yet (`--copy=cow`: A
 * copies it first). The names are the keys of `metrics.stallHistogram`
 * (`cowFault` only in runs that copy on write).
 */
export const StallCause = { fault: 0, checkpoint: 1, ringFull: 2, cowFault: 3 } as const;
export type StallCauseId = (typeof StallCause)[keyof typeof StallCause];

/**
 * Every stall of B, by cause, as an exact histogram: duration in cycles →
 * number of stalls that long. Simulated durations take few distinct values
 * (a fault path costs the same cycles every time it runs the same way), so
 * the histogram is small, its memory does not grow with the run's length,
 * and every statistic of the durations (max, mean, any quantile, the whole
 * CDF for a plot) stays exact. Recording adds to a count and allocates
 * nothing once a duration has been seen. Off during the unmeasured setup.
 */
export class StallLog {
  /** When false, `record` ignores stalls (during setup). */
  recording = false;
  /** Stalls recorded, all causes. */
  count = 0;
  private readonly byCause: DurationCounts[] = Object.values(StallCause).map(() => new DurationCounts());

  record(cycles: number, cause: StallCauseId): void {
    if (!this.recording) return;
    this.byCause[cause]!.add(cycles);
    this.count++;
  }

  /**
   * The histogram of one cause, or of all causes merged, as
   * [duration in cycles, count] pairs in ascending duration.
   */
  histogram(cause?: StallCauseId): [number, number][] {
    const counts = cause === undefined ? this.byCause : [this.byCause[cause]!];
    // The distinct durations sorted as numbers in a typed array, then each one's
    // counts summed: up to one duration per page (DurationCounts), where a Map
    // and a sort of pairs took ~3 % of a managed run's host time at 64 Ki pages.
    const all = new Float64Array(counts.reduce((n, h) => n + h.size, 0));
    let n = 0;
    for (const h of counts) n = h.keysInto(all, n);
    all.sort();
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      const d = all[i]!;
      if (i > 0 && all[i - 1] === d) continue;
      let total = 0;
      for (const h of counts) total += h.count(d);
      out.push([d, total]);
    }
    return out;
  }

  /** The durations of one cause (or all), expanded in ascending order; for tests and small logs. */
  durations(cause?: StallCauseId): number[] {
    return this.histogram(cause).flatMap(([d, n]) => Array<number>(n).fill(d));
  }
}

/** Durations a {@link DurationCounts} keeps before counting them (see its `pending`). */
const PENDING_DURATIONS = 256;

/**
 * Duration → count, as an open-addressing hash table in one typed array of
 * [duration, count] pairs (one cache line per look-up): the fault path
 * records a stall per fault, durations number up to one per page (rtcr's
 * list walk makes each page's fault cost differ) and are often past the
 * small-integer range, and a `Map` cost more host time there than the rest
 * of the stall's bookkeeping (issue 16). A slot is free while its count is 0.
 */
class DurationCounts {
  private table = new Float64Array(2 * 64);
  /** 32 − log2 of the number of slots: the hash keeps the product's high bits. */
  private shift = 26;
  private used = 0;
  /**
   * Durations recorded but not yet counted in the table. With up to one
   * duration per page, each insert is a cache miss into a table of
   * megabytes; made one per fault, between a fault path's other work, the
   * misses came one after another (8 % of a managed run's host time).
   * Inserted in bulk, the CPU overlaps them. Host time only.
   */
  private readonly pending = new Float64Array(PENDING_DURATIONS);
  private pendingCount = 0;

  add(cycles: number): void {
    if (Number.isNaN(cycles)) throw new RangeError('a stall of NaN cycles');
    this.pending[this.pendingCount++] = cycles;
    if (this.pendingCount === this.pending.length) this.flush();
  }

  /** Counts the pending durations in the table. */
  private flush(): void {
    const pending = this.pending;
    const n = this.pendingCount;
    this.pendingCount = 0;
    for (let i = 0; i < n; i++) this.insert(pending[i]!);
  }

  private insert(cycles: number): void {
    const x = this.slot(cycles);
    const table = this.table;
    if (table[x + 1] === 0) {
      table[x] = cycles + 0; // −0 as 0, as a Map keys it
      table[x + 1] = 1;
      if (++this.used * 4 > table.length) this.grow();
    } else table[x + 1]!++;
  }

  /** The number of distinct durations recorded. */
  get size(): number {
    this.flush();
    return this.used;
  }

  /** Writes the distinct durations recorded, in no particular order, into `out` from `at`; returns where they end. */
  keysInto(out: Float64Array, at: number): number {
    this.flush();
    const table = this.table;
    for (let x = 0; x < table.length; x += 2) if (table[x + 1] !== 0) out[at++] = table[x]!;
    return at;
  }

  /** How many stalls of `cycles` were recorded. */
  count(cycles: number): number {
    this.flush();
    return this.table[this.slot(cycles) + 1]!;
  }

  /** The index of the pair holding `cycles`, or of the free pair where it goes. */
  private slot(cycles: number): number {
    const table = this.table;
    const mask = table.length - 2;
    // Both 32-bit halves of the duration, mixed (Fibonacci hashing: the product's high bits).
    let x = (Math.imul((cycles | 0) ^ ((cycles / 4294967296) | 0), 0x9e3779b1) >>> this.shift) << 1;
    while (table[x + 1] !== 0 && table[x] !== cycles) x = (x + 2) & mask;
    return x;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.shift--;
    for (let x = 0; x < old.length; x += 2) {
      if (old[x + 1] === 0) continue;
      const to = this.slot(old[x]!);
      this.table[to] = old[x]!;
      this.table[to + 1] = old[x + 1]!;
    }
  }
}
