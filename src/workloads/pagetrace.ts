/**
 * The binary page trace: the compact, replayable form of a real program's
 * memory trace (docs/design.md §4). Written once by the lackey importer, read many
 * times by the `trace` workload, always streamed through a fixed buffer.
 *
 * Format, version 1. All integers little-endian; u64 fields hold values
 * below 2^53.
 *
 * ```
 * offset size  field
 *      0    8  magic "DBPTRACE" (ASCII)
 *      8    4  u32 format version = 1
 *     12    4  u32 header size in bytes = 96
 *     16    4  u32 page size in bytes = 4096
 *     20    4  u32 flags: bit 0 = instruction fetches included,
 *                 bit 1 = page numbers (see below)
 *     24    4  u32 P: distinct pages (dense indices 0 … P−1)
 *     28    4  u32 distinct written pages
 *     32    8  u64 accesses (after run-length expansion)
 *     40    8  u64 records
 *     48    8  u64 W: record words (u32) in the record section
 *     56    8  u64 source text bytes imported (uncompressed lackey bytes)
 *     64    8  u64 source lines imported
 *     72    4  u32 CRC32 (zlib) of bytes [96, end) followed by header
 *                 bytes [0, 72) and [76, 96) — payload and header together
 *     76   20  reserved, zero
 *     96   4W  records
 *  96+4W   8P  page map: u64 virtual page number (address >> 12) per dense index
 * ```
 *
 * A record is one u32 word `index << 2 | run << 1 | write`, with `index` the
 * dense page index (< 2^30), `write` 1 for a write, and `run` 1 when the
 * next word is a repeat count c ≥ 2: the record then stands for c
 * consecutive accesses of that kind to that page. Only consecutive accesses
 * with the same page and the same kind are merged, so the encoding is
 * lossless: replay gives back exactly the imported access sequence, and in
 * particular every page's order of reads and writes.
 *
 * Dense indices are given in first-touch order, so the first record that
 * names index i is preceded only by indices < i. The reader checks this,
 * the counts, and the checksum in one streaming pass before replaying: a
 * truncated or corrupt file is an error, never a silently shorter workload.
 *
 * A trace exported from a generator (`export-trace`) sets flag bit 1, *page
 * numbers*: its indices are the generator's own page numbers, in any order,
 * and P is the generator's memory, untouched pages included; the page map is
 * the identity. Replay then addresses exactly the pages the generator did,
 * so a simulated run of the trace equals the run of the generator (the
 * emulated TLB's set is chosen by page number, and the runner's setup
 * touches all P pages). The reader checks index < P instead of first-touch
 * order. A file with a flag bit this code does not know is refused.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { WorkloadError } from './types.ts';

/**
 * A page trace that is damaged: truncated, extended, failing its checksum,
 * inconsistent with its header, or of another format version. A workload
 * error like any other (bad input, exit 2, and the same name across worker
 * threads); the trace cache imports such an entry again instead.
 */
export class DamagedTraceError extends WorkloadError {}

/** File magic, the first 8 bytes. */
export const PAGE_TRACE_MAGIC = 'DBPTRACE';
/** Format version this code reads and writes. */
export const PAGE_TRACE_VERSION = 1;
/** Size of the header in bytes. */
export const PAGE_TRACE_HEADER_BYTES = 96;
/** Page size of every trace: 4 KiB, the x86 and ARM base page (docs/design.md §2). */
export const PAGE_SIZE = 4096;
/** Largest number of distinct pages a page trace can hold (30-bit index). */
export const MAX_TRACE_PAGES = 2 ** 30;
/** Flag bit: instruction fetches were imported as reads. */
export const FLAG_INSTRUCTIONS = 1;
/** Flag bit: indices are page numbers in any order, P the whole memory (an exported generator). */
export const FLAG_PAGE_NUMBERS = 2;
const KNOWN_FLAGS = FLAG_INSTRUCTIONS | FLAG_PAGE_NUMBERS;

const RUN_BIT = 2;
const MAX_RUN = 0xffffffff;
const CRC_OFFSET = 72;
const IO_WORDS = 1 << 16; // 256 KiB of records per read or write

if (endianness() !== 'LE') {
  // Records are written and read through Uint32Array views, which use host byte order.
  throw new Error('dirtybench page traces need a little-endian host');
}

