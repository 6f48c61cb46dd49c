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
 *
 * Verification costs host time in proportion to the pages written and
 * reported, not to B's size. The missed-page check compares the oracle's
 * written set (read from its write log, memory.ts) with the reported set. The
 * restore check keeps, per page, whether the restored image differs from live
 * memory, and the number of such pages; at a checkpoint it re-compares only
 * the pages that changed on either side since the last one: the pages written
 * (live side) and the pages of the increment (restored side).
 *
 * Why that is as strong as comparing every page at every checkpoint: a page
 * neither written nor stored since the last checkpoint has the same live and
 * the same restored fingerprint as then, so its verdict is the one kept; the
 * kept count therefore equals a full comparison's at every checkpoint, by
 * induction from the base (where the image equals memory). That rests on the
 * written set being complete, which is the oracle's invariant (every write
 * passes through a TLB entry the MMU logged, memory.ts) — not on anything a
 * strategy or the kernel does. A property test runs the full comparison beside
 * the incremental one at every checkpoint (`fullCheck`), on every strategy and
 * on broken ones, and they must agree; and every run ends with one full
 * comparison of every page ({@link CheckpointStore.checkFinal}), which fails
 * the run with a ModelError if the kept verdicts ever disagree with it.
 */
import {
  FINGERPRINT_WORD,
  ModelError,
  PAGE_SIZE,
  RECORD_WORDS,
  type TargetMemory,
} from '../platform/index.ts';

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
  /** Per page, 1 while its restored fingerprint differs from live memory (as of the last check). */
  private readonly differs: Uint8Array;
  /** Pages whose `differs` is 1. */
  private mismatches = 0;
  /** Scratch: the pages written since the last checkpoint. */
  private readonly written: Int32Array;
  /** Pages stored so far, base included. */
  private storedPages = 0;
  /** Increments stored (checkpoints after the base). */
  increments = 0;
  /** What {@link verify} returns: one object, refilled at every checkpoint (no allocation per checkpoint). */
  private readonly verdict: CheckpointVerdict = {
    truePositives: 0,
    falsePositives: 0,
    missed: 0,
    restoreMismatches: 0,
  };

  constructor(readonly pages: number) {
    this.restored = new Int32Array(pages).fill(NEVER_RESTORED);
    this.differs = new Uint8Array(pages);
    this.written = new Int32Array(pages);
  }

  /** Stores the base checkpoint: every page (the restored image then equals memory). */
  storeBase(memory: TargetMemory): void {
    const r = this.restored;
    const live = memory.records;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    for (let p = 0; p < this.pages; p++) r[p] = live[p * words + word]!;
    this.differs.fill(0);
    this.mismatches = 0;
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
   * Verifies a checkpoint whose increment (the reported pages `list[0..n)`,
   * each once, marked in `reported`) is stored: the reported pages against
   * the oracle's pages written since the last checkpoint, and the restored
   * image against live memory, visiting only the pages written or reported
   * (module comment). Then makes the current contents the oracle's last
   * checkpoint (`memory.takeWritten`): call it once per checkpoint, while B
   * is stopped. The verdict returned is the store's own object, valid until
   * the next call: read it, do not keep it.
   */
  verify(reported: Uint8Array, list: Int32Array, n: number, memory: TargetMemory): CheckpointVerdict {
    const written = this.written;
    const w = memory.takeWritten(written);
    const truePositives = this.recheck(written, w, memory, reported);
    this.recheck(list, n, memory, null);
    const v = this.verdict;
    v.truePositives = truePositives;
    v.falsePositives = n - truePositives;
    v.missed = w - truePositives;
    v.restoreMismatches = this.mismatches;
    return v;
  }

  /**
   * Re-compares the restored and live fingerprints of `pages[0..n)` (repeats
   * are harmless); returns how many of them `reported` marks (0 without it),
   * counted in the same pass.
   */
  private recheck(pages: Int32Array, n: number, memory: TargetMemory, reported: Uint8Array | null): number {
    const r = this.restored;
    const differs = this.differs;
    const live = memory.records;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    let mismatches = this.mismatches;
    let marked = 0;
    for (let i = 0; i < n; i++) {
      const p = pages[i]!;
      if (reported !== null && reported[p] !== 0) marked++;
      const d = r[p] !== live[p * words + word] ? 1 : 0;
      mismatches += d - differs[p]!;
      differs[p] = d;
    }
    this.mismatches = mismatches;
    return marked;
  }

  /**
   * The verdict of the current checkpoint by visiting every page, without
   * marking anything: what {@link verify} must return when called next (with
   * the same increment stored). The reference the incremental check is
   * tested against.
   */
  fullVerdict(reported: Uint8Array, memory: TargetMemory): CheckpointVerdict {
    const r = this.restored;
    const live = memory.records;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    let truePositives = 0;
    let falsePositives = 0;
    let missed = 0;
    let restoreMismatches = 0;
    for (let p = 0; p < this.pages; p++) {
      const v = live[p * words + word]!;
      if (v !== memory.checkpointedFingerprint(p)) {
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

  /**
   * The run's one full comparison, after its final checkpoint: every page's
   * restored fingerprint against live memory, and every page's fingerprint
   * against the oracle's last checkpoint. Both must agree with what the
   * incremental checks kept (the same mismatches; no page written since).
   * @throws ModelError when they do not: the verification's own bookkeeping is wrong.
   */
  checkFinal(memory: TargetMemory): void {
    const r = this.restored;
    const live = memory.records;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    let mismatches = 0;
    let unseen = 0;
    for (let p = 0; p < this.pages; p++) {
      const v = live[p * words + word]!;
      if (r[p] !== v) mismatches++;
      if (memory.checkpointedFingerprint(p) !== v) unseen++;
    }
    if (mismatches !== this.mismatches || unseen !== 0) {
      throw new ModelError(
        `verification bookkeeping: the full comparison at the end finds ${mismatches} restore mismatches and ${unseen} pages written since the last checkpoint; the incremental checks kept ${this.mismatches} and 0`,
      );
    }
  }

  /** Bytes of the stored chain: the base image plus every increment. */
  bytes(): number {
    return this.storedPages * PAGE_SIZE;
  }
}
