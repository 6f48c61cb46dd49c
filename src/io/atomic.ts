/**
 * Files that appear whole or not at all: data goes to a temporary beside the
 * target (./temp.ts), is flushed to the disk, and is renamed over the target
 * (rename(2) is atomic within a file system: a reader opens either the old
 * file or the new one, never half of one). A failed write removes its
 * temporary and leaves the target as it was.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { failPoint } from './hooks.ts';
import { tempPath } from './temp.ts';

/** A file being written under a temporary name, renamed into place by {@link commit}. */
export class AtomicFile {
  private closed = false;

  private constructor(
    /** Where the file goes. */
    readonly path: string,
    /** The temporary it is written under. */
    readonly temp: string,
    /** Descriptor of the temporary, for writers that stream (e.g. the page-trace writer). */
    readonly fd: number,
  ) {}

  /**
   * Creates the temporary beside `path`.
   * @throws the file system's error (ENOENT for a missing directory, EACCES …).
   */
  static open(path: string): AtomicFile {
    const temp = tempPath(path);
    return new AtomicFile(path, temp, openSync(temp, 'wx'));
  }

  /** Appends `data` (all of it: short writes are retried). */
  write(data: string | Uint8Array): void {
    failPoint(this.path);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
  }

  /**
   * Renames the temporary over the target. `durable` (default) flushes the
   * data to the disk first, so a crash right after cannot leave an empty file
   * under the final name; a cache that verifies what it reads may skip it.
   */
  commit(opts: { durable?: boolean } = {}): void {
    failPoint(this.path);
    if (opts.durable ?? true) fsyncSync(this.fd);
    this.closed = true;
    closeSync(this.fd);
    renameSync(this.temp, this.path);
  }

  /** Removes the temporary; the target stays as it was. Never throws. */
  abandon(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        closeSync(this.fd);
      } catch {}
    }
    try {
      unlinkSync(this.temp);
    } catch {}
  }
}

/**
 * Opens `path` as an {@link AtomicFile}, lets `fill` write it (synchronously,
 * or through a returned promise), and commits it — or abandons it when
 * `fill` or the commit fails.
 * @returns what `fill` returned (its promise, resolved after the commit, when it is async).
 * @example writeAtomically(out, (f) => new PageTraceWriter(f.fd).writeAll(trace), { durable: false });
 */
export function writeAtomically<T>(
  path: string,
  fill: (file: AtomicFile) => T,
  opts: { durable?: boolean } = {},
): T {
  const file = AtomicFile.open(path);
  const commit = (value: T): T => {
    try {
      file.commit(opts);
    } catch (e) {
      file.abandon();
      throw e;
    }
    return value;
  };
  let value: T;
  try {
    value = fill(file);
  } catch (e) {
    file.abandon();
    throw e;
  }
  if (value instanceof Promise) {
    return value.then(
      (v) => commit(v),
      (e) => {
        file.abandon();
        throw e;
      },
    ) as T;
  }
  return commit(value);
}

/**
 * Writes `data` to `path` whole or not at all.
 * @throws the file system's error; the target is then unchanged and no temporary is left.
 * @example writeFileAtomic('results/host/2026-11-26T18-12-03Z.json', json);
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeAtomically(path, (file) => file.write(data));
}

/**
 * Points the symlink `path` at `target` (relative to the link's directory),
 * replacing what was there in one rename: a reader follows the old link or
 * the new one.
 * @example symlinkAtomic('results/latest', '2026-11-26T18-12-03Z-default');
 */
export function symlinkAtomic(path: string, target: string): void {
  const temp = tempPath(path);
  symlinkSync(target, temp, process.platform === 'win32' ? 'junction' : 'dir');
  try {
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
