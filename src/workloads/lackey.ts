/**
 * Import of valgrind lackey memory traces into binary page traces.
 *
 * `valgrind --tool=lackey --trace-mem=yes PROGRAM` prints one line per
 * guest access (valgrind docs, "Lackey: an example tool"; the format strings
 * are in lackey/lk_main.c, trace_instr/trace_load/trace_store/trace_modify):
 *
 * ```
 * I  04016ab0,3      instruction fetch of 3 bytes
 *  L 1ffefffc80,8    data load
 *  S 1ffefffc78,8    data store
 *  M 0421e0a8,4      data modify (load and store of the same bytes)
 * ==6335== …         valgrind's own messages: skipped
 * ```
 *
 * Rules of this importer (each a decision, so written down):
 * - a load is a read; a store is a write; a modify is emitted as ONE write —
 *   it reads and writes the same bytes, and for dirty tracking the write is
 *   what matters (the read cannot fault separately from the write on a page
 *   that is already mapped for the load);
 * - an instruction fetch is a read of a code page; code pages are part of
 *   the target's memory and are checkpointed like any other, so fetches are
 *   included by default (`instructions: false` drops them);
 * - an access of `size` bytes at `addr` touches every 4 KiB page from
 *   addr >> 12 to (addr + size − 1) >> 12, in ascending order, one access
 *   each;
 * - a size no lackey trace can hold is an error: an instruction fetch is 1
 *   to {@link MAX_INSTRUCTION_BYTES} = 20 bytes, a data access 1 to
 *   {@link MAX_DATA_BYTES} = 512 bytes. An x86 instruction is at most 15
 *   bytes (Intel SDM vol. 2A, §2.3.11: "The maximum length of an Intel 64
 *   and IA-32 instruction remains 15 bytes"); lackey asserts that a fetch is
 *   at most valgrind's VG_MAX_INSTR_SZB (16 on x86 and amd64) or exactly
 *   VG_CLREQ_SZB, a client request's magic sequence reported as one
 *   instruction (19 bytes on amd64, 20 on ARM, POWER, MIPS and RISC-V)
 *   (lackey/lk_main.c, addEvent_Ir; include/pub_tool_machine.h), and that a
 *   data access is 1 to MAX_DSIZE = 512 bytes (lk_main.c, addEvent_Dr/Dw/Dm;
 *   512 is x86's FXSAVE area, the largest block one helper moves);
 * - an access whose last byte lies past 2^64 − 1 (it would wrap to address
 *   0) is an error;
 * - a trace may touch at most {@link DEFAULT_IMPORT_MAX_PAGES} = 2^29
 *   distinct pages, the most the emulated platform holds (`MAX_PAGES`): the
 *   import stops at the first page past it, before its tables grow;
 * - lines starting `==` (valgrind's messages) or `--` (valgrind's `-v`
 *   diagnostics) and empty lines are skipped; a trailing `\r` is ignored;
 *   any other line is an error naming its line number and text;
 * - each touched virtual page gets a dense index in first-touch order; the
 *   page trace keeps the index → virtual page map.
 *
 * Input may be plain text or gzip (detected by the magic bytes 1f 8b, not by
 * the name). The async importer streams the file through zlib in 1 MiB
 * chunks and parses bytes in place (no string per line); memory is bounded by
 * the chunk buffers plus O(distinct pages) for the page table — never by the
 * trace length. Addresses are parsed as two parts: the page number (all but
 * the last 3 hex digits, at most 52 bits, exact in a double) and the offset
 * in the page (the last 3 digits), so no BigInt is needed.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { AtomicFile } from '../io/index.ts';
import { abandonCacheFile, commitCacheFile, openCacheFile } from './cachefile.ts';
import { MAX_PAGES } from './common.ts';
import { type PageTraceHeader, PageTraceWriter } from './pagetrace.ts';
import { WorkloadError } from './types.ts';

/** Import statistics, for the CLI and the benchmark to report. */
export interface LackeyImportStats {
  /** Path of the lackey file. */
  source: string;
  /** Bytes of the file as stored (the compressed size for gzip). */
  fileBytes: number;
  /** Whether the file was gzip-compressed. */
  gzip: boolean;
  /** Bytes of lackey text parsed (after decompression). */
  textBytes: number;
  /** Lines read, including skipped ones. */
  lines: number;
  /** Lines skipped: valgrind messages and empty lines. */
  skippedLines: number;
  /** `I` lines (counted even when instruction fetches are dropped). */
  instructionLines: number;
  /** `L` lines. */
  loadLines: number;
  /** `S` lines. */
  storeLines: number;
  /** `M` lines. */
  modifyLines: number;
  /** Access lines whose bytes span more than one page. */
  straddlingLines: number;
  /** Page accesses in the page trace (straddles count once per page). */
  accesses: number;
  /** Records in the page trace (after run-length merging). */
  records: number;
  /** Distinct pages touched. */
  pages: number;
  /** Distinct pages written. */
  writtenPages: number;
  /** Whether instruction fetches were imported. */
  instructions: boolean;
  /** SHA-256 (hex) of the file's bytes as stored: what the trace cache is keyed on. */
  sourceSha256: string;
}

