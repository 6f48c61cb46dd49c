/**
 * RAM dataspaces: core's RAM service (`Ram_session_component::alloc`,
 * repos/base/src/core/ram_session_component.cc). Each allocation is one
 * dataspace of physically contiguous frames, with its metadata charged.
 *
 * The model assumes core allocates RAM dataspaces naturally aligned, so the
 * pager's source side never constrains a flexpage further (pager.ts).
 *
 * (issue 10) Core holds its RAM in sigma0 superpages where it can (base-foc
 * platform.cc `_setup_mem_alloc` requests superpages first), so Fiasco maps a
 * large enough flexpage of a dataspace into B as superpages (kernel.ts
 * `map`). A dataspace allocated with `smallPages` stands for one core backs
 * with 4 KiB pages of its own, so B gets 4 KiB entries however large the
 * flexpage: what a tracker that protects or scans per 4 KiB page must ask
 * for. Genode 16.05 has no such attribute; it is the model's knob.
 */
import { ModelError } from '../errors.ts';
import type { CostProfile } from '../profile.ts';
import type { CoreAccount } from './quota.ts';
import { capacityFor, resized } from './tables.ts';
import type { Dataspace, RamDataspace } from './types.ts';

/** Every RAM dataspace core has allocated (core never frees one in this model). */
export class RamDataspaces {
  /** Dataspaces allocated so far. */
  private count = 0;
  /**
   * One record per dataspace (tables.ts), two int32: [0] its first frame,
   * [1] its pages (it owns frames [first, first + pages)), negated when core
   * backs it with 4 KiB pages only (issue 10). The pager reads both of the
   * dataspace it maps, attach reads [1]. Eight bytes, not a padded sixteen:
   * 64 Ki dataspaces then take 512 KiB, which a core's L2 cache may hold.
   */
  private rec = new Int32Array(2 * 16);
  /** The next free frame: every frame allocated so far is below it. */
  private nextFrame = 0;

  constructor(
    private readonly profile: CostProfile,
    private readonly account: CoreAccount,
  ) {}

  /** Makes room for `extra` more dataspaces (exactly, or by doubling). */
  grow(extra: number, exact: boolean): void {
    const need = this.count + extra;
    const capacity = this.rec.length >> 1;
    if (need <= capacity) return;
    this.rec = resized(this.rec, 2 * capacityFor(capacity, need, exact));
  }

  /** `Ram_session::alloc`: a RAM dataspace of `pages` pages; `smallPages`: backed by 4 KiB pages only (issue 10). */
  alloc(pages: number, smallPages = false): RamDataspace {
    if (!Number.isInteger(pages) || pages < 1) throw new ModelError(`RAM dataspace of ${pages} pages`);
    const first = this.nextFrame;
    const next = first + pages;
    if (next > 0x7fff_ffff) throw new ModelError(`RAM dataspace of ${pages} pages: out of frames`);
    this.account.account('dataspace-metadata', this.profile.memory.dataspaceMetadataBytes, false);
    this.grow(1, false);
    const d = this.count++;
    const rec = this.rec;
    rec[2 * d] = first;
    rec[2 * d + 1] = smallPages ? -pages : pages;
    this.nextFrame = next;
    return (d * 2) as RamDataspace;
  }

  /**
   * The RAM dataspace allocated `k` allocations after `ds` (RAM dataspaces are
   * numbered in allocation order), so a checkpointer that allocates a run of
   * them can keep the first instead of one handle each.
   * @throws ModelError when there is no such dataspace.
   */
  after(ds: RamDataspace, k: number): RamDataspace {
    const d = (ds >> 1) + k;
    if ((ds & 1) !== 0 || !Number.isInteger(k) || d < 0 || d >= this.count)
      throw new ModelError(`no RAM dataspace ${k} after ${ds}`);
    return (d * 2) as RamDataspace;
  }

  /** Size of RAM dataspace `ds` in pages. @throws ModelError for anything but a RAM dataspace of this core. */
  pagesOf(ds: Dataspace): number {
    const d = ds >> 1;
    if ((ds & 1) !== 0 || d < 0 || d >= this.count) throw new ModelError(`no RAM dataspace ${ds}`);
    return Math.abs(this.rec[2 * d + 1]!);
  }

  /** Frames allocated so far: every frame is below this. */
  frameCount(): number {
    return this.nextFrame;
  }

  /** The first frame of RAM dataspace `ds` (a valid handle: the pager's walk found it attached). */
  firstFrame(ds: number): number {
    return this.rec[ds]!; // ds = 2 × its index
  }

  /** Whether core holds RAM dataspace `ds` in superpages, so Fiasco may map it as superpages (issue 10). */
  superpages(ds: number): boolean {
    return this.rec[ds + 1]! > 0;
  }
}