/** The decoded header of a page trace. */
export interface PageTraceHeader {
  /** Format version. */
  version: number;
  /** Page size in bytes (always 4096). */
  pageSize: number;
  /** Whether instruction fetches are included as reads. */
  instructions: boolean;
  /** Whether indices are page numbers in any order (an exported generator) rather than dense first-touch indices. */
  pageNumbers: boolean;
  /** Distinct pages touched (with `pageNumbers`: the generator's memory): the target's memory for this trace. */
  pages: number;
  /** Distinct pages written at least once. */
  writtenPages: number;
  /** Accesses in the trace after run-length expansion. */
  accesses: number;
  /** Records (single accesses and runs). */
  records: number;
  /** u32 words in the record section. */
  recordWords: number;
  /** Uncompressed lackey bytes the trace was imported from. */
  sourceTextBytes: number;
  /** Lackey lines the trace was imported from. */
  sourceLines: number;
  /** CRC32 stored in the header. */
  crc32: number;
}

/** What the writer is told at the end, besides what it counted itself. */
export interface PageTraceSummary {
  /** Dense index → virtual page number; only the first `pages` entries are used. Null: the identity. */
  pageMap: Float64Array | null;
  /** Distinct pages. */
  pages: number;
  /** Distinct written pages. */
  writtenPages: number;
  /** Uncompressed source bytes. */
  sourceTextBytes: number;
  /** Source lines. */
  sourceLines: number;
}

function u64(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 4294967296;
}

function setU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value >>> 0, true);
  view.setUint32(offset + 4, Math.floor(value / 4294967296), true);
}

/** CRC32 of the header without its CRC field, continuing `crc`. */
function headerCrc(header: Uint8Array, crc: number): number {
  crc = crc32(header.subarray(0, CRC_OFFSET), crc);
  return crc32(header.subarray(CRC_OFFSET + 4, PAGE_TRACE_HEADER_BYTES), crc);
}

/**
 * Streams accesses into a page trace file: run-length merges consecutive
 * identical accesses, buffers record words, and keeps the CRC as it writes.
 * Memory: one fixed buffer; the page map is the caller's.
 */
export class PageTraceWriter {
  private readonly fd: number;
  private readonly flags: number;
  private readonly words = new Uint32Array(IO_WORDS);
  private readonly bytes = new Uint8Array(this.words.buffer);
  private used = 0;
  private position = PAGE_TRACE_HEADER_BYTES;
  private crc = 0;
  private runIndex = -1;
  private runWrite = 0;
  private runCount = 0;
  /** Accesses written so far. */
  accesses = 0;
  /** Records written so far. */
  records = 0;
  /** Record words written so far. */
  recordWords = 0;

  /**
   * Starts a trace in the open file `fd` (written from offset 0). With
   * `pageNumbers`, indices are page numbers in any order (see the format).
   */
  constructor(fd: number, instructions: boolean, pageNumbers = false) {
    this.fd = fd;
    this.flags = (instructions ? FLAG_INSTRUCTIONS : 0) | (pageNumbers ? FLAG_PAGE_NUMBERS : 0);
  }

  /** Appends one access to dense page `index` (write = 1 for a write). */
  access(index: number, write: number): void {
    if (index === this.runIndex && write === this.runWrite && this.runCount < MAX_RUN) {
      this.runCount++;
      return;
    }
    if (this.runCount > 0) this.flushRun();
    this.runIndex = index;
    this.runWrite = write;
    this.runCount = 1;
  }

  private flushRun(): void {
    if (this.runCount === 1) {
      this.word((this.runIndex << 2) | this.runWrite);
    } else {
      this.word((this.runIndex << 2) | RUN_BIT | this.runWrite);
      this.word(this.runCount);
    }
    this.accesses += this.runCount;
    this.records++;
    this.runCount = 0;
  }

  private word(w: number): void {
    this.words[this.used++] = w;
    this.recordWords++;
    if (this.used === IO_WORDS) this.flushWords();
  }

  private flushWords(): void {
    this.out(this.bytes.subarray(0, this.used * 4));
    this.used = 0;
  }

  private out(data: Uint8Array): void {
    this.crc = crc32(data, this.crc);
    let done = 0;
    while (done < data.length) {
      done += writeSync(this.fd, data, done, data.length - done, this.position + done);
    }
    this.position += data.length;
  }