/** Options of an import. */
export interface LackeyImportOptions {
  /** Import instruction fetches as reads of code pages (default true). */
  instructions?: boolean;
  /** Most distinct pages the trace may touch (default {@link DEFAULT_IMPORT_MAX_PAGES}; smaller in tests). */
  maxPages?: number;
  /**
   * SHA-256 (hex) the source's bytes must have: the import fails, and writes
   * nothing, when the file changed since it was hashed.
   */
  expectSha256?: string;
}

/** Longest instruction fetch a lackey trace can hold, in bytes (see the module comment). */
export const MAX_INSTRUCTION_BYTES = 20;
/** Largest data access a lackey trace can hold, in bytes (lackey's MAX_DSIZE). */
export const MAX_DATA_BYTES = 512;
/** Distinct pages an import accepts: the run's own limit, the most the emulated platform holds. */
export const DEFAULT_IMPORT_MAX_PAGES = MAX_PAGES;
/** The last virtual page number of a 64-bit address space. */
const LAST_VPN = 2 ** 52 - 1;

/** Longest line kept across chunk boundaries; longer ones are refused (bounded memory). */
const MAX_LINE_BYTES = 1 << 20;
/** Read and inflate in 1 MiB chunks. */
const CHUNK_BYTES = 1 << 20;

/** Hex digit value per byte, −1 when not a hex digit. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i;
  HEX[97 + i] = 10 + i;
}

const NL = 10;
const CR = 13;
const SPACE = 32;
const COMMA = 44;

/**
 * Dense index per virtual page number: open addressing with linear probing
 * over a Float64Array of keys (page numbers reach 2^52, beyond V8's small
 * integers, and a Map would box them per lookup) and an Int32Array of values.
 */
class PageIndexTable {
  private keys: Float64Array;
  private values: Int32Array;
  private shift: number;
  private size = 0;

  constructor(log2Capacity = 12) {
    this.keys = new Float64Array(1 << log2Capacity).fill(-1);
    this.values = new Int32Array(1 << log2Capacity);
    this.shift = 32 - log2Capacity;
  }

  /** Fibonacci hashing of the page number's two 32-bit halves. */
  private slot(vpn: number): number {
    const lo = vpn >>> 0;
    const hi = ((vpn - lo) / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  /**
   * The index of `vpn`, or `fresh` after inserting it with that index; when
   * `fresh` is −1 (no room for another page), −1 without inserting.
   */
  lookupOrInsert(vpn: number, fresh: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let s = this.slot(vpn);
    for (;;) {
      const k = keys[s]!;
      if (k === vpn) return this.values[s]!;
      if (k === -1) break;
      s = (s + 1) & mask;
    }
    if (fresh < 0) return -1;
    keys[s] = vpn;
    this.values[s] = fresh;
    if (++this.size * 2 > keys.length) this.grow();
    return fresh;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const log2 = 33 - this.shift;
    this.keys = new Float64Array(1 << log2).fill(-1);
    this.values = new Int32Array(1 << log2);
    this.shift = 32 - log2;
    const mask = this.keys.length - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i]!;
      if (k === -1) continue;
      let s = this.slot(k);
      while (this.keys[s] !== -1) s = (s + 1) & mask;
      this.keys[s] = k;
      this.values[s] = oldValues[i]!;
    }
  }
}

/**
 * The lackey parser and page numbering: fed byte chunks in order, writes page
 * accesses to a {@link PageTraceWriter}. Lines may span chunks.
 */
