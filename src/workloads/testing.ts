/**
 * Helpers for tests and tools: drain a whole stream into arrays. Allocates
 * the whole stream, so never for the simulator's hot path.
 */
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
