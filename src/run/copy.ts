/**
 * How A reaches B's memory to copy it at a checkpoint (`--copy-via`,
 * docs/design.md §2; issue 11 point 3). The copy is the runner's, not a
 * strategy's; the memcpy of each page (`checkpointer.copyPage`) is charged
 * by the runner either way, this adds what reaching the pages costs.
 *
 * - `attach`, rtcr's way (checkpointer.cc `_checkpoint_dataspace_content`):
 *   per dataspace of B's RAM holding reported pages (a designated dataspace
 *   of a managed one, or B's one RAM dataspace), A attaches it and the copy
 *   dataspace of B's allocation it belongs to (rtcr keeps one copy per
 *   allocation, as large, and attaches it whole), copies, and detaches the
 *   copy and then the original. A faults on both attachments; each detach
 *   unmaps every page of its region, and the original's detach revokes B's
 *   mappings of those pages too (core/checkpointer-space.ts): where the
 *   strategy keeps B's pages mapped across a checkpoint, B faults through
 *   its pager afterwards. rtcr detaches the designated dataspaces from the
 *   managed dataspace before it copies; the runner copies before the
 *   strategy re-arms, which costs the same (each page's unmap is charged
 *   once with its revocations, whichever detach comes first).
 *   rtcr's `_resolve_inc_checkpoint_dataspaces` takes only the first
 *   designated dataspace of each managed one (`if`, not `while`): a bug the
 *   model does not copy; it copies every reported one.
 * - `mapped`: A keeps each dataspace of B's RAM attached in its own address
 *   space for good (attached and read once at setup), so a copy is a memcpy
 *   per page, plus A's fault on a page whose mapping core revoked meanwhile:
 *   in 16.05 a detach of B's region unmaps A's mapping of it as well, so
 *   after the region-map trackers' re-arm A faults once per flexpage it
 *   copies next time.
 *
 * Defaults: `attach` for the strategies that declare it (the region-map
 * trackers: rtcr), `mapped` for the others, whose designs (dirty bits read
 * by unmap, the kernel extensions, and full copy and the oracle as their
 * yardsticks) presuppose a checkpointer that keeps B mapped.
 */
import {
  Backing,
  cacheMaintenanceCycles,
  ModelError,
  maxUnmapCycles,
  type Platform,
  pagerRefaultCycles,
  type RamDataspace,
  rpcCycles,
} from '../platform/index.ts';
import type { CopyVia } from '../strategies/index.ts';

export { COPY_VIA, type CopyVia } from '../strategies/index.ts';

/** What the copy adds to the strategy's bounds, in cycles. */
export interface CopyBounds {
  /** To every checkpoint pause, at most. */
  pause: number;
  /** To the longest fault stall: B's refault through its pager after A's detach (`attach`). */
  fault: number;
}

/**
 * Where each dataspace of B's RAM lay after setup, for `copyAround` to find
 * one the strategy's re-arm detached since: one record of `PART_WORDS` int32
 * per dataspace, in B page order: the dataspace, its size, the B page of
 * its page 0 (`bBase`), where B showed it ([lo, hi)), and its allocation's
 * first page and size. One typed array, not an object per dataspace, and
 * kept only under copy-on-write: the region-map trackers give every page a
 * dataspace, and an object apiece cost ~70 host bytes per emulated page
 * (issue 16).
 */
const DS = 0;
const DS_PAGES = 1;
const B_BASE = 2;
const LO = 3;
const HI = 4;
const ALLOC_BASE = 5;
const ALLOC_PAGES = 6;
const PART_WORDS = 7;