export class LackeyImporter {
  private readonly writer: PageTraceWriter;
  private readonly file: string;
  private readonly instructions: boolean;
  private readonly maxPages: number;
  private readonly table = new PageIndexTable();
  private pageMap = new Float64Array(4096);
  private written = new Uint8Array(4096);
  private carry = Buffer.allocUnsafe(256);
  private carryLength = 0;
  // One-entry caches for code and data, which interleave: most accesses hit the last page of their kind.
  private codeVpn = -1;
  private codeIndex = 0;
  private dataVpn = -1;
  private dataIndex = 0;
  /** Statistics so far (complete after {@link finish}). */
  readonly stats: LackeyImportStats;

  /** Starts an import of `file` (named in errors) into `writer`. */
  constructor(writer: PageTraceWriter, file: string, opts: LackeyImportOptions = {}) {
    this.writer = writer;
    this.file = file;
    this.instructions = opts.instructions ?? true;
    this.maxPages = opts.maxPages ?? DEFAULT_IMPORT_MAX_PAGES;
    this.stats = {
      source: file,
      fileBytes: 0,
      gzip: false,
      textBytes: 0,
      lines: 0,
      skippedLines: 0,
      instructionLines: 0,
      loadLines: 0,
      storeLines: 0,
      modifyLines: 0,
      straddlingLines: 0,
      accesses: 0,
      records: 0,
      pages: 0,
      writtenPages: 0,
      instructions: this.instructions,
      sourceSha256: '',
    };
  }

