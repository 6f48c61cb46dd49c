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
 *
 * Finding the pages whose counter moved without visiting every page: every
 * write of B goes through a TLB entry that is writable and dirty at that
 * moment (the MMU's hit needs both; a walk or an assist makes the entry so
 * before the write completes, mmu.ts). Such an entry either was in the TLB at
 * the last checkpoint, or was filled or dirtied since — by a fill or a dirty
 * assist, which happen on a TLB miss or on the slow path, never on a hit. So
 * the MMU appends the page of every fill and every assist to a
 * {@link WriteLog}, and at each checkpoint the log restarts with the pages the
 * TLB then holds writable and dirty (at most the TLB's entries). The log is a
 * superset of the written pages, with repeats; the pages whose counter moved
 * are read from it. It costs a store per TLB miss, nothing per hit, and
 * nothing that the kernel or a strategy does can bypass it: only the MMU
 * fills the TLB, and the kernel only removes entries (a forgotten
 * invalidation leaves an entry that was logged when it was filled or
 * re-logged at a checkpoint). When the log holds more entries than an eighth
 * of B's pages, the oracle scans every page instead, which then costs no more
 * than the misses that filled the log (a scan visits a page in a nanosecond or
 * two, a miss costs several times more), and the log stays small in host
 * memory.
 */
import { FINGERPRINT_WORD, RECORD_WORDS } from './records.ts';

/**
 * Pages that may have been written since the last checkpoint, with repeats:
 * what the MMU logs for the oracle (see the module comment). Filled by
 * `Mmu.run` directly (`pages[count++]`, with room made by {@link reserve}
 * before a batch), elsewhere through {@link push}.
 */
export class WriteLog {
  /** Logged pages in [0, count); the array grows on demand. */
  pages: Int32Array;
  count = 0;
  /** True when more than `limit` pages were logged since the last checkpoint: the log is then not read. */
  overflowed = false;
  /** How often `count` went back to 0 (a new interval, an overflow): the MMU's flush reads the entries since one. */
  resets = 0;

  constructor(
    /** Past this many entries since the last checkpoint, the oracle scans every page instead. */
    readonly limit: number,
  ) {
    this.pages = new Int32Array(Math.min(limit, 1024));
  }

  /** Makes room for `extra` more entries (`count + extra <= pages.length` afterwards). */
  reserve(extra: number): void {
    if (this.count > this.limit) {
      this.overflowed = true;
      this.count = 0;
      this.resets++;
    }
    const need = this.count + extra;
    if (need > this.pages.length) {
      const grown = new Int32Array(Math.max(need, Math.min(2 * this.pages.length, this.limit + extra)));
      grown.set(this.pages.subarray(0, this.count));
      this.pages = grown;
    }
  }

  /** Logs one page (the MMU's slow path and the checkpoint's TLB pass). */
  push(page: number): void {
    if (this.count >= this.pages.length) this.reserve(1);
    this.pages[this.count++] = page;
  }

  /** Logs pages [first, first + n) (a superpage's, from the MMU). */
  pushRange(first: number, n: number): void {
    if (this.count + n > this.pages.length) this.reserve(n);
    for (let i = 0; i < n; i++) this.pages[this.count++] = first + i;
  }

  /** Whether the log holds every page written since the last checkpoint (else scan every page). */
  usable(): boolean {
    return !this.overflowed && this.count <= this.limit;
  }

  /** Starts a new interval: nothing logged. */
  clear(): void {
    this.count = 0;
    this.resets++;
    this.overflowed = false;
  }
}

/** The hardware every write of B passes through (the MMU), as the oracle needs it. */
export interface WriteWitness {
  /** Logs every page the TLB holds writable and dirty now (a checkpoint's restart of the log). */
  logWritableEntries(log: WriteLog): void;
}

export class TargetMemory {
  /** Number of pages of B. */
  readonly pages: number;
  /**
   * B's page records; the fingerprint of page p is `records[2p + 1]`
   * (RECORD_WORDS · p + FINGERPRINT_WORD). The MMU increments it on every write.
   */
  readonly records: Int32Array;
  /** Fingerprints as they were at the last checkpoint, indexed by page (all 0 before the first; allocated on first use: a baseline never checkpoints). */
  private checkpointedFingerprints: Int32Array | null = null;
  /** Pages that may have been written since the last checkpoint (module comment). */
  readonly writeLog: WriteLog;
  /** The MMU that fills {@link writeLog}; without one the oracle scans every page. */
  private witness: WriteWitness | null = null;

  constructor(records: Int32Array) {
    this.pages = records.length / RECORD_WORDS;
    this.records = records;
    this.writeLog = new WriteLog(Math.ceil(this.pages / 8));
  }

  private get checkpointed(): Int32Array {
    this.checkpointedFingerprints ??= new Int32Array(this.pages);
    return this.checkpointedFingerprints;
  }

  /** Wires the MMU that logs B's writable TLB entries (called by the MMU's constructor). */
  attachWitness(witness: WriteWitness): void {
    this.witness = witness;
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

  /** The fingerprint of page `p` at the last checkpoint. */
  checkpointedFingerprint(p: number): number {
    return this.checkpointed[p]!;
  }

  /** Whether the write log can stand for a scan of every page now. */
  private logUsable(): boolean {
    return this.witness !== null && this.writeLog.usable();
  }

  /**
   * Appends the pages written since the last checkpoint to `out` (ascending)
   * and returns how many. `out` must hold `pages` entries. Reads the write
   * log when it can (sorting what it finds), else every page.
   */
  collectWritten(out: Int32Array): number {
    if (!this.logUsable()) return this.scanWritten(out, false);
    const r = this.records;
    const c = this.checkpointed;
    const log = this.writeLog;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    let n = 0;
    for (let i = 0; i < log.count; i++) {
      const p = log.pages[i]!;
      if (r[p * words + word] !== c[p]) out[n++] = p;
    }
    out.subarray(0, n).sort();
    // Repeats of a page in the log are now adjacent.
    let unique = 0;
    for (let i = 0; i < n; i++) if (unique === 0 || out[i] !== out[unique - 1]) out[unique++] = out[i]!;
    return unique;
  }

  /**
   * Ends an interval: writes the pages written since the last checkpoint to
   * `out` unless null (each once, in no particular order), makes the current
   * contents the last checkpoint's, restarts the write log, and returns how
   * many pages. `out` must hold `pages` entries. Call it while B is stopped.
   */
  takeWritten(out: Int32Array | null): number {
    let n = 0;
    if (this.logUsable()) {
      const r = this.records;
      const c = this.checkpointed;
      const log = this.writeLog;
      const words = RECORD_WORDS;
      const word = FINGERPRINT_WORD;
      for (let i = 0; i < log.count; i++) {
        const p = log.pages[i]!;
        const v = r[p * words + word]!;
        // Marking the page as it is taken also skips its repeats in the log.
        if (v !== c[p]) {
          c[p] = v;
          if (out !== null) out[n] = p;
          n++;
        }
      }
    } else n = this.scanWritten(out, true);
    this.restartLog();
    return n;
  }

  /** Marks the current contents as checkpointed. */
  markCheckpoint(): void {
    this.takeWritten(null);
  }

  /**
   * The pages whose fingerprint moved since the last checkpoint, by visiting
   * every page: appended to `out` (ascending) unless null, and marked as
   * checkpointed when `mark`. Returns how many.
   */
  scanWritten(out: Int32Array | null, mark: boolean): number {
    const r = this.records;
    const c = this.checkpointed;
    const words = RECORD_WORDS;
    const word = FINGERPRINT_WORD;
    let n = 0;
    for (let p = 0; p < this.pages; p++) {
      const v = r[p * words + word]!;
      if (v !== c[p]) {
        if (out !== null) out[n] = p;
        n++;
        if (mark) c[p] = v;
      }
    }
    return n;
  }

  /** A new interval: the log restarts with the pages the TLB holds writable and dirty. */
  private restartLog(): void {
    this.writeLog.clear();
    this.witness?.logWritableEntries(this.writeLog);
  }
}