export class Copier {
  private readonly b = new Backing();
  /** Per B page: the checkpoint at which the dataspace starting there was copied last (`attach`). */
  private copiedAt: Int32Array | null = null;
  private checkpoint = 0;
  /**
   * What the bounds need of B's RAM as it stood after setup, gathered once
   * by `setUp`: per cost of copying one dataspace whole (`partCycles`;
   * `attach` only), the number of dataspaces costing it; whether any is
   * attached in B's address space itself (`direct`) and any inside a
   * managed dataspace (`revocable`), and the pages of those inside one
   * (`revocablePages`).
   */
  private readonly partsOfCost = new Map<number, number>();
  private direct = false;
  private revocable = false;
  private revocablePages = 0;
  /** `PART_WORDS` per dataspace of B's RAM after setup (see `PART_WORDS`), under copy-on-write only. */
  private parts: Int32Array | null = null;
  /** Per B page, the offset of its record in `parts` (built on first use, by `copyAround`). */
  private partIndex: Int32Array | null = null;

  /** `copyOnWrite`: `copyAround` will be called (`--copy=cow`), which needs where B's dataspaces lay after setup. */
  constructor(
    private readonly platform: Platform,
    readonly mode: CopyVia,
    private readonly copyOnWrite = true,
  ) {}

  /**
   * After the strategy set B's memory up: gathers what the bounds need of
   * its dataspaces (and, under copy-on-write, where each lay); with `mapped`,
   * A attaches each for good.
   */
  setUp(): void {
    const { core, pages } = this.platform;
    const b = this.b;
    let count = 0;
    // A dataspace's cost depends on its two sizes alone: computed again only where they differ
    // from the dataspace before's (a tracker's 64 Ki designated dataspaces have one pair).
    let lastDs = 0;
    let lastAlloc = 0;
    let cost = 0;
    this.eachDataspace(() => {
      count++;
      if (this.mode === 'attach') {
        if (b.dsPages !== lastDs || b.allocPages !== lastAlloc)
          cost = this.partCycles(b.dsPages, b.allocPages);
        lastDs = b.dsPages;
        lastAlloc = b.allocPages;
        this.partsOfCost.set(cost, (this.partsOfCost.get(cost) ?? 0) + 1);
      }
      if (b.levels === 1) this.direct = true;
      else {
        this.revocable = true;
        this.revocablePages += b.dsPages;
      }
      if (this.mode === 'mapped') {
        core.checkpointer.attach();
        core.checkpointer.keepMapped(b.ds);
      }
    });
    if (this.copyOnWrite) {
      // Counted first, so the records take exactly their room (host memory only).
      const parts = new Int32Array(count * PART_WORDS);
      let at = 0;
      this.eachDataspace(() => {
        parts[at + DS] = b.ds;
        parts[at + DS_PAGES] = b.dsPages;
        parts[at + B_BASE] = b.bBase;
        parts[at + LO] = b.bLo;
        parts[at + HI] = b.bHi;
        parts[at + ALLOC_BASE] = b.allocBase;
        parts[at + ALLOC_PAGES] = b.allocPages;
        at += PART_WORDS;
      });
      this.parts = parts;
    }
    if (this.mode === 'attach') this.copiedAt = new Int32Array(pages).fill(-1);
  }

  /** Calls `visit` for each dataspace of B's RAM in B page order, with `this.b` describing it (setup only). */
  private eachDataspace(visit: () => void): void {
    const { core, pages } = this.platform;
    const b = this.b;
    for (let p = 0; p < pages; ) {
      if (!core.backingOf(p, b)) {
        p++;
        continue;
      }
      visit();
      p = Math.max(b.bHi, p + 1);
    }
  }