  /** Writes the last records, the page map and the header; returns the header. */
  finish(summary: PageTraceSummary): PageTraceHeader {
    if (this.runCount > 0) this.flushRun();
    this.flushWords();
    // Page map: u64 per page, written through the same buffer in slices.
    const map = summary.pageMap;
    const perSlice = IO_WORDS >> 1;
    for (let first = 0; first < summary.pages; first += perSlice) {
      const count = Math.min(perSlice, summary.pages - first);
      for (let i = 0; i < count; i++) {
        const vpn = map === null ? first + i : map[first + i]!;
        this.words[2 * i] = vpn >>> 0;
        this.words[2 * i + 1] = Math.floor(vpn / 4294967296);
      }
      this.out(this.bytes.subarray(0, count * 8));
    }
    const header: PageTraceHeader = {
      version: PAGE_TRACE_VERSION,
      pageSize: PAGE_SIZE,
      instructions: (this.flags & FLAG_INSTRUCTIONS) !== 0,
      pageNumbers: (this.flags & FLAG_PAGE_NUMBERS) !== 0,
      pages: summary.pages,
      writtenPages: summary.writtenPages,
      accesses: this.accesses,
      records: this.records,
      recordWords: this.recordWords,
      sourceTextBytes: summary.sourceTextBytes,
      sourceLines: summary.sourceLines,
      crc32: 0,
    };
    const bytes = encodeHeader(header);
    header.crc32 = headerCrc(bytes, this.crc);
    new DataView(bytes.buffer).setUint32(CRC_OFFSET, header.crc32, true);
    writeSync(this.fd, bytes, 0, bytes.length, 0);
    return header;
  }
}

function encodeHeader(h: PageTraceHeader): Uint8Array {
  const bytes = new Uint8Array(PAGE_TRACE_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 8; i++) bytes[i] = PAGE_TRACE_MAGIC.charCodeAt(i);
  view.setUint32(8, h.version, true);
  view.setUint32(12, PAGE_TRACE_HEADER_BYTES, true);
  view.setUint32(16, h.pageSize, true);
  view.setUint32(
    20,
    (h.instructions ? FLAG_INSTRUCTIONS : 0) | (h.pageNumbers ? FLAG_PAGE_NUMBERS : 0),
    true,
  );
  view.setUint32(24, h.pages, true);
  view.setUint32(28, h.writtenPages, true);
  setU64(view, 32, h.accesses);
  setU64(view, 40, h.records);
  setU64(view, 48, h.recordWords);
  setU64(view, 56, h.sourceTextBytes);
  setU64(view, 64, h.sourceLines);
  view.setUint32(CRC_OFFSET, h.crc32, true);
  return bytes;
}

/** True when the bytes start with the page trace magic. */
export function isPageTraceMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== PAGE_TRACE_MAGIC.charCodeAt(i)) return false;
  return true;
}