  /** Parses the next chunk of text. */
  push(chunk: Buffer): void {
    this.stats.textBytes += chunk.length;
    let start = 0;
    if (this.carryLength > 0) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.keep(chunk, 0, chunk.length);
        return;
      }
      this.keep(chunk, 0, nl);
      this.line(this.carry, 0, this.carryLength);
      this.carryLength = 0;
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      if (nl < 0) break;
      this.line(chunk, start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk, start, chunk.length);
  }

  /** Keeps the unfinished tail of a chunk for the next one. */
  private keep(chunk: Buffer, from: number, to: number): void {
    const need = this.carryLength + to - from;
    if (need > MAX_LINE_BYTES) {
      throw new WorkloadError(
        `trace: ${this.file}:${this.stats.lines + 1}: line longer than ${MAX_LINE_BYTES} bytes`,
      );
    }
    if (need > this.carry.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, 2 * this.carry.length));
      this.carry.copy(bigger, 0, 0, this.carryLength);
      this.carry = bigger;
    }
    chunk.copy(this.carry, this.carryLength, from, to);
    this.carryLength = need;
  }

  /** Parses one line, bytes [s, e) of `b` without the newline. */
  private line(b: Buffer, s: number, e: number): void {
    const stats = this.stats;
    stats.lines++;
    if (e > s && b[e - 1] === CR) e--;
    if (e === s) {
      stats.skippedLines++;
      return;
    }
    const c0 = b[s]!;
    if ((c0 === 61 || c0 === 45) && e - s >= 2 && b[s + 1] === c0) {
      stats.skippedLines++; // "==PID== …" or "--PID-- …": valgrind's own
      return;
    }
    // "I  addr,size" | " L addr,size" | " S addr,size" | " M addr,size"
    if (e - s < 6 || b[s + 2] !== SPACE) this.malformed(b, s, e);
    const c1 = b[s + 1]!;
    let write = 0;
    let code = false;
    if (c0 === 73 && c1 === SPACE) {
      stats.instructionLines++;
      code = true;
    } else if (c0 === SPACE && c1 === 76) {
      stats.loadLines++;
    } else if (c0 === SPACE && c1 === 83) {
      stats.storeLines++;
      write = 1;
    } else if (c0 === SPACE && c1 === 77) {
      stats.modifyLines++;
      write = 1;
    } else {
      this.malformed(b, s, e);
    }
    // Hex address: the page number is all digits but the last three, the offset the last three.
    const hexStart = s + 3;
    let p = hexStart;
    while (p < e && b[p] !== COMMA) {
      if (HEX[b[p]!]! < 0) this.malformed(b, s, e);
      p++;
    }
    const digits = p - hexStart;
    if (digits === 0 || digits > 16 || p === e) this.malformed(b, s, e);
    const split = Math.max(p - 3, hexStart);
    let vpn = 0;
    for (let q = hexStart; q < split; q++) vpn = vpn * 16 + HEX[b[q]!]!;
    let offset = 0;
    for (let q = split; q < p; q++) offset = offset * 16 + HEX[b[q]!]!;
    // Decimal size.
    let size = 0;
    const sizeStart = ++p;
    for (; p < e; p++) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) this.malformed(b, s, e);
      size = size * 10 + d;
    }
    if (p === sizeStart || p - sizeStart > 10) this.malformed(b, s, e);
    const maxSize = code ? MAX_INSTRUCTION_BYTES : MAX_DATA_BYTES;
    if (size < 1 || size > maxSize) {
      this.refuse(
        b,
        s,
        e,
        `is ${code ? 'an instruction fetch' : 'a data access'} of ${size} bytes: lackey's are 1 to ${maxSize} bytes`,
      );
    }
    const last = vpn + Math.floor((offset + size - 1) / 4096);
    if (last > LAST_VPN)
      this.refuse(b, s, e, 'reads or writes past the last address, 2^64 − 1 (it would wrap to 0)');
    if (code && !this.instructions) return;
    if (last !== vpn) stats.straddlingLines++;
    for (let page = vpn; page <= last; page++) this.access(page, write, code);
  }

  private access(vpn: number, write: number, code: boolean): void {
    let index: number;
    if (code && vpn === this.codeVpn) index = this.codeIndex;
    else if (!code && vpn === this.dataVpn) index = this.dataIndex;
    else {
      const fresh = this.stats.pages;
      index = this.table.lookupOrInsert(vpn, fresh < this.maxPages ? fresh : -1);
      if (index < 0) this.tooManyPages();
      if (index === fresh) this.newPage(vpn);
      if (code) {
        this.codeVpn = vpn;
        this.codeIndex = index;
      } else {
        this.dataVpn = vpn;
        this.dataIndex = index;
      }
    }
    if (write === 1 && this.written[index] === 0) {
      this.written[index] = 1;
      this.stats.writtenPages++;
    }
    this.writer.access(index, write);
  }

  private tooManyPages(): never {
    const platform =
      this.maxPages === MAX_PAGES ? ', the most the emulated platform holds (2^29 pages, 2 TiB)' : '';
    throw new WorkloadError(
      `trace: ${this.file}:${this.stats.lines}: the trace touches more than ${this.maxPages} distinct pages${platform}`,
    );
  }

  private newPage(vpn: number): void {
    const index = this.stats.pages++;
    if (index === this.pageMap.length) {
      const map = new Float64Array(2 * index);
      map.set(this.pageMap);
      this.pageMap = map;
      const written = new Uint8Array(2 * index);
      written.set(this.written);
      this.written = written;
    }
    this.pageMap[index] = vpn;
  }

  /** Refuses a well-formed line no lackey trace can hold: `why` follows the line's text. */
  private refuse(b: Buffer, s: number, e: number, why: string): never {
    const text = b.toString('latin1', s, Math.min(e, s + 100));
    throw new WorkloadError(`trace: ${this.file}:${this.stats.lines}: ${JSON.stringify(text)} ${why}`);
  }

  private malformed(b: Buffer, s: number, e: number): never {
    const text = b.toString('latin1', s, Math.min(e, s + 100));
    throw new WorkloadError(
      `trace: ${this.file}:${this.stats.lines}: malformed lackey line ${JSON.stringify(text)} (expected "I  addr,size", " L addr,size", " S addr,size", " M addr,size" or a "==" line)`,
    );
  }

  /** Parses a last line without newline, writes page map and header; returns the stats. */
  finish(): LackeyImportStats {
    if (this.carryLength > 0) {
      this.line(this.carry, 0, this.carryLength);
      this.carryLength = 0;
    }
    const header: PageTraceHeader = this.writer.finish({
      pageMap: this.pageMap,
      pages: this.stats.pages,
      writtenPages: this.stats.writtenPages,
      sourceTextBytes: this.stats.textBytes,
      sourceLines: this.stats.lines,
    });
    this.stats.accesses = header.accesses;
    this.stats.records = header.records;
    return this.stats;
  }
}

