/**
 * The checkpoint store and the restore check.
 *
 * A checkpoint stores the fingerprints of the pages the strategy reported (the
 * platform's content fingerprints stand for page contents, docs/design.md §1). The
 * restore target is a fresh memory on "another machine": it receives the base
 * checkpoint and then every increment in order, exactly as a restore of the
 * chain would, and after each checkpoint it must equal B's live memory page
 * for page. Applying the chain incrementally keeps host memory at one image,
 * whatever the number of checkpoints.
 */
import { FINGERPRINT_WORD, PAGE_SIZE, RECORD_WORDS, type TargetMemory } from '../platform/index.ts';

/** Fingerprint of a page no checkpoint has restored. */
const NEVER_RESTORED = -1;

/** What the verification of one checkpoint found. */
export interface CheckpointVerdict {
  /** Reported pages B wrote since the last checkpoint. */
  truePositives: number;
  /** Reported pages B did not write. */
  falsePositives: number;
  /** Pages B wrote that were not reported. */
  missed: number;
  /** Pages whose restored fingerprint differs from live memory. */
  restoreMismatches: number;
}

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
  storeBase(memory: TargetMemory): void {
    this.restored.set(memory.fingerprints());
    this.storedPages += this.pages;
  }

  /** Stores an increment: pages `list[0..n)` with their live fingerprints. */
  storeIncrement(list: Int32Array, n: number, memory: TargetMemory): void {
    const r = this.restored;
    const live = memory.records;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    for (let i = 0; i < n; i++) {
      const p = list[i]!;
      r[p] = live[p * words + word]!;
    }
    this.storedPages += n;
    this.increments++;
  }

  /**
   * Verifies a checkpoint in one pass over B's pages: the pages the strategy
   * reported (`reported[p]` ≠ 0) against the oracle's pages written since the
   * last checkpoint (fingerprint ≠ the one at the last checkpoint), and the
   * restored image, with this checkpoint's increment stored, against live
   * memory. The same pass then makes the current contents the oracle's last
   * checkpoint (`memory.markCheckpoint()`, folded in to save a pass): call it
   * once per checkpoint, while B is stopped.
   */
  verifyAndMark(reported: Uint8Array, memory: TargetMemory): CheckpointVerdict {
    const r = this.restored;
    const live = memory.records;
    const last = memory.checkpointVersion;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    let truePositives = 0;
    let falsePositives = 0;
    let missed = 0;
    let restoreMismatches = 0;
    for (let p = 0; p < this.pages; p++) {
      const v = live[p * words + word]!;
      if (v !== last[p]) {
        last[p] = v;
        if (reported[p] !== 0) truePositives++;
        else missed++;
      } else if (reported[p] !== 0) falsePositives++;
      if (r[p] !== v) restoreMismatches++;
    }
    return { truePositives, falsePositives, missed, restoreMismatches };
  }

  /**
   * The fingerprint the restored image holds for page `p`: what the last
   * checkpoint that stored `p` stored. The copy-on-write consistency check
   * (cow.ts `copiedAsAtPause`) reads it and nothing else of the store.
   */
  restoredFingerprint(p: number): number {
    return this.restored[p]!;
  }

  /** Bytes of the stored chain: the base image plus every increment. */
  bytes(): number {
    return this.storedPages * PAGE_SIZE;
  }
}
