/**
 * Export of a workload's exact access sequence as a binary page trace, so a
 * native replay (scripts/native) and a simulated run of the `trace` workload
 * replay the very accesses the generator makes, in the same order.
 *
 * The stream is drained through the same `fill` calls the runner makes (the
 * batch size does not change a stream: workloads/README.md, Determinism) and
 * written with flag bit 1, *page numbers*: indices are the generator's own
 * page numbers and P its memory, so the replay addresses exactly the same
 * pages (pagetrace.ts). What a trace cannot carry: the compute cycles between
 * accesses (give `--compute-cycles` again when replaying) and the job
 * structure of `periodic` (a trace has no releases: its jobs run back to back).
 */
import { closeSync, openSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type PageTraceHeader, PageTraceWriter } from './pagetrace.ts';
import type { WorkloadStream } from './types.ts';

/** Accesses drained per `fill`, as the runner does. */
const BATCH = 4096;

/**
 * Writes every access of `stream` to `file` as a page trace with page
 * numbers, atomically (a temporary file beside it, renamed at the end: a
 * failed export leaves nothing behind), and closes the stream.
 * `instructions` is recorded in the header (a `trace` stream exported again
 * keeps its setting). Returns the header written.
 */
export function exportPageTrace(
  stream: WorkloadStream,
  file: string,
  opts: { instructions?: boolean } = {},
): PageTraceHeader {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'w');
    const writer = new PageTraceWriter(fd, opts.instructions ?? false, true);
    const written = new Uint32Array(Math.ceil(stream.pages / 32));
    let writtenPages = 0;
    const pages = new Int32Array(BATCH);
    const writes = new Uint8Array(BATCH);
    for (let n = stream.fill(pages, writes); n > 0; n = stream.fill(pages, writes)) {
      for (let i = 0; i < n; i++) {
        const page = pages[i]!;
        const write = writes[i]!;
        writer.access(page, write);
        if (write === 1) {
          const word = page >>> 5;
          const bit = 1 << (page & 31);
          if ((written[word]! & bit) === 0) {
            written[word] = written[word]! | bit;
            writtenPages++;
          }
        }
      }
    }
    const header = writer.finish({
      pageMap: null,
      pages: stream.pages,
      writtenPages,
      sourceTextBytes: 0,
      sourceLines: 0,
    });
    closeSync(fd);
    fd = -1;
    renameSync(tmp, file);
    return header;
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    stream.close();
  }
}
