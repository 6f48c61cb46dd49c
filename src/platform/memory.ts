/**
 * The memory oracle: ground truth of what B wrote, independent of any strategy
 * (docs/design.md §1).
 *
 * Each page of B carries a content fingerprint that changes on every write: a
 * per-page write counter. (Page index, counter) identifies the content of a
 * page uniquely, so a checkpoint stores fingerprints instead of bytes and a
 * restore is exact iff every fingerprint matches. The set of pages written
 * since the last checkpoint is the set whose counter moved, so the hot path
 * pays one increment per write and nothing else. The counters live in word 1
 * of B's page records (records.ts), next to the page-table entries.
 *
 * In this model each page of B has one backing frame for its whole life (no
 * copy-on-write, no sharing), so fingerprints are indexed by B's page index.
 * A counter wraps after 2^32 writes to one page within one checkpoint interval;
 * that would hide the page from the oracle, and no workload here comes close.
 */
import { FINGERPRINT_WORD, RECORD_WORDS } from './records.ts';

export class TargetMemory {
  /** Number of pages of B. */
  readonly pages: number;
  /**
   * B's page records; the fingerprint of page p is `records[2p + 1]`
   * (RECORD_WORDS · p + FINGERPRINT_WORD). The MMU increments it on every write.
   */
  readonly records: Int32Array;
  private checkpointed: Int32Array | null = null;

  constructor(records: Int32Array) {
    this.pages = records.length / RECORD_WORDS;
    this.records = records;
  }

  /** Every page's fingerprint, as a new array indexed by page. */
  fingerprints(): Int32Array {
    const out = new Int32Array(this.pages);
    const r = this.records;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    for (let p = 0; p < this.pages; p++) out[p] = r[p * words + word]!;
    return out;
  }

  /** Fingerprints as they were at the last checkpoint, indexed by page (all 0 before the first; allocated on first use). */
  get checkpointVersion(): Int32Array {
    this.checkpointed ??= new Int32Array(this.pages);
    return this.checkpointed;
  }

  /**
   * Appends the pages written since the last checkpoint to `out` (ascending)
   * and returns how many. `out` must hold `pages` entries.
   */
  collectWritten(out: Int32Array): number {
    const r = this.records;
    const c = this.checkpointVersion;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    let n = 0;
    for (let p = 0; p < this.pages; p++) if (r[p * words + word] !== c[p]) out[n++] = p;
    return n;
  }

  /** Marks the current contents as checkpointed. */
  markCheckpoint(): void {
    const r = this.records;
    const c = this.checkpointVersion;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    for (let p = 0; p < this.pages; p++) c[p] = r[p * words + word]!;
  }
}
