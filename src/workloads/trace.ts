/**
 * `trace`: replay of a real program's memory accesses (docs/design.md §4).
 *
 * `file` is either a binary page trace (see pagetrace.ts) or a valgrind
 * lackey trace, plain or gzip (see lackey.ts); the kind is told by the first
 * bytes, not the name. A lackey file is imported once into a page trace
 * cached under `<os tmpdir>/dirtybench-traces/`, keyed by the absolute path,
 * size and mtime of the source, the `instructions` flag and the format
 * version, written atomically (temp file + rename).
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
 * for this run; `common.pages` is ignored), `accesses` the whole trace, or
 * `common.accesses` when that is > 0 (more than the trace holds is an
 * error). The write ratio does not apply (the trace says what is written);
 * `computeCycles` does. The seed does not apply: a trace is what it is.
 *
 * A page trace exported from a generator (`npm run bench -- export-trace`,
 * see export.ts) names the generator's page numbers, so its `pages` is the
 * generator's memory and its replay is the generator's stream, access for
 * access.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ParamError, type ParamSpecs } from '../params/params.ts';
import { checkCommon, checkComputeTotal, checkSeed } from './common.ts';
import { importLackey, importLackeySync } from './lackey.ts';
import {
  isPageTraceMagic,
  openTrace,
  PAGE_TRACE_VERSION,
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

/** Where imported page traces are cached. */
export function traceCacheDir(): string {
  return join(tmpdir(), 'dirtybench-traces');
}

/** The cache path of the page trace imported from lackey file `source` (absolute). */
export function cachedTracePath(source: string, instructions: boolean): string {
  const st = statSync(source);
  const key = createHash('sha256')
    .update(`${PAGE_TRACE_VERSION}\0${source}\0${st.size}\0${st.mtimeMs}\0${instructions}`)
    .digest('hex')
    .slice(0, 16);
  const name = basename(source).replace(/[^A-Za-z0-9._-]/g, '_');
  return join(traceCacheDir(), `${name}-${key}${instructions ? '' : '-noinstr'}.pgtrace`);
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

/** True when `path` holds a page trace whose header is sound (the checksum is left to `create`). */
function usableCache(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const fd = openTrace(path);
    try {
      readPageTraceHeaderFd(fd, path);
      return true;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // a damaged cache entry is imported again
  }
}

/**
 * Imports a lackey file into the trace cache (streaming) unless a cached
 * page trace exists; returns the page trace path. A page trace is returned as is.
 */
export async function preparePageTrace(file: string, instructions: boolean): Promise<string> {
  const { path, pageTrace } = locate({ file, instructions });
  if (pageTrace) return path;
  const cached = cachedTracePath(path, instructions);
  if (usableCache(cached)) return cached;
  mkdirSync(traceCacheDir(), { recursive: true });
  await importLackey(path, cached, { instructions });
  return cached;
}

/** Opens a verified page trace as a stream of at most `limit` accesses (0 = all). */
export function openPageTrace(
  path: string,
  limit: number,
  computeCycles: number,
  instructions: boolean,
): WorkloadStream {
  const fd = openTrace(path);
  try {
    const { header, bytes } = readPageTraceHeaderFd(fd, path);
    // `instructions` says how a lackey file is imported; an exported generator (page numbers) has no fetches to ask about.
    if (!header.pageNumbers && header.instructions !== instructions) {
      throw new WorkloadError(
        `trace: page trace ${path} was imported with instructions=${header.instructions}, but instructions=${instructions} was asked; import the lackey file again with the wanted setting`,
      );
    }
    verifyPageTrace(fd, path, header, bytes);
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
    let replayPath = path;
    if (!pageTrace) {
      replayPath = cachedTracePath(path, p.instructions);
      if (!usableCache(replayPath)) {
        mkdirSync(traceCacheDir(), { recursive: true });
        importLackeySync(path, replayPath, { instructions: p.instructions });
      }
    }
    return openPageTrace(replayPath, common.accesses, common.computeCycles, p.instructions);
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
  if (!pageTrace && !usableCache(replayPath)) {
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
