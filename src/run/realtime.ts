/**
 * The analytic worst-case response time of the `periodic` task
 * (docs/design.md §5): fixed-priority response-time analysis (Joseph &
 * Pandya 1986; Audsley, Burns, Richardson, Tindell & Wellings 1993, with
 * release jitter; Lehoczky 1990 and Tindell, Burns & Wellings 1994 for
 * responses past the period), with the checkpointer as the one task of
 * higher priority than B: a checkpoint, once due, stops B until it is done.
 *
 * Terms, each from the run's configuration and bounds:
 * - C = A · a: the job's A accesses, each at most a = computeCycles plus the
 *   longer of a page walk and a dirty assist outside a stall (Mmu.run and
 *   Mmu.translate: an access takes one or the other before it stalls, and
 *   the walk that retries a faulting access is inside the fault's bound);
 * - F · f: f fault stalls of at most F each (`bounds.maxFaultStallCycles`);
 *   between two re-arms a page stalls B at most `faultsPerPage` times, and a
 *   job touches at most N pages (its page set: `jobPages`), so a window of
 *   n checkpoints holds at most f = min(accesses, faultsPerPage · N · (n + 1));
 * - R · ⌈f / E⌉: where the strategy has a dirty ring of E entries
 *   (`ringEntries`), a full-ring stall of at most R
 *   (`bounds.maxRingFullStallCycles`) after at most one in E faults (the
 *   ring may hold up to E − 1 entries when the window opens);
 * - n · P: n checkpoint pauses of at most P each (`bounds.maxPauseCycles`).
 *   With a timer in time (interval I), the checkpoints that can stop B in a
 *   window of length w number at most n(w) = ⌈(w + J) / I⌉: their due times
 *   are a grid (or each at least I after the previous one ended) and a
 *   checkpoint starts at most J = a + F + R after its due time, when B is in
 *   an access then (its release jitter); and no more than one per access of B
 *   plus one, because after a checkpoint the timer's next due time is after
 *   its end, so B runs at least one access before the next (replay.ts), and
 *   one may be running when the window opens. With a timer in accesses
 *   (every M), n = ⌊accesses / M⌋ + 1.
 *
 * The response time of the q-th job (from 0) of a busy period that starts
 * with a job's release, w_q − q·T, with w_q the least fixed point of
 *
 *   w = (q + 1)·A·a + F·f + R·⌈f / E⌉ + n(w)·P,  f = min((q + 1)·A, u·N·(n(w) + 1))
 *
 * (u = faultsPerPage; the ring term 0 without a ring), iterated from
 * w = (q + 1)·A·a; the busy period ends
 * at the first q with w_q ≤ (q + 1)·T, or at the run's last job. The bound
 * is the largest w_q − q·T. The phase of the timer against the releases
 * does not enter it: it holds for every phase, and the worst phase meets it
 * most closely.
 */

/** What the response-time bound of a periodic task is computed from; every figure in cycles. */
export interface ResponseTimeInputs {
  /** T: the task's period and relative deadline. */
  periodCycles: number;
  /** A: accesses per job. */
  accessesPerJob: number;
  /** N: the pages a job may touch. */
  pageSet: number;
  /** Jobs in the run (a busy period ends at the last). */
  jobs: number;
  /** a: the most one access costs B outside a stall. */
  accessCycles: number;
  /** F: the longest fault stall. */
  faultStallCycles: number;
  /** u: the most fault stalls one page can cause between two re-arms. */
  faultsPerPage: number;
  /** R: the longest full-ring stall (0 without a ring). */
  ringFullStallCycles: number;
  /** E: the ring's entries, one per fault (0: no ring). */
  ringEntries: number;
  /** P: the longest checkpoint pause. */
  pauseCycles: number;
  /** Where checkpoints fall: every `cycles` of target time, or after every `accesses` of B's. */
  timer: { kind: 'cycles'; cycles: number } | { kind: 'accesses'; accesses: number };
}

/** The analytic worst-case response time of a job of the task, in cycles (see the module comment). */
export function responseTimeBound(t: ResponseTimeInputs): number {
  const { periodCycles: T, accessesPerJob: A, accessCycles: a, faultStallCycles: F, pauseCycles: P } = t;
  const R = t.ringFullStallCycles;
  const jitter = a + F + R;
  const epochFaults = t.faultsPerPage * t.pageSet;
  /** Checkpoints that can stop B in a window of length w holding `accesses` of B's accesses. */
  const checkpoints = (w: number, accesses: number): number =>
    t.timer.kind === 'accesses'
      ? Math.floor(accesses / t.timer.accesses) + 1
      : Math.min(Math.ceil((w + jitter) / t.timer.cycles), accesses + 1);
  let bound = 0;
  for (let q = 0; q < Math.max(1, t.jobs); q++) {
    const accesses = (q + 1) * A;
    const own = accesses * a;
    let w = own;
    for (;;) {
      const n = checkpoints(w, accesses);
      const faults = Math.min(accesses, epochFaults * (n + 1));
      const rings = t.ringEntries > 0 ? Math.ceil(faults / t.ringEntries) : 0;
      const next = own + F * faults + R * rings + n * P;
      if (next === w) break;
      w = next;
    }
    bound = Math.max(bound, w - q * T);
    if (w <= (q + 1) * T) break;
  }
  return bound;
}