  /**
   * Reaches the reported pages `list[0..n)` (each once; `reported[p]` is 1
   * for each) as the mode says, charging it. B is paused; the runner
   * charges the memcpy.
   */
  copy(list: Int32Array, n: number, reported: Uint8Array): void {
    const { core } = this.platform;
    const space = core.checkpointer;
    const b = this.b;
    // B's pages [lo, hi) where B shows the dataspace looked up last. Nothing a
    // copy does changes B's region maps (A attaches and detaches in its own
    // address space; its detach only unmaps B's pages), so a page in that span
    // is backed by that dataspace: `backingOf` is called once per run of
    // reported pages in one dataspace, not per page (host time only).
    let lo = 0;
    let hi = 0;
    if (this.mode === 'mapped') {
      for (let i = 0; i < n; i++) {
        const p = list[i]!;
        if (p < lo || p >= hi) {
          if (!core.backingOf(p, b)) throw new ModelError(`copy: B's page ${p} has no dataspace attached`);
          lo = b.bLo;
          hi = b.bHi;
        }
        space.read(b.ds, p - b.bBase);
      }
      return;
    }
    const copiedAt = this.copiedAt!;
    const now = this.checkpoint++;
    for (let i = 0; i < n; i++) {
      const p = list[i]!;
      if (p >= lo && p < hi) continue; // in the dataspace copied last, with it
      if (!core.backingOf(p, b)) throw new ModelError(`copy: B's page ${p} has no dataspace attached`);
      lo = b.bLo;
      hi = b.bHi;
      // A dataspace B shows on one page is reached through that page alone, which the list holds once.
      if (hi - lo > 1) {
        if (copiedAt[lo] === now) continue;
        copiedAt[lo] = now;
      }
      // _checkpoint_dataspace_content: attach the original and the copy, copy, detach both.
      space.attach();
      space.attachCopy(b.allocPages);
      for (let q = b.bLo; q < b.bHi; q++) {
        if (reported[q] !== 1) continue;
        space.read(b.ds, q - b.bBase);
        space.writeCopy(q - b.allocBase);
      }
      space.detachCopy();
      space.detach(b.ds, b);
    }
  }

  /**
   * Reaches B's page `p` for a copy-on-write checkpoint (`--copy=cow`, cow.ts)
   * and calls `copied(q)` for each page reached, the caller charging the
   * memcpy: with `mapped` the page alone; with `attach` one attach of p's
   * dataspace and its copy, as rtcr copies a dataspace, reaching p and every
   * other page of the dataspace marked in `more` (null: p alone).
   */
  copyAround(p: number, more: Uint8Array | null, copied: (q: number) => void): void {
    const { core } = this.platform;
    const space = core.checkpointer;
    const b = this.b;
    // Where B shows p's dataspace now, or, where the strategy's re-arm detached it from B
    // (the region-map trackers, before A copies under cow), where it showed it after setup.
    let lo = 0;
    let hi = 0;
    if (core.backingOf(p, b)) {
      lo = b.bLo;
      hi = b.bHi;
    } else {
      const at = this.partOf(p);
      const parts = this.parts!;
      b.ds = parts[at + DS]! as RamDataspace;
      b.dsPages = parts[at + DS_PAGES]!;
      b.bBase = parts[at + B_BASE]!;
      b.allocBase = parts[at + ALLOC_BASE]!;
      b.allocPages = parts[at + ALLOC_PAGES]!;
      b.bLo = b.bHi = 0; // B shows it nowhere: A's detach revokes nothing of B's
      lo = parts[at + LO]!;
      hi = parts[at + HI]!;
    }
    if (this.mode === 'mapped') {
      space.read(b.ds, p - b.bBase);
      copied(p);
      return;
    }
    space.attach();
    space.attachCopy(b.allocPages);
    const { bBase, allocBase, ds } = b;
    for (let q = lo; q < hi; q++) {
      if (q !== p && (more === null || more[q] !== 1)) continue;
      space.read(ds, q - bBase);
      space.writeCopy(q - allocBase);
      copied(q);
    }
    space.detachCopy();
    space.detach(ds, b);
  }

  /** The offset in `parts` of the dataspace of B's RAM page `p` belongs to (B's RAM as it stood after setup). */
  private partOf(p: number): number {
    const parts = this.parts;
    if (parts === null) throw new ModelError('copy: copyAround on a Copier not set up for copy-on-write');
    if (this.partIndex === null) {
      const index = new Int32Array(this.platform.pages).fill(-1);
      for (let at = 0; at < parts.length; at += PART_WORDS) index.fill(at, parts[at + LO]!, parts[at + HI]!);
      this.partIndex = index;
    }
    const at = this.partIndex[p]!;
    if (at < 0) throw new ModelError(`copy: B's page ${p} belongs to no dataspace of B's RAM`);
    return at;
  }

