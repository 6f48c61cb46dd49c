/**
 * `trace`: replay of a real program's memory accesses (docs/design.md §4).
 *
 * `file` is either a binary page trace (see pagetrace.ts) or a valgrind
 * lackey trace, plain or gzip (see lackey.ts); the kind is told by the first
 * bytes, not the name. A lackey file is imported once into a page trace
 * cached under {@link traceCacheDir}, keyed on its content:
 *
 * - an entry is named by the SHA-256 of the lackey file's bytes as stored,
 *   the format version and the `instructions` flag, so a file rewritten with
 *   the same size and mtime (`cp -p`, `rsync -t`, `touch -r`) is imported
 *   again, and a copy under another name is not;
 * - so that a run need not hash a file it has seen, a note under
 *   `sources/` remembers a file's hash by its identity: device, inode, size,
 *   and mtime and ctime in nanoseconds. ctime cannot be set from user space
 *   (the tools above set mtime; any write or rename sets ctime to now), so a
 *   changed file never matches a note. A note is kept only for a file whose
 *   ctime is at least 2 s old when it is hashed, and the identity must be
 *   the same after hashing as before: a change within one tick of a coarse
 *   file-system clock cannot hide behind an old note (git's "racily clean"
 *   rule);
 * - the import hashes the bytes again as it streams them and writes nothing
 *   when they differ from the hash it was keyed on (the file changed
 *   meanwhile); it writes to a temp file renamed into place, removed on
 *   SIGINT, SIGTERM and SIGHUP, and the temp files of dead processes are
 *   swept by the next import (cachefile.ts);
 * - a damaged entry (truncated, failing its checksum) is removed and
 *   imported again, by `prepare` and by `create`.
 *
 * Import streams through zlib, which is asynchronous, while `create` is
 * synchronous. So:
 * - `prepare` (awaited once by the CLI before any run) imports a lackey
 *   file of any size, streaming, and returns the parameters with `file`
 *   pointing at the cached page trace;
 * - `create` on a lackey file that was not prepared uses the cached page
 *   trace if one exists, imports synchronously if the file is small (at most
 *   64 MiB of text, see `SYNC_IMPORT_MAX_TEXT_BYTES`), and otherwise refuses
 *   with a message saying to prepare it.
 *
 * `create` opens the page trace, verifies its checksum and counts in one
 * streaming pass, then replays it through a fixed buffer. The stream's
 * `pages` is the number of distinct pages the program touched (its memory
 * for this run; `common.pages` is ignored): at least one (a trace without
 * accesses, such as a lackey log recorded without `--trace-mem=yes`, is
 * refused saying so) and at most `MAX_PAGES`. `accesses` is the whole trace,
 * or `common.accesses` when that is > 0 (more than the trace holds is an
 * error). The write ratio does not apply (the trace says what is written);
 * `computeCycles` does. The seed does not apply: a trace is what it is.
 *
 * A page trace exported from a generator (`npm run bench -- export-trace`,
 * see export.ts) names the generator's page numbers, so its `pages` is the
 * generator's memory and its replay is the generator's stream, access for
 * access.
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ParamError, type ParamSpecs } from '../params/params.ts';
import { commitCacheFile, openCacheFile } from './cachefile.ts';
import { checkCommon, checkComputeTotal, checkSeed, MAX_PAGES } from './common.ts';
import { importLackey, importLackeySync } from './lackey.ts';
import {
  DamagedTraceError,
  isPageTraceMagic,
  openTrace,
  PAGE_TRACE_VERSION,
  type PageTraceHeader,
  PageTraceReplay,
  readPageTraceHeader,
  readPageTraceHeaderFd,
  verifyPageTrace,
} from './pagetrace.ts';
import type { WorkloadDef, WorkloadStream } from './types.ts';
import { WorkloadError } from './types.ts';

const params = {
  file: {
    type: 'string',
    default: '',
    doc: 'Trace to replay: a binary page trace, or valgrind lackey output (plain or gzip), imported on first use.',
  },
  instructions: {
    type: 'boolean',
    default: true,
    doc: 'Import lackey instruction fetches (I lines) as reads of code pages.',
  },
} as const satisfies ParamSpecs;

type TraceParams = { file: string; instructions: boolean };

/** The environment variable that moves the trace cache. */
export const TRACE_CACHE_ENV = 'DIRTYBENCH_TRACE_CACHE';

