/**
 * Exclusive locks between processes, so two writers of one target take
 * turns instead of interleaving. A lock is a file created with O_EXCL
 * (`open(…, 'wx')`: exactly one creator succeeds) holding the owner's pid
 * and host; releasing removes it. A lock whose owner died (same host, pid
 * gone) is stale and is taken over; an empty one older than
 * {@link EMPTY_LOCK_STALE_MS} is a creator that died before writing its pid.
 *
 * Takeover renames the stale file away before removing it and checks that
 * what it moved is still the stale owner's; in the one race that check
 * cannot close (two takers and a third creator within microseconds) a lock
 * may be lost, never held twice by a live owner that still has its file.
 */
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { isAlive, tempPath } from './temp.ts';

/** An empty lock file older than this is taken to be a dead creator's. */
export const EMPTY_LOCK_STALE_MS = 10_000;

/** A held lock. */
export interface Lock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file (once; later calls do nothing). */
  release(): void;
}

/** Who holds a lock, as its file says. */
export interface LockOwner {
  pid: number;
  host: string;
}

/** The lock file that guards `target`: `.<name>.lock` beside it. */
export function lockPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.lock`);
}

function readOwner(path: string): { text: string; owner: LockOwner | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // released meanwhile
  }
  const m = /^(\d+) (.*)\n$/.exec(text);
  return { text, owner: m ? { pid: Number(m[1]), host: m[2]! } : undefined };
}

function isStale(path: string, text: string, owner: LockOwner | undefined): boolean {
  if (owner) return owner.host === hostname() && !isAlive(owner.pid);
  if (text !== '') return false; // not ours to judge
  try {
    return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_STALE_MS;
  } catch {
    return false;
  }
}

/** Removes a stale lock file, unless it changed hands since `text` was read. */
function takeOver(path: string, text: string): void {
  const aside = tempPath(path, 'old');
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else took it over or released it
  }
  if (readOwner(aside)?.text !== text) {
    // A live owner's fresh lock: put it back unless yet another one exists.
    try {
      linkSync(aside, path);
    } catch {}
  }
  try {
    unlinkSync(aside);
  } catch {}
}

/** Takes the lock at `path` if it is free or stale; otherwise says who holds it. */
export function tryLock(path: string): Lock | { owner: LockOwner | undefined } {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${process.pid} ${hostname()}\n`);
      } finally {
        closeSync(fd);
      }
      let held = true;
      return {
        path,
        release() {
          if (!held) return;
          held = false;
          try {
            unlinkSync(path);
          } catch {}
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const seen = readOwner(path);
    if (seen === undefined) continue; // released between open and read
    if (!isStale(path, seen.text, seen.owner)) return { owner: seen.owner };
    takeOver(path, seen.text);
  }
  return { owner: readOwner(path)?.owner };
}

/**
 * Takes the lock at `path`, waiting (polling every `pollMs`) while a live
 * process holds it. `onWait` is told once who is waited for.
 * @throws the file system's error when the lock file cannot be created (e.g. a missing directory).
 */
export async function acquireLock(
  path: string,
  opts: { pollMs?: number; onWait?: (owner: LockOwner | undefined) => void } = {},
): Promise<Lock> {
  let told = false;
  for (;;) {
    const got = tryLock(path);
    if ('release' in got) return got;
    if (!told) {
      told = true;
      opts.onWait?.(got.owner);
    }
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 25));
  }
}
