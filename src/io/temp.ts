/**
 * Temporary names beside a target, and the sweep that removes the ones a
 * killed process left behind.
 *
 * A temporary is `.<target name>.<pid>.<n>.<kind>` in the target's own
 * directory (so the final rename stays within one file system): `tmp` for
 * data being written, `old` for a directory moved aside while a new one
 * takes its place. The pid says whose it is, so a later writer can tell a
 * live writer's temporaries from a dead one's.
 */
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** What a temporary is for. */
export type TempKind = 'tmp' | 'old';

let counter = 0;

/** A fresh temporary name beside `path`, unique within this process. */
export function tempPath(path: string, kind: TempKind = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.${kind}`);
}

const TEMP_NAME = /^\.(.+)\.(\d+)\.(\d+)\.(tmp|old)$/;

/** The parts of a temporary's name, or undefined when `name` is no temporary. */
export function parseTempName(name: string): { target: string; pid: number; kind: TempKind } | undefined {
  const m = TEMP_NAME.exec(name);
  if (!m) return undefined;
  return { target: m[1]!, pid: Number(m[2]), kind: m[4] as TempKind };
}

/** True while process `pid` exists on this host (EPERM: it exists but is not ours). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the temporaries in `dir` whose process is gone (all of them, or
 * only those of `target` when given), and returns what it removed or
 * restored. An `old` whose target is missing is what a writer killed between
 * moving the old directory aside and renaming the new one in left behind: it
 * is renamed back to its target instead of removed. Call it holding the
 * target's lock (./lock.ts), so no live writer is mid-way.
 */
export function sweepStaleTemps(dir: string, target?: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of names) {
    const t = parseTempName(name);
    if (!t || (target !== undefined && t.target !== target) || isAlive(t.pid)) continue;
    const path = join(dir, name);
    const original = join(dir, t.target);
    try {
      if (t.kind === 'old' && !exists(original)) renameSync(path, original);
      else rmSync(path, { recursive: true, force: true });
      swept.push(path);
    } catch {
      // Another sweeper got there first, or it is not ours to remove: leave it.
    }
  }
  return swept;
}