/** Where imported page traces are cached: `$DIRTYBENCH_TRACE_CACHE`, else `<os tmpdir>/dirtybench-traces`. */
export function traceCacheDir(): string {
  const dir = process.env[TRACE_CACHE_ENV];
  return dir !== undefined && dir !== '' ? resolve(dir) : join(tmpdir(), 'dirtybench-traces');
}

/** Tuning of the trace cache, for tests: how old a file's ctime must be before a note remembers its hash. */
export const traceCacheTuning = { settledMs: 2000 };

/** A file's identity as a note's key, and whether it is old enough to be noted. */
function identityOf(path: string): { key: string; settled: boolean } {
  const now = BigInt(Date.now()) * 1_000_000n;
  let st: BigIntStats;
  try {
    st = statSync(path, { bigint: true });
  } catch (e) {
    throw new WorkloadError(`trace: cannot read ${path}: ${(e as Error).message}`);
  }
  const key = createHash('sha256')
    .update(`${st.dev}\0${st.ino}\0${st.size}\0${st.mtimeNs}\0${st.ctimeNs}`)
    .digest('hex')
    .slice(0, 32);
  return { key, settled: now - st.ctimeNs >= BigInt(traceCacheTuning.settledMs) * 1_000_000n };
}

function notePath(identity: string): string {
  return join(traceCacheDir(), 'sources', identity);
}

function readNote(identity: string): string | undefined {
  try {
    const digest = readFileSync(notePath(identity), 'latin1');
    return /^[0-9a-f]{64}$/.test(digest) ? digest : undefined;
  } catch {
    return undefined;
  }
}

function writeNote(identity: string, digest: string): void {
  try {
    mkdirSync(join(traceCacheDir(), 'sources'), { recursive: true });
    const file = openCacheFile(notePath(identity));
    file.write(digest);
    commitCacheFile(file);
  } catch {
    // A note only saves hashing the file next time.
  }
}

/** Checks that the file is as it was when hashing began, and notes its hash when it is settled. */
function noted(path: string, before: { key: string; settled: boolean }, digest: string): string {
  if (identityOf(path).key !== before.key) {
    throw new WorkloadError(`trace: ${path} changed while it was read; run again once it is complete`);
  }
  if (before.settled) writeNote(before.key, digest);
  return digest;
}

/** Size of the reads that hash a file. */
const HASH_CHUNK_BYTES = 1 << 20;

/**
 * The SHA-256 (hex) of a file's bytes as stored: from its note, else hashed
 * in 1 MiB reads (and noted when the file is settled).
 * @throws WorkloadError when the file is unreadable or changed while it was hashed.
 */
export function sourceDigest(path: string): string {
  const before = identityOf(path);
  const known = readNote(before.key);
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  const fd = openTrace(path);
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return noted(path, before, hash.digest('hex'));
}

/** {@link sourceDigest}, streamed without blocking (for `prepare`). */
async function sourceDigestAsync(path: string): Promise<string> {
  const before = identityOf(path);
  const known = readNote(before.key);
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: HASH_CHUNK_BYTES })) hash.update(chunk);
  } catch (e) {
    throw new WorkloadError(`trace: cannot read ${path}: ${(e as Error).message}`);
  }
  return noted(path, before, hash.digest('hex'));
}

/** The cache entry for lackey content `digest` imported with or without instruction fetches. */
function entryPath(digest: string, instructions: boolean): string {
  const name = `${digest.slice(0, 32)}-v${PAGE_TRACE_VERSION}${instructions ? '' : '-noinstr'}.pgtrace`;
  return join(traceCacheDir(), name);
}