function readFully(fd: number, into: Uint8Array, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Reads and checks the header of an open page trace (magic, version, sizes,
 * and that the file is exactly as long as the header says). Does not verify
 * the checksum; {@link verifyPageTrace} does.
 * @throws WorkloadError naming the file and what is wrong.
 */
export function readPageTraceHeaderFd(
  fd: number,
  file: string,
): { header: PageTraceHeader; bytes: Uint8Array } {
  const bytes = new Uint8Array(PAGE_TRACE_HEADER_BYTES);
  const got = readFully(fd, bytes, PAGE_TRACE_HEADER_BYTES, 0);
  if (got >= 8 && !isPageTraceMagic(bytes))
    throw new DamagedTraceError(`trace: ${file} is not a page trace (bad magic)`);
  if (got < PAGE_TRACE_HEADER_BYTES) {
    throw new DamagedTraceError(`trace: page trace ${file} is truncated (${got} bytes, header needs 96)`);
  }
  const view = new DataView(bytes.buffer);
  const version = view.getUint32(8, true);
  if (version !== PAGE_TRACE_VERSION) {
    throw new DamagedTraceError(
      `trace: page trace ${file} has format version ${version}, this build reads version 1`,
    );
  }
  if (view.getUint32(12, true) !== PAGE_TRACE_HEADER_BYTES || view.getUint32(16, true) !== PAGE_SIZE) {
    throw new DamagedTraceError(`trace: page trace ${file} has a corrupt header (header size or page size)`);
  }
  const flags = view.getUint32(20, true);
  if ((flags & ~KNOWN_FLAGS) !== 0) {
    throw new DamagedTraceError(
      `trace: page trace ${file} has flags 0x${flags.toString(16)}, this build knows only 0x${KNOWN_FLAGS.toString(16)}: it was written by a newer dirtybench`,
    );
  }
  const header: PageTraceHeader = {
    version,
    pageSize: PAGE_SIZE,
    instructions: (flags & FLAG_INSTRUCTIONS) !== 0,
    pageNumbers: (flags & FLAG_PAGE_NUMBERS) !== 0,
    pages: view.getUint32(24, true),
    writtenPages: view.getUint32(28, true),
    accesses: u64(view, 32),
    records: u64(view, 40),
    recordWords: u64(view, 48),
    sourceTextBytes: u64(view, 56),
    sourceLines: u64(view, 64),
    crc32: view.getUint32(CRC_OFFSET, true),
  };
  const expected = PAGE_TRACE_HEADER_BYTES + 4 * header.recordWords + 8 * header.pages;
  const size = fstatSync(fd).size;
  if (size < expected) {
    throw new DamagedTraceError(
      `trace: page trace ${file} is truncated (${size} bytes, header says ${expected})`,
    );
  }
  if (size > expected) {
    throw new DamagedTraceError(
      `trace: page trace ${file} is corrupt (${size} bytes, header says ${expected})`,
    );
  }
  return { header, bytes };
}

/** Reads the header of a page trace file: what it holds, without replaying it. */
export function readPageTraceHeader(file: string): PageTraceHeader {
  const fd = openTrace(file);
  try {
    return readPageTraceHeaderFd(fd, file).header;
  } finally {
    closeSync(fd);
  }
}

/** Opens a file for reading, turning the OS error into one clear line. */
export function openTrace(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (e) {
    throw new WorkloadError(`trace: cannot read ${file}: ${(e as Error).message}`);
  }
}

/**
 * One streaming pass over an open page trace with a fixed buffer: checks
 * the CRC32 and that the records agree with the header (record and access
 * counts, indices below P in first-touch order — or only below P for a
 * page-numbers trace — run counts ≥ 2, distinct written pages). Memory: the
 * buffer plus one byte per distinct page.
 * @throws WorkloadError on any mismatch, naming the file.
 */
export function verifyPageTrace(
  fd: number,
  file: string,
  header: PageTraceHeader,
  headerBytes: Uint8Array,
): void {
  const words = new Uint32Array(IO_WORDS);
  const bytes = new Uint8Array(words.buffer);
  const written = new Uint8Array(header.pages);
  const recordBytes = 4 * header.recordWords;
  const total = recordBytes + 8 * header.pages;
  let crc = 0;
  let offset = 0;
  let records = 0;
  let accesses = 0;
  let writtenPages = 0;
  let nextNew = 0; // the next never-seen dense index
  const firstTouch = !header.pageNumbers;
  let pendingRun = -1; // record word waiting for its count word, or −1
  let bad = '';
  while (offset < total) {
    const length = Math.min(bytes.length, total - offset);
    const got = readFully(fd, bytes, length, PAGE_TRACE_HEADER_BYTES + offset);
    if (got < length) throw new DamagedTraceError(`trace: page trace ${file} is truncated`);
    crc = crc32(bytes.subarray(0, length), crc);
    const recordEnd = Math.min(length, recordBytes - offset) >> 2; // words of this chunk in the record section
    for (let i = 0; i < recordEnd && bad === ''; i++) {
      const w = words[i]!;
      let index: number;
      let write: number;
      if (pendingRun >= 0) {
        if (w < 2) bad = `run of ${w} accesses`;
        accesses += w;
        index = pendingRun >>> 2;
        write = pendingRun & 1;
        pendingRun = -1;
      } else if ((w & RUN_BIT) !== 0) {
        pendingRun = w;
        continue;
      } else {
        accesses++;
        index = w >>> 2;
        write = w & 1;
      }
      records++;
      if (!firstTouch) {
        if (index >= header.pages) bad = `page ${index} outside the trace's ${header.pages} pages`;
      } else if (index >= nextNew) {
        if (index !== nextNew) bad = `page index ${index} before index ${nextNew}`;
        nextNew = index + 1;
      }
      if (write === 1 && written[index] === 0) {
        written[index] = 1;
        writtenPages++;
      }
    }
    offset += length; // after a bad record keep going: the checksum decides which error to report
  }
  crc = headerCrc(headerBytes, crc);
  if (crc !== header.crc32) {
    throw new DamagedTraceError(
      `trace: page trace ${file} fails its checksum (CRC32 ${hex(crc)}, header says ${hex(header.crc32)}): the file is corrupt; import it again from its lackey trace`,
    );
  }
  // The CRC matched, so a disagreement below means the writer was wrong, not the disk.
  if (bad === '' && pendingRun >= 0) bad = 'last record lacks its run count';
  if (bad === '' && records !== header.records) bad = `${records} records, header says ${header.records}`;
  if (bad === '' && accesses !== header.accesses)
    bad = `${accesses} accesses, header says ${header.accesses}`;
  if (bad === '' && firstTouch && nextNew !== header.pages)
    bad = `${nextNew} pages used, header says ${header.pages}`;
  if (bad === '' && writtenPages !== header.writtenPages) {
    bad = `${writtenPages} written pages, header says ${header.writtenPages}`;
  }
  if (bad !== '') throw new DamagedTraceError(`trace: page trace ${file} is inconsistent: ${bad}`);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Reads the page map of a page trace: dense index → virtual page number. */
export function readPageMap(file: string): Float64Array {
  const fd = openTrace(file);
  try {
    const { header } = readPageTraceHeaderFd(fd, file);
    const raw = new Uint8Array(8 * header.pages);
    const at = PAGE_TRACE_HEADER_BYTES + 4 * header.recordWords;
    if (readFully(fd, raw, raw.length, at) < raw.length)
      throw new DamagedTraceError(`trace: page trace ${file} is truncated`);
    const view = new DataView(raw.buffer);
    const map = new Float64Array(header.pages);
    for (let i = 0; i < header.pages; i++) map[i] = u64(view, 8 * i);
    return map;
  } finally {
    closeSync(fd);
  }
}

/**
 * Sequential replay of the records of an open, verified page trace, through
 * one fixed buffer refilled with `readSync`: bounded memory for any length.
 * Yields at most `limit` accesses.
 */
export class PageTraceReplay {
  private readonly fd: number;
  private readonly words = new Uint32Array(IO_WORDS);
  private readonly bytes = new Uint8Array(this.words.buffer);
  private wordsLeftInFile: number;
  private filePosition = PAGE_TRACE_HEADER_BYTES;
  private pos = 0;
  private end = 0;
  private runIndex = 0;
  private runWrite = 0;
  private runLeft = 0;
  private remaining: number;

  /** Replays the records of `fd` (already verified) up to `limit` accesses. */
  constructor(fd: number, header: PageTraceHeader, limit: number) {
    this.fd = fd;
    this.wordsLeftInFile = header.recordWords;
    this.remaining = limit;
  }

  /** Loads the next slice of record words; false at the end of the record section. */
  private refill(): boolean {
    const count = Math.min(IO_WORDS, this.wordsLeftInFile);
    if (count === 0) return false;
    const got = readFully(this.fd, this.bytes, count * 4, this.filePosition);
    if (got < count * 4) throw new DamagedTraceError('trace: page trace shrank while it was replayed');
    this.filePosition += count * 4;
    this.wordsLeftInFile -= count;
    this.pos = 0;
    this.end = count;
    return true;
  }

  /** Fills a batch as {@link WorkloadStream.fill} does. */
  fill(pages: Int32Array, writes: Uint8Array): number {
    const n = Math.min(pages.length, writes.length, this.remaining);
    let i = 0;
    while (i < n) {
      if (this.runLeft > 0) {
        const k = Math.min(this.runLeft, n - i);
        const index = this.runIndex;
        const write = this.runWrite;
        for (let j = i + k; i < j; i++) {
          pages[i] = index;
          writes[i] = write;
        }
        this.runLeft -= k;
        continue;
      }
      if (this.pos === this.end && !this.refill()) break;
      // Single-access records: the common case, in a tight loop over the buffer.
      const words = this.words;
      let pos = this.pos;
      const end = this.end;
      while (i < n && pos < end) {
        const w = words[pos]!;
        if ((w & RUN_BIT) !== 0) break;
        pages[i] = w >>> 2;
        writes[i] = w & 1;
        i++;
        pos++;
      }
      this.pos = pos;
      if (i < n && pos < end) {
        // A run record: its count is the next word, possibly in the next slice.
        const w = words[pos]!;
        this.pos = pos + 1;
        if (this.pos === this.end && !this.refill())
          throw new DamagedTraceError('trace: page trace ends inside a run');
        this.runLeft = this.words[this.pos++]!;
        this.runIndex = w >>> 2;
        this.runWrite = w & 1;
      }
    }
    this.remaining -= i;
    return i;
  }
}
