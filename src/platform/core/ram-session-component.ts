/**
 * RAM dataspaces: core's RAM service (`Ram_session_component::alloc`,
 * repos/base/src/core/ram_session_component.cc). Each allocation is one
 * dataspace of physically contiguous frames, with its metadata charged.
 *
 * The model assumes core allocates RAM dataspaces naturally aligned, so the
 * pager's source side never constrains a flexpage further (pager.ts).
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
  /** Dataspace d owns frames [frame[d], frame[d + 1]); frame[count] is the next free frame. */
  private frame = new Int32Array(17);

  constructor(
    private readonly profile: CostProfile,
    private readonly account: CoreAccount,
  ) {}

  /** Makes room for `extra` more dataspaces (exactly, or by doubling). */
  grow(extra: number, exact: boolean): void {
    const need = this.count + extra + 1;
    if (need <= this.frame.length) return;
    this.frame = resized(this.frame, capacityFor(this.frame.length, need, exact));
  }

  /** `Ram_session::alloc`: a RAM dataspace of `pages` pages. */
  alloc(pages: number): RamDataspace {
    if (!Number.isInteger(pages) || pages < 1) throw new ModelError(`RAM dataspace of ${pages} pages`);
    const next = this.frame[this.count]! + pages;
    if (next > 0x7fff_ffff) throw new ModelError(`RAM dataspace of ${pages} pages: out of frames`);
    this.account.account('dataspace-metadata', this.profile.memory.dataspaceMetadataBytes, false);
    this.grow(1, false);
    const d = this.count++;
    this.frame[d + 1] = next;
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
    return this.frame[d + 1]! - this.frame[d]!;
  }

  /** Frames allocated so far: every frame is below this. */
  frameCount(): number {
    return this.frame[this.count]!;
  }

  /** The first frame of RAM dataspace `ds` (a valid handle: the pager's walk found it attached). */
  firstFrame(ds: number): number {
    return this.frame[ds >> 1]!;
  }
}