/** The cache path of the page trace imported from lackey file `source` (keyed on its content). */
export function cachedTracePath(source: string, instructions: boolean): string {
  return entryPath(sourceDigest(resolve(source)), instructions);
}

/** Checks the `file` parameter and returns it absolute; tells whether it is a page trace. */
function locate(p: TraceParams): { path: string; pageTrace: boolean } {
  if (p.file === '') {
    throw new ParamError("trace: parameter 'file' is required (a lackey trace or page trace; --trace FILE)");
  }
  const path = resolve(p.file);
  const fd = openTrace(path);
  try {
    const magic = new Uint8Array(8);
    const got = readSync(fd, magic, 0, 8, 0);
    return { path, pageTrace: got === 8 && isPageTraceMagic(magic) };
  } finally {
    closeSync(fd);
  }
}

/**
 * True when the cache entry exists and is intact (header, counts, checksum);
 * a damaged entry is removed so that it is imported again.
 */
function intactEntry(entry: string): boolean {
  if (!existsSync(entry)) return false;
  const fd = openTrace(entry);
  try {
    const { header, bytes } = readPageTraceHeaderFd(fd, entry);
    if (header.pages <= MAX_PAGES) verifyPageTrace(fd, entry, header, bytes);
    return true;
  } catch (e) {
    if (!(e instanceof DamagedTraceError)) throw e;
  } finally {
    closeSync(fd);
  }
  rmSync(entry, { force: true });
  return false;
}

/** The error for a trace without pages, saying why it has none. */
function emptyTrace(source: string, h: PageTraceHeader): WorkloadError {
  if (h.sourceTextBytes === 0)
    return new WorkloadError(`trace: ${source} is empty: it holds no memory accesses to replay`);
  const lines = `${h.sourceLines} line${h.sourceLines === 1 ? '' : 's'}`;
  const none = h.instructions
    ? 'none an access'
    : 'none an access once instructions=false drops the instruction fetches';
  return new WorkloadError(
    `trace: ${source} holds no memory accesses (${lines}, ${none}; lackey prints them only when run with --trace-mem=yes)`,
  );
}

/**
 * Imports a lackey file into the trace cache (streaming) unless an intact
 * entry for its content exists; returns the page trace path. A page trace is
 * returned as is.
 * @throws WorkloadError on an unreadable, malformed or access-free trace.
 */
export async function preparePageTrace(file: string, instructions: boolean): Promise<string> {
  const { path, pageTrace } = locate({ file, instructions });
  if (pageTrace) return path;
  const digest = await sourceDigestAsync(path);
  const entry = entryPath(digest, instructions);
  if (!intactEntry(entry)) {
    mkdirSync(traceCacheDir(), { recursive: true });
    await importLackey(path, entry, { instructions, expectSha256: digest });
  }
  const header = readPageTraceHeader(entry);
  if (header.pages === 0) throw emptyTrace(path, header);
  return entry;
}

/**
 * Opens a verified page trace as a stream of at most `limit` accesses (0 =
 * all). `source` names the trace in errors (the lackey file a cache entry
 * was imported from).
 * @throws DamagedTraceError when the file is damaged; WorkloadError when it
 *   has no pages or more than the platform holds, or for a bad `limit`.
 */
