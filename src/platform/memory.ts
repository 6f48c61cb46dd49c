/**
 * The memory oracle: ground truth of what B wrote, independent of any strategy
 * (design §1).
 *
 * Each page of B carries a content fingerprint that changes on every write: a
 * per-page write counter. (Page index, counter) identifies the content of a
 * page uniquely, so a checkpoint stores fingerprints instead of bytes and a
 * restore is exact iff every fingerprint matches. The set of pages written
 * since the last checkpoint is the set whose counter moved, so the hot path
 * pays one increment per write and nothing else.
 *
 * In this model each page of B has one backing frame for its whole life (no
 * copy-on-write, no sharing), so fingerprints are indexed by B's page index.
 * A counter wraps after 2^32 writes to one page within one checkpoint interval;
 * that would hide the page from the oracle, and no workload here comes close.
 */
export class TargetMemory {
  /** Number of pages of B. */
  readonly pages: number;
  /** Fingerprint (write counter) per page; the MMU increments it on every write. */
  readonly version: Int32Array;
  private checkpointed: Int32Array | null = null;

  constructor(pages: number) {
    this.pages = pages;
    this.version = new Int32Array(pages);
  }

  /** Fingerprints as they were at the last checkpoint (all 0 before the first; allocated on first use). */
  get checkpointVersion(): Int32Array {
    this.checkpointed ??= new Int32Array(this.pages);
    return this.checkpointed;
  }

  /**
   * Appends the pages written since the last checkpoint to `out` (ascending)
   * and returns how many. `out` must hold `pages` entries.
   */
  collectWritten(out: Int32Array): number {
    const v = this.version;
    const c = this.checkpointVersion;
    let n = 0;
    for (let p = 0; p < this.pages; p++) if (v[p] !== c[p]) out[n++] = p;
    return n;
  }

  /** Marks the current contents as checkpointed. */
  markCheckpoint(): void {
    this.checkpointVersion.set(this.version);
  }
}
