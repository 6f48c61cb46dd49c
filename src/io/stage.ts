/**
 * A set of files that appears whole or not at all: the files are written
 * into a fresh temporary directory beside the target (./temp.ts) and the
 * directory is switched in with one rename. Replacing a directory that
 * exists takes two renames (the old one aside, the new one in: rename(2)
 * cannot replace a non-empty directory), so between them the target is
 * briefly absent — a reader sees the old set, no set, or the new set, never
 * a mix. A writer killed between the two leaves the old set under its `old`
 * name, and the next writer's sweep renames it back (./temp.ts).
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { pausePoint } from './hooks.ts';
import { tempPath } from './temp.ts';

/** File name → content. */
export type FileSet = Readonly<Record<string, string | Uint8Array>>;

/** What a directory holds that is not a replaceable set: the names outside `replaceable`. */
export function foreignEntries(dir: string, replaceable: ReadonlySet<string>): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => !replaceable.has(n)).sort();
}

function isCode(e: unknown, ...codes: string[]): boolean {
  return codes.includes((e as NodeJS.ErrnoException).code ?? '');
}

/** A set of files written under a temporary directory, waiting to be switched in. */
export class StagedDirectory {
  private constructor(
    /** The temporary directory holding the files. */
    readonly temp: string,
  ) {}

  /**
   * Writes `files` (each flushed to the disk) into a fresh temporary
   * directory beside `target`.
   * @throws the file system's error; nothing is left behind then.
   */
  static async create(target: string, files: FileSet): Promise<StagedDirectory> {
    const temp = tempPath(target);
    mkdirSync(temp);
    const staged = new StagedDirectory(temp);
    try {
      let first = true;
      for (const [name, data] of Object.entries(files)) {
        writeFileAtomic(join(temp, name), data);
        if (first) await pausePoint();
        first = false;
      }
    } catch (e) {
      staged.abandon();
      throw e;
    }
    return staged;
  }

  /**
   * Switches the set in as `target`. A target that exists may hold only
   * names in `replaceable` (a previous set): it is replaced whole.
   * @throws Error naming the foreign entries when `target` holds anything
   *   else, or the file system's error; the staged set is kept for the caller
   *   to recover or abandon.
   */
  commitReplacing(target: string, replaceable: ReadonlySet<string>): void {
    try {
      renameSync(this.temp, target); // absent or empty: one rename
      return;
    } catch (e) {
      if (!isCode(e, 'ENOTEMPTY', 'EEXIST')) throw e;
    }
    const foreign = foreignEntries(target, replaceable);
    if (foreign.length > 0) {
      throw new Error(`${target} holds ${foreign.join(', ')}, which is no result file: not replaced`);
    }
    const old = tempPath(target, 'old');
    renameSync(target, old);
    try {
      renameSync(this.temp, target);
    } catch (e) {
      renameSync(old, target);
      throw e;
    }
    rmSync(old, { recursive: true, force: true });
  }

  /**
   * Switches the set in as `target`, which must not exist (or be empty).
   * @throws the file system's error (ENOTEMPTY or EEXIST when taken).
   */
  commitNew(target: string): void {
    renameSync(this.temp, target);
  }

  /** Removes the staged set. Never throws. */
  abandon(): void {
    rmSync(this.temp, { recursive: true, force: true });
  }
}