  /**
   * The most one `copyAround` costs (a copy-on-write fault's copy), for B's
   * memory as set up: with `mapped`, A's fault on a page whose mapping core
   * revoked (a block of up to 2^maxMapOrder pages mapped); with `attach`, the
   * costliest dataspace copied whole (`partCycles`).
   */
  maxCopyAroundCycles(): number {
    const profile = this.platform.profile;
    const k = profile.kernel;
    if (this.mode === 'mapped')
      return this.revocable ? this.faultCycles() + 2 ** profile.core.maxMapOrder * k.mapPerPage : 0;
    let max = 0;
    for (const cost of this.partsOfCost.keys()) max = Math.max(max, cost);
    return max;
  }

  /** One of A's faults on a dataspace it attached, without the mapping. */
  private faultCycles(): number {
    const k = this.platform.profile.kernel;
    return k.pageFaultTrap + 2 * k.ipcOneWay + this.platform.profile.core.regionLookup;
  }

  /**
   * `attach`: the most copying one dataspace of B (`dsPages` pages, of an
   * allocation of `allocPages`) costs: attaching it and its
   * allocation's copy, every page of both faulted in and unmapped again, the
   * detaches' unmaps (each page of the original revoked from B too) and
   * cache maintenance.
   */
  private partCycles(dsPages: number, allocPages: number): number {
    const profile = this.platform.profile;
    const k = profile.kernel;
    const c = profile.core;
    const fault = this.faultCycles();
    const copyMapped = Math.min(allocPages, dsPages * 2 ** c.maxMapOrder);
    return (
      2 * (rpcCycles(profile, c.attachWork) + rpcCycles(profile, c.detachWork)) +
      // the two detaches' l4_cache_dma_coherent (issue 10), each over at most the larger dataspace
      2 * cacheMaintenanceCycles(profile, Math.max(dsPages, allocPages)) +
      dsPages * (fault + k.mapPerPage + maxUnmapCycles(profile, 1) + k.unmapPerPage) +
      dsPages * fault +
      copyMapped * (k.mapPerPage + k.unmapPerPage) +
      allocPages * k.syscall
    );
  }

  /**
   * The most the copy adds to a checkpoint's pause and to a fault stall, for
   * B's memory as set up and at most `copied` pages copied at a checkpoint:
   * with `attach`, the `copied` costliest dataspaces (at most one per copied
   * page) copied, every page of each and of its allocation's copy faulted in
   * and unmapped; with `mapped`, up to `copied` pages inside a managed
   * dataspace faulted in again and their mappings revoked by the tracker's
   * detach. A dataspace attached in B's address space itself stays attached
   * (no strategy detaches B's own regions), so A keeps its mapping; a
   * strategy that did would exceed this bound and fail its run.
   */
  bounds(copied = this.platform.pages): CopyBounds {
    const profile = this.platform.profile;
    const k = profile.kernel;
    if (this.mode === 'mapped') {
      return {
        pause: Math.min(this.revocablePages, copied) * (this.faultCycles() + k.mapPerPage + k.unmapPerPage),
        fault: 0,
      };
    }
    // Each dataspace's cost added once, costliest first, as a sort of every dataspace's cost would.
    const partsOfCost = this.partsOfCost;
    let pause = 0;
    let left = copied;
    for (const cost of [...partsOfCost.keys()].sort((x, y) => y - x)) {
      for (let i = Math.min(partsOfCost.get(cost)!, left); i > 0; i--, left--) pause += cost;
    }
    return { pause, fault: this.direct ? pagerRefaultCycles(profile) : 0 };
  }
}
