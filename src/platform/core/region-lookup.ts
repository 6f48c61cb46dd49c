/**
 * The page → attachment lookup of every region map (Genode keeps a region
 * map's regions in an AVL tree, `Allocator_avl_tpl<Rm_region>` in
 * region_map_component.h, O(regions)); the host memory stays close to that.
 *
 * It is two-level: one top entry per chunk of CHUNK pages holds 0 (nothing
 * attached), attachment + 1 (one attachment covers the whole chunk), or
 * −(block + 1) for a block of CHUNK per-page entries (attachment + 1, or 0).
 * B's address space, with a few large regions, then costs a word per 64 pages
 * instead of one per page; a region map of page-sized attachments costs what
 * a flat table would. A region map's top entries are a contiguous range
 * of an Int32Array starting at its `base`: of `top` here (`add`) for a
 * region map of more than CHUNK pages; the one top entry of a smaller region
 * map is a field of its own record (region-map-component.ts), so a fault in
 * it (per-page-rm: 64 Ki region maps of one page) reads no further cache line
 * to find its attachment.
 */
import { capacityFor, NONE, resized } from './tables.ts';

export const CHUNK_SHIFT = 6;
export const CHUNK = 1 << CHUNK_SHIFT;

export class RegionLookup {
  /** Top entries of the region maps `add` made room for (replaced as it grows). */
  top = new Int32Array(16);
  /** Top entries handed out so far: the next region map's base. */
  private topUsed = 0;
  /** Blocks of CHUNK per-page entries; a free block's first entry links the next free one. */
  private blocks = new Int32Array(4 * CHUNK);
  private blockCount = 0;
  private blockFree = NONE;

  private growTop(extra: number, exact: boolean): void {
    const need = this.topUsed + extra;
    if (need <= this.top.length) return;
    this.top = resized(this.top, capacityFor(this.top.length, need, exact));
  }

  private growBlocks(extra: number, exact: boolean): void {
    const need = (this.blockCount + extra) * CHUNK;
    if (need <= this.blocks.length) return;
    this.blocks = resized(this.blocks, capacityFor(this.blocks.length, need, exact));
  }

  /**
   * Makes room for `chunks` more chunks at once, as top entries and as
   * blocks; untouched capacity costs address space, not resident memory.
   */
  reserve(chunks: number): void {
    this.growTop(chunks, true);
    this.growBlocks(chunks, true);
  }

  /** Top entries for a new region map of `pages` pages, nothing attached; returns its base. */
  add(pages: number): number {
    const chunks = Math.ceil(pages / CHUNK);
    this.growTop(chunks, false);
    const base = this.topUsed;
    this.topUsed += chunks;
    return base;
  }

  /** Attachment + 1 at `page` of the region map whose top entries start at `tops[base]`, or 0. */
  slotAt(tops: Int32Array, base: number, page: number): number {
    const t = tops[base + (page >> CHUNK_SHIFT)]!;
    return t >= 0 ? t : this.blocks[((-t - 1) << CHUNK_SHIFT) + (page & (CHUNK - 1))]!;
  }

  /** The first page in [from, to) of the region map at `tops[base]` something is attached at, or −1. */
  firstAttached(tops: Int32Array, base: number, from: number, to: number): number {
    for (let c = from >> CHUNK_SHIFT; c << CHUNK_SHIFT < to; c++) {
      const lo = Math.max(from, c << CHUNK_SHIFT);
      const t = tops[base + c]!;
      if (t > 0) return lo;
      if (t === 0) continue;
      const b = (-t - 1) << CHUNK_SHIFT;
      const hi = Math.min(to, (c + 1) << CHUNK_SHIFT);
      for (let p = lo; p < hi; p++) if (this.blocks[b + (p & (CHUNK - 1))] !== 0) return p;
    }
    return -1;
  }

  /** Sets pages [from, to) of the region map at `tops[base]`, of `pages` pages, to `value` (attachment + 1, or 0). */
  setRange(tops: Int32Array, base: number, pages: number, from: number, to: number, value: number): void {
    for (let c = from >> CHUNK_SHIFT; c << CHUNK_SHIFT < to; c++) {
      const start = c << CHUNK_SHIFT;
      const end = Math.min(start + CHUNK, pages);
      const lo = Math.max(from, start);
      const hi = Math.min(to, end);
      const t = tops[base + c]!;
      if (lo === start && hi === end) {
        // The whole chunk: one top entry, and its block (if any) is free again.
        if (t < 0) {
          this.blocks[(-t - 1) << CHUNK_SHIFT] = this.blockFree;
          this.blockFree = -t - 1;
        }
        tops[base + c] = value;
        continue;
      }
      if (t === value) continue;
      let b = -t - 1;
      if (t >= 0) {
        // Part of a uniform chunk changes: it needs a block, filled with what the chunk held.
        if (this.blockFree !== NONE) {
          b = this.blockFree;
          this.blockFree = this.blocks[b << CHUNK_SHIFT]!;
        } else {
          this.growBlocks(1, false);
          b = this.blockCount++;
        }
        this.blocks.fill(t, b << CHUNK_SHIFT, (b + 1) << CHUNK_SHIFT);
        tops[base + c] = -(b + 1);
      }
      // At most CHUNK entries, often one (a page-sized attachment): a loop, not a call of fill().
      const blocks = this.blocks;
      for (let i = (b << CHUNK_SHIFT) + lo - start, e = (b << CHUNK_SHIFT) + hi - start; i < e; i++)
        blocks[i] = value;
    }
  }
}