/** True when the file starts with the gzip magic bytes 1f 8b. */
export function isGzipFile(file: string): boolean {
  const fd = openSource(file);
  try {
    const magic = new Uint8Array(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function openSource(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (e) {
    throw new WorkloadError(`trace: cannot read ${file}: ${(e as Error).message}`);
  }
}

/**
 * Ends an import: the importer's statistics, completed; the source's hash
 * checked against the one expected; the page trace renamed into place.
 */
function commitImport(
  importer: LackeyImporter,
  file: AtomicFile,
  f: { source: string; fileBytes: number; gzip: boolean; sha256: string; expectSha256: string | undefined },
): LackeyImportStats {
  const stats = importer.finish();
  stats.fileBytes = f.fileBytes;
  stats.gzip = f.gzip;
  stats.sourceSha256 = f.sha256;
  if (f.expectSha256 !== undefined && f.sha256 !== f.expectSha256) {
    throw new WorkloadError(
      `trace: ${f.source} changed while it was imported; run again once it is complete`,
    );
  }
  commitCacheFile(file);
  return stats;
}

/**
 * Imports a lackey trace (plain or gzip) into a page trace at `destination`,
 * streaming: bounded memory for a trace of any length. The source's bytes
 * are hashed as they stream through (`sourceSha256`). The page trace is
 * written to a temp file and renamed into place (cachefile.ts): an
 * interrupted or failed import leaves nothing behind.
 * @throws WorkloadError on an unreadable file, a malformed line (with its
 *   line number) or a corrupt gzip stream.
 * @example const stats = await importLackey('ls.lackey.gz', '/tmp/ls.pgtrace');
 */
export async function importLackey(
  source: string,
  destination: string,
  opts: LackeyImportOptions = {},
): Promise<LackeyImportStats> {
  const gzip = isGzipFile(source);
  const fileBytes = statSync(source).size;
  const file = openCacheFile(destination);
  try {
    const importer = new LackeyImporter(
      new PageTraceWriter(file.fd, opts.instructions ?? true),
      source,
      opts,
    );
    const hash = createHash('sha256');
    const hashed = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // The parser's own error (a malformed line); pipeline reports the stages it aborted for it instead.
    let refused: unknown;
    const sink = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
      try {
        for await (const chunk of chunks) importer.push(chunk);
      } catch (e) {
        refused = e;
        throw e;
      }
    };
    const input = createReadStream(source, { highWaterMark: CHUNK_BYTES });
    try {
      if (gzip) await pipeline(input, hashed, createGunzip({ chunkSize: CHUNK_BYTES }), sink);
      else await pipeline(input, hashed, sink);
    } catch (e) {
      if (refused !== undefined) throw refused;
      throw new WorkloadError(`trace: cannot import ${source}: ${(e as Error).message}`);
    }
    const sha256 = hash.digest('hex');
    return commitImport(importer, file, { source, fileBytes, gzip, sha256, expectSha256: opts.expectSha256 });
  } catch (e) {
    abandonCacheFile(file);
    throw e;
  }
}

/**
 * Largest decompressed text {@link importLackeySync} accepts: it holds the
 * whole text in memory, so it is only for small traces (tests, the shipped
 * sample); larger ones go through the streaming {@link importLackey}.
 */
export const SYNC_IMPORT_MAX_TEXT_BYTES = 64 * 1024 * 1024;

/**
 * Synchronous import of a SMALL lackey trace (at most
 * {@link SYNC_IMPORT_MAX_TEXT_BYTES} of text), for a `create` that was not
 * prepared. Same output as {@link importLackey}.
 * @throws WorkloadError when the trace is larger, unreadable or malformed.
 */
export function importLackeySync(
  source: string,
  destination: string,
  opts: LackeyImportOptions = {},
): LackeyImportStats {
  const gzip = isGzipFile(source);
  const fileBytes = statSync(source).size;
  const tooBig = `trace: ${source} holds more than ${SYNC_IMPORT_MAX_TEXT_BYTES >> 20} MiB of lackey text; import it with the asynchronous importer first (the runner does this through the workload's prepare)`;
  if (!gzip && fileBytes > SYNC_IMPORT_MAX_TEXT_BYTES) throw new WorkloadError(tooBig);
  let raw: Buffer;
  let text: Buffer;
  try {
    raw = readFileSync(source);
    text = gzip ? gunzipSync(raw, { maxOutputLength: SYNC_IMPORT_MAX_TEXT_BYTES }) : raw;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new WorkloadError(tooBig);
    throw new WorkloadError(`trace: cannot import ${source}: ${(e as Error).message}`);
  }
  const file = openCacheFile(destination);
  try {
    const importer = new LackeyImporter(
      new PageTraceWriter(file.fd, opts.instructions ?? true),
      source,
      opts,
    );
    importer.push(text);
    const sha256 = createHash('sha256').update(raw).digest('hex');
    return commitImport(importer, file, { source, fileBytes, gzip, sha256, expectSha256: opts.expectSha256 });
  } catch (e) {
    abandonCacheFile(file);
    throw e;
  }
}
