/**
 * The checkpoint store and the restore check.
 *
 * A checkpoint stores the fingerprints of the pages the strategy reported (the
 * platform's content fingerprints stand for page contents, design §1). The
 * restore target is a fresh memory on "another machine": it receives the base
 * checkpoint and then every increment in order, exactly as a restore of the
 * chain would, and after each checkpoint it must equal B's live memory page
 * for page. Applying the chain incrementally keeps host memory at one image,
 * whatever the number of checkpoints.
 */
import { PAGE_SIZE } from '../platform/index.ts';

/** Fingerprint of a page no checkpoint has restored. */
const NEVER_RESTORED = -1;

export class CheckpointStore {
  /** The restored memory: one fingerprint per page. */
  private readonly restored: Int32Array;
  /** Pages stored so far, base included. */
  private storedPages = 0;
  /** Increments stored (checkpoints after the base). */
  increments = 0;

  constructor(readonly pages: number) {
    this.restored = new Int32Array(pages).fill(NEVER_RESTORED);
  }

  /** Stores the base checkpoint: every page. */
  storeBase(live: Int32Array): void {
    this.restored.set(live);
    this.storedPages += this.pages;
  }

  /** Stores an increment: pages `list[0..n)` with their live fingerprints. */
  storeIncrement(list: Int32Array, n: number, live: Int32Array): void {
    const r = this.restored;
    for (let i = 0; i < n; i++) {
      const p = list[i]!;
      r[p] = live[p]!;
    }
    this.storedPages += n;
    this.increments++;
  }

  /** Number of pages whose restored fingerprint differs from the live one (0: restore is exact). */
  mismatches(live: Int32Array): number {
    const r = this.restored;
    let bad = 0;
    for (let p = 0; p < this.pages; p++) if (r[p] !== live[p]) bad++;
    return bad;
  }

  /** Bytes of the stored chain: the base image plus every increment. */
  bytes(): number {
    return this.storedPages * PAGE_SIZE;
  }
}
