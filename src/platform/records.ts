/**
 * B's per-page state in one flat array (docs/design.md §8). Each page of B has one
 * 8-byte record of two int32 words:
 *
 * - word 0, the page-table entry (`AddressSpace`): the PTE_* flags in bits
 *   0–7, and above them the TLB slot that last cached the page, a lookup
 *   hint the MMU keeps (see `Mmu`);
 * - word 1, the content fingerprint (`TargetMemory`, the oracle).
 *
 * The two live side by side because every access of B reads the one and
 * every write bumps the other: in one record the per-access path touches one
 * cache line per page instead of one per array. A stand-alone micro-benchmark
 * (two alternating platforms, uniform over 64 Ki pages) ran 1.75× faster this
 * way than with separate arrays; in the engine, `npm run bench:host` showed
 * the oracle end-to-end rate unchanged within its ±10 % run-to-run spread,
 * because there V8's per-access checks, not cache misses, set the pace.
 * Ownership stays separate: only the address space, the kernel and the MMU
 * touch word 0; only the MMU's writes and the oracle's readers touch word 1.
 */

/** Int32 words per page record. */
export const RECORD_WORDS = 2;
/** Word of a record holding the page-table entry. */
export const PTE_WORD = 0;
/** Word of a record holding the content fingerprint. */
export const FINGERPRINT_WORD = 1;

/** Largest number of pages: record indices stay below 2^30, and TLB tags (page << 2) stay positive int32. */
export const MAX_PAGES = 2 ** 29;

/** Zeroed records for `pages` pages: nothing mapped, every fingerprint 0. */
export function createPageRecords(pages: number): Int32Array {
  if (!Number.isInteger(pages) || pages < 1 || pages > MAX_PAGES)
    throw new RangeError(`B has 1 to ${MAX_PAGES} pages, not ${pages}`);
  return new Int32Array(pages * RECORD_WORDS);
}
