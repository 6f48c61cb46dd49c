/**
 * Files of the trace cache (page traces, source notes), written as src/io's
 * atomic files — a temporary `.<name>.<pid>.<n>.tmp` beside the entry,
 * renamed into place — so readers never see a partial file and racing
 * imports both succeed, and guarded so that an interrupted import leaves
 * nothing behind:
 * - SIGINT, SIGTERM and SIGHUP remove the open temporaries; when no one
 *   else listens for the signal, the process then dies of it as it would
 *   have (the signal is raised again), so exit statuses stay what shells
 *   and job schedulers expect. When someone does listen (the CLI holds
 *   signals while it writes results, src/io/signals.ts), they decide, and
 *   the exit handler below cleans up when they exit. The handlers stay from
 *   the first cache file on: a signal that arrives during a synchronous
 *   import is delivered after it, and removing them then would drop it;
 * - any exit of the process (`process.exit`, an uncaught error) removes them;
 * - what a SIGKILL or a crash of the machine leaves is swept by the next
 *   import into that directory: src/io's `sweepStaleTemps` removes the
 *   temporaries whose process is gone.
 */
import { dirname } from 'node:path';
import { AtomicFile, sweepStaleTemps } from '../io/index.ts';
import { WorkloadError } from './types.ts';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Cache files being written now, abandoned if the process is interrupted. */
const live = new Set<AtomicFile>();
let watching = false;

function abandonLive(): void {
  for (const file of live) file.abandon();
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  abandonLive();
  for (const s of SIGNALS) process.off(s, onSignal);
  process.kill(process.pid, signal);
}

function watch(): void {
  if (watching) return;
  watching = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', abandonLive);
}

/**
 * Sweeps the destination's directory of dead processes' temporaries, then
 * opens `destination` as an atomic file guarded against interruption.
 * @throws WorkloadError when the directory is not writable.
 */
export function openCacheFile(destination: string): AtomicFile {
  sweepStaleTemps(dirname(destination));
  // The handlers go in before the temporary exists: a signal between the two would otherwise find
  // none and kill the process with its default action, leaving the temporary behind. With them in,
  // a signal waits for the event loop, by which time the file below is in `live`.
  watch();
  let file: AtomicFile;
  try {
    file = AtomicFile.open(destination);
  } catch (e) {
    throw new WorkloadError(`trace: cannot write ${destination}: ${(e as Error).message}`);
  }
  live.add(file);
  return file;
}

/**
 * Renames the file into place. Not flushed to the disk: the cache verifies
 * a page trace's checksum when it opens it, and imports a damaged one again.
 */
export function commitCacheFile(file: AtomicFile): void {
  try {
    file.commit({ durable: false });
  } catch (e) {
    abandonCacheFile(file);
    throw new WorkloadError(`trace: cannot write ${file.path}: ${(e as Error).message}`);
  }
  live.delete(file);
}

/** Removes the temporary (after an error); the destination stays as it was. */
export function abandonCacheFile(file: AtomicFile): void {
  file.abandon();
  live.delete(file);
}
