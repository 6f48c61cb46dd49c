/**
 * The exact-integer rule: the one place it is stated (the README repeats it).
 *
 * Every figure a run counts — cycles, pages, bytes, events — is an integer,
 * and a JavaScript number holds integers exactly only up to 2^53 − 1
 * (`Number.MAX_SAFE_INTEGER`, here {@link MAX_EXACT}). Past it additions
 * round: a breakdown stops summing to its total, and a loop that waits for
 * the clock to reach a time can wait forever because a small charge no
 * longer moves it. So a run reports exact integers or fails; it never
 * reports rounded ones.
 *
 * 1. **Every total stays at most 2^53 − 1**, simulated time included
 *    (2^53 cycles are 30.7 days of target time at 3.4 GHz).
 * 2. **Each input is bounded on its own** (bad input, exit 2), so that one
 *    step is small against that limit:
 *    - a profile's cost figure at most {@link MAX_COST_CYCLES} = 2^32 cycles
 *      (1.26 s at 3.4 GHz for one operation), a byte figure at most
 *      {@link MAX_OBJECT_BYTES} = 2^20 (1 MiB for one Genode object; the
 *      largest real one, an RM session's quota, is 64 KiB), the TLB flush
 *      threshold at most 2^29 pages and the largest flexpage core maps at
 *      most 2^29 pages (order 29: B's largest memory, `MAX_PAGES`), the
 *      superpage (`mmu.superpageOrder`) at most 2^20 pages;
 *    - `computeCycles` at most 2^32 per access; `pages` at most 2^29;
 *      `accesses`, the interval and the periodic task's parameters at most
 *      2^53 − 1.
 * 3. **Inputs are bounded together by what the run is certain to spend**
 *    (bad input, exit 2, before anything runs): accesses × computeCycles
 *    (the compute alone); for `periodic`, the release of the last job plus
 *    its compute; and each strategy's analytic bounds, the run's bounds with
 *    what the copy adds (src/run/copy.ts) and the periodic task's
 *    response-time bound (src/run/realtime.ts), which must themselves be
 *    exact (`src/run/exact.ts`). A run refused for its compute or releases
 *    could never have finished within the limit; one refused for a bound
 *    would report a bound that is not exact, and could not be checked
 *    against it.
 * 4. **Totals are checked as they accumulate** (a `ModelError`, exit 1):
 *    - the clock refuses any charge that would take simulated time past
 *      2^53 − 1 (`Clock.charge`, `Clock.chargeCategory`);
 *    - `Mmu.run` adds each access's cycles to a local, unchecked, so it
 *      checks ahead instead: on entry and after every slow-path access, that
 *      its remaining accesses at their dearest (compute plus a page walk
 *      each; everything else they cost is charged through the clock) cannot
 *      take the time past 2^53 − 1 (`Clock.checkAhead`). With the bounds of
 *      rule 2 and the runner's batches of 4096 accesses, this refuses a run
 *      at most 2^45 cycles (0.004 % of the limit) before it would reach it;
 *    - the finished run's integer figures (memory bytes and event counts,
 *      which core and the strategies add up outside the clock) are checked
 *      once more (`checkExactResult`, src/run/exact.ts).
 *
 * Why checking a result is enough to prove every step before it exact: the
 * figures are sums and products of non-negative integers, and IEEE 754
 * rounding is monotone. If the exact value of such a sum or product exceeds
 * 2^53 − 1, it is an integer ≥ 2^53, which rounds to a double ≥ 2^53; adding
 * or multiplying further non-negative values cannot bring it back below. So
 * a computed total ≤ 2^53 − 1 proves that every sum and product it was built
 * from was exact. Each category of the breakdown is at most the clock's
 * time, so the check on the clock covers them too. Memory totals also
 * subtract (a detach frees its metadata); rule 2 keeps them exact anyway:
 * at most 2^20 bytes per object and fewer than 2^31 objects of each of
 * core's four accounted kinds (its handles are int32) stay below 2^53.
 */

/** The largest integer a total may reach: 2^53 − 1. */
export const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** The largest cost figure a profile may give for one operation, in cycles (rule 2). */
export const MAX_COST_CYCLES = 2 ** 32;

/** The largest byte figure a profile may give for one Genode object (rule 2). */
export const MAX_OBJECT_BYTES = 2 ** 20;

/**
 * 2^order, exact: a shift for an integer order from 0 to 30, where
 * `2 ** order` is a library call of ~30 ns in V8 — several per fault on the
 * managed fault path (flexpage sizes; issue 16). Host time only.
 */
export function pow2(order: number): number {
  return (order | 0) === order && order >= 0 && order <= 30 ? 1 << order : 2 ** order;
}