export function openPageTrace(
  path: string,
  limit: number,
  computeCycles: number,
  instructions: boolean,
  source = path,
): WorkloadStream {
  const fd = openTrace(path);
  try {
    const { header, bytes } = readPageTraceHeaderFd(fd, path);
    // Before the verifying pass, which would allocate a byte per page.
    if (header.pages > MAX_PAGES) {
      throw new WorkloadError(
        `trace: ${source} touches ${header.pages} distinct pages; the emulated platform holds at most ${MAX_PAGES}`,
      );
    }
    verifyPageTrace(fd, path, header, bytes);
    if (header.pages === 0) throw emptyTrace(source, header);
    // `instructions` says how a lackey file is imported; an exported generator (page numbers) has no fetches to ask about.
    if (!header.pageNumbers && header.instructions !== instructions) {
      throw new WorkloadError(
        `trace: page trace ${path} was imported with instructions=${header.instructions}, but instructions=${instructions} was asked; import the lackey file again with the wanted setting`,
      );
    }
    if (limit > header.accesses) {
      throw new WorkloadError(
        `trace: parameter 'accesses' must be <= the trace's ${header.accesses} accesses (or 0 for the whole trace), got ${limit}`,
      );
    }
    const accesses = limit === 0 ? header.accesses : limit;
    checkComputeTotal('trace', accesses, computeCycles);
    const replay = new PageTraceReplay(fd, header, accesses);
    let open = true;
    const close = (): void => {
      if (open) closeSync(fd);
      open = false;
    };
    return {
      pages: header.pages,
      accesses,
      computeCycles,
      jobs: null,
      fill(pages: Int32Array, writes: Uint8Array): number {
        if (!open) return 0;
        const n = replay.fill(pages, writes);
        if (n === 0) close();
        return n;
      },
      close,
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The `trace` workload. */
export const trace: WorkloadDef<typeof params> = {
  name: 'trace',
  doc: 'Replay of a real memory trace (valgrind lackey, plain or gzip, or an imported page trace).',
  params,
  async prepare(p) {
    return { ...p, file: await preparePageTrace(p.file, p.instructions) };
  },
  create(common, p, seed) {
    checkCommon('trace', common, { trace: true });
    checkSeed('trace', seed);
    const { path, pageTrace } = locate(p);
    const open = (file: string) =>
      openPageTrace(file, common.accesses, common.computeCycles, p.instructions, path);
    if (pageTrace) return open(path);
    const digest = sourceDigest(path);
    const entry = entryPath(digest, p.instructions);
    if (existsSync(entry)) {
      try {
        return open(entry);
      } catch (e) {
        if (!(e instanceof DamagedTraceError)) throw e;
        rmSync(entry, { force: true }); // damaged: import it again
      }
    }
    mkdirSync(traceCacheDir(), { recursive: true });
    importLackeySync(path, entry, { instructions: p.instructions, expectSha256: digest });
    return open(entry);
  },
};

/** What a trace holds, for the CLI and the benchmark to report. */
export interface TraceStats {
  /** The page trace replayed (the cache entry for a lackey file). */
  pageTrace: string;
  /** Size of the page trace file in bytes. */
  pageTraceBytes: number;
  /** Uncompressed lackey bytes it was imported from. */
  textBytes: number;
  /** Lackey lines it was imported from. */
  lines: number;
  /** Page accesses (straddles count once per page). */
  accesses: number;
  /** Records after run-length merging. */
  records: number;
  /** Distinct pages touched. */
  pages: number;
  /** Distinct pages written. */
  writtenPages: number;
  /** Whether instruction fetches are included. */
  instructions: boolean;
}

/**
 * Statistics of a trace: of `file` itself when it is a page trace, else of
 * its cached import (which must exist: call after `prepare` or `create`).
 * @throws WorkloadError when the file is unreadable or not imported yet.
 */
export function traceStats(file: string, instructions = true): TraceStats {
  const { path, pageTrace } = locate({ file, instructions });
  const replayPath = pageTrace ? path : cachedTracePath(path, instructions);
  if (!pageTrace && !existsSync(replayPath)) {
    throw new WorkloadError(`trace: ${path} has not been imported yet (prepare the trace workload first)`);
  }
  const header = readPageTraceHeader(replayPath);
  return {
    pageTrace: replayPath,
    pageTraceBytes: statSync(replayPath).size,
    textBytes: header.sourceTextBytes,
    lines: header.sourceLines,
    accesses: header.accesses,
    records: header.records,
    pages: header.pages,
    writtenPages: header.writtenPages,
    instructions: header.instructions,
  };
}
