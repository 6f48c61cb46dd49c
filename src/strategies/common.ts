/**
 * Pieces several strategies share. Everything here goes through the platform's
 * operations; nothing charges cycles of its own.
 */
import {
  bitmapScanCycles,
  type CostProfile,
  forEachFlexpage,
  type Kernel,
  maxInvalidationPerPage,
} from '../platform/index.ts';
import type { TrackerContext } from './types.ts';

/**
 * B's memory as a plain Genode component has it: one RAM dataspace of all its
 * pages, attached at the start of its address space. Core maps it in
 * superpages where the region allows (docs/design.md §2); a tracker that
 * protects or scans B per 4 KiB page passes `smallPages`, so B's entries are
 * 4 KiB pages (core's small-pages attribute, core.ts `allocRam`), and pays
 * the TLB reach it loses.
 */
export function attachPlainRam(
  { core, pages }: Pick<TrackerContext, 'core' | 'pages'>,
  smallPages = false,
): void {
  const ds = core.allocRam(pages, smallPages);
  core.attach(core.root, ds, 0);
}

/**
 * Calls `fn(vpn, order)` for aligned flexpages covering the runs of
 * consecutive pages in the ascending list `pages[0..n)`.
 */
export function forEachFlexpageOfPages(
  pages: Int32Array,
  n: number,
  fn: (vpn: number, order: number) => void,
): void {
  let i = 0;
  while (i < n) {
    const start = pages[i]!;
    let end = start + 1;
    i++;
    while (i < n && pages[i] === end) {
      end++;
      i++;
    }
    forEachFlexpage(start, end, 30, fn);
  }
}

/**
 * A checkpointer's dirty bitmap, one bit per page: marked by its fault
 * handler, scanned and cleared at a checkpoint a machine word at a time, plus
 * a store per set bit (costs.ts `bitmapScanCycles`). On the host the bits sit
 * in 32-bit words, with a summary bit per word that has a mark, so a scan
 * reads the summary and the marked words only: a large, mostly clean bitmap
 * costs little host time.
 */
export class PageBitmap {
  private readonly words: Uint32Array;
  /** Bit w: word w of {@link words} has a mark. */
  private readonly summary: Uint32Array;
  constructor(
    private readonly ctx: TrackerContext,
    readonly pages: number,
  ) {
    this.words = new Uint32Array(Math.ceil(pages / 32));
    this.summary = new Uint32Array(Math.ceil(this.words.length / 32));
  }

  /** The fault handler's bookkeeping for one page. */
  mark(page: number): void {
    this.ctx.clock.chargeHandler(this.ctx.profile.checkpointer.handlerWork);
    const w = page >>> 5;
    this.words[w]! |= 1 << (page & 31);
    this.summary[w >>> 5]! |= 1 << (w & 31);
  }

  /** Scans and clears the bitmap, appending marked pages to `out` in ascending order; charges the scan. */
  drain(out: Int32Array): number {
    const n = drainBits(this.summary, this.words, out);
    this.ctx.clock.chargeHandler(bitmapScanCycles(this.ctx.profile, this.pages, n));
    return n;
  }

  /** Its size as the checkpointer would hold it: one bit per page. */
  bytes(): number {
    return Math.ceil(this.pages / 8);
  }
}

/**
 * Appends the set bits of `words` in ascending order to `out`, visiting only
 * the words `summary` marks, and clears both. Lowest set bit first: `w & -w`.
 */
function drainBits(summary: Uint32Array, words: Uint32Array, out: Int32Array): number {
  let n = 0;
  for (let s = 0; s < summary.length; s++) {
    let marked = summary[s]!;
    if (marked === 0) continue;
    summary[s] = 0;
    while (marked !== 0) {
      const lowWord = marked & -marked;
      marked ^= lowWord;
      const i = (s << 5) + 31 - Math.clz32(lowWord);
      let w = words[i]!;
      words[i] = 0;
      while (w !== 0) {
        const low = w & -w;
        w ^= low;
        out[n++] = (i << 5) + 31 - Math.clz32(low);
      }
    }
  }
  return n;
}

/**
 * Re-arms write-fault tracking on the ascending pages `pages[0..n)`: one
 * kernel write-protect per aligned flexpage of each run of consecutive pages.
 */
export function writeProtectPages(kernel: Kernel, pages: Int32Array, n: number): void {
  forEachFlexpageOfPages(pages, n, (vpn, order) => kernel.writeProtect(vpn, order));
}

/**
 * Arms write-fault tracking on all of B: one kernel write-protect of the
 * flexpage covering B's `pages` pages (the kernel clamps it to B).
 */
export function writeProtectAll(kernel: Kernel, pages: number): void {
  kernel.writeProtect(0, Math.ceil(Math.log2(pages)));
}

/**
 * One stall of write-fault notification (kernel.ts `trackedWriteFault`, then
 * Mmu.slowAccess's retry): the trap, the notification IPC, the tracker's
 * marking, its reply, write re-enabled (one page-table entry), the retried
 * walk. (Each IPC leaves B's space and on x86 empties B's TLB: B's refills
 * are its own time, not the stall's.)
 */
export function notifyFaultStallCycles(profile: CostProfile): number {
  const k = profile.kernel;
  return (
    k.pageFaultTrap + 2 * k.ipcOneWay + profile.checkpointer.handlerWork + k.mapPerPage + profile.mmu.pageWalk
  );
}

/**
 * The most `writeProtectPages` can cost for up to `pages` pages: at most one
 * syscall per page (isolated pages), every page changed, and invalidation at
 * no more than costs.ts `maxInvalidationPerPage` per page.
 */
export function maxWriteProtectCycles(profile: CostProfile, pages: number): number {
  return pages * (profile.kernel.syscall + profile.kernel.unmapPerPage + maxInvalidationPerPage(profile));
}

/** The most `PageBitmap.drain` can cost for B's `pages` pages (every bit set). */
export function maxBitmapDrainCycles(profile: CostProfile, pages: number): number {
  return bitmapScanCycles(profile, pages, pages);
}
