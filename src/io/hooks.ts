/**
 * Test hooks for the failures a test cannot otherwise produce at a chosen
 * moment: a disk that fills up during a write, and a write that is still in
 * progress when a signal arrives. Both are off unless their environment
 * variable is set, which only the tests do; each costs one lookup per file.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** A file name: writing a file of that name fails as on a full disk (ENOSPC). */
export const FAIL_WRITE_ENV = 'DIRTYBENCH_TEST_FAIL_WRITE';

/**
 * A directory: a staged write (./stage.ts) stops after its first file, creates
 * `<dir>/paused`, and goes on once `<dir>/resume` exists.
 */
export const PAUSE_WRITE_ENV = 'DIRTYBENCH_TEST_PAUSE_WRITE';

/** @throws an ENOSPC error when {@link FAIL_WRITE_ENV} names `path`'s file. */
export function failPoint(path: string): void {
  const name = process.env[FAIL_WRITE_ENV];
  if (name === undefined || name === '' || basename(path) !== name) return;
  const e = new Error(`ENOSPC: no space left on device, write '${path}'`) as NodeJS.ErrnoException;
  e.code = 'ENOSPC';
  e.errno = -28;
  e.syscall = 'write';
  e.path = path;
  throw e;
}

/** Pauses when {@link PAUSE_WRITE_ENV} is set, until the test says resume (at most 60 s). */
export async function pausePoint(): Promise<void> {
  const dir = process.env[PAUSE_WRITE_ENV];
  if (dir === undefined || dir === '') return;
  writeFileSync(join(dir, 'paused'), String(process.pid));
  const until = Date.now() + 60_000;
  while (!existsSync(join(dir, 'resume')) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
