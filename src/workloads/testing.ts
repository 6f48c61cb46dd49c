/**
 * Helpers for tests and tools: drain a whole stream into arrays (allocates
 * the whole stream, so never for the simulator's hot path), and traces
 * without a single memory access.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importLackey } from './lackey.ts';
import type { WorkloadStream } from './types.ts';

/** A whole stream, one entry per access. */
export interface CollectedStream {
  /** Page index of every access. */
  pages: Int32Array;
  /** 1 for a write, 0 for a read, per access. */
  writes: Uint8Array;
}

/**
 * Drains `stream` in batches of `batch` accesses (the last may be shorter)
 * and closes it. Throws if the stream produces more than it announced.
 */
export function collectStream(stream: WorkloadStream, batch = 4096): CollectedStream {
  const pages = new Int32Array(stream.accesses);
  const writes = new Uint8Array(stream.accesses);
  const bp = new Int32Array(batch);
  const bw = new Uint8Array(batch);
  let at = 0;
  for (;;) {
    const n = stream.fill(bp, bw);
    if (n === 0) break;
    if (at + n > stream.accesses)
      throw new Error(`stream produced more than its ${stream.accesses} accesses`);
    pages.set(bp.subarray(0, n), at);
    writes.set(bw.subarray(0, n), at);
    at += n;
  }
  stream.close();
  if (at !== stream.accesses) throw new Error(`stream produced ${at} of its ${stream.accesses} accesses`);
  return { pages, writes };
}

/**
 * Writes into `dir` the three traces without accesses a user may hand over:
 * an empty file, a lackey log recorded without `--trace-mem=yes` (only
 * valgrind's own lines), and a page trace of 0 pages (imported from the
 * empty file).
 */
export async function accessFreeTraces(
  dir: string,
): Promise<{ empty: string; noTraceMem: string; zeroPages: string }> {
  const empty = join(dir, 'empty.lackey');
  writeFileSync(empty, '');
  const noTraceMem = join(dir, 'no-trace-mem.lackey');
  writeFileSync(noTraceMem, '==9== Lackey, an example Valgrind tool\n==9== Counted 1 call to main()\n');
  const zeroPages = join(dir, 'zero.pgtrace');
  await importLackey(empty, zeroPages);
  return { empty, noTraceMem, zeroPages };
}
