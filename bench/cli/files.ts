/**
 * Writing results so that no reader ever sees half a file: every file is
 * written to a temporary name in its own directory and renamed over the final
 * name (rename is atomic within a file system). A results directory is filled
 * under a temporary name and renamed into place whole; `results/latest` is a
 * symlink made under a temporary name and renamed over the old one.
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.ts';

/** A temporary name beside `path` (`*.tmp` is git-ignored). */
function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Writes `data` to `path` atomically: temp file in the same directory, then rename. */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = tempBeside(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Checks before anything runs that `path` can be written as a file: its
 * directory exists and it is not a directory itself.
 * @throws UsageError naming the option.
 */
export function checkWritableFile(option: string, path: string): void {
  const dir = dirname(path);
  if (!isDirectory(dir)) throw new UsageError(`${option} ${path}: directory ${dir} does not exist`);
  if (isDirectory(path)) throw new UsageError(`${option} ${path}: is a directory, expected a file name`);
}

/**
 * Checks before anything runs that `dir` is a directory, or can be made one:
 * its nearest existing ancestor is a directory we may write.
 * @throws UsageError naming `--out`.
 */
export function checkOutDir(dir: string): void {
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!isDirectory(existing)) {
    throw new UsageError(
      `--out ${dir}: ${existing === resolve(dir) ? 'exists and' : existing} is not a directory`,
    );
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${dir}: cannot write in ${existing}`);
  }
}

/**
 * `mkdir -p` one level at a time. (Node's `mkdirSync(…, { recursive: true })`
 * spins forever on paths it cannot create under /proc.)
 */
export function makeDirs(dir: string): void {
  if (isDirectory(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  try {
    mkdirSync(dir);
  } catch (e) {
    if (!((e as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(dir))) throw e;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Writes `files` (name → content) into `dir`, each atomically; `dir` is made if missing. */
export function writeFilesInto(dir: string, files: Readonly<Record<string, string>>): void {
  makeDirs(dir);
  for (const [name, data] of Object.entries(files)) writeFileAtomic(join(dir, name), data);
}

/** `2025-11-26T18-12-03Z`: ISO 8601 UTC to the second, with `-` for `:` (portable file names). */
export function timestampName(t: Date): string {
  return t
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
}

/**
 * Makes `<root>/<time>-<description>/` holding `files`, whole or not at all,
 * and points `<root>/latest` at it. A name already taken gets `-2`, `-3` ….
 * @returns the directory made.
 */
export function writeResultsDir(
  root: string,
  description: string,
  createdAt: Date,
  files: Readonly<Record<string, string>>,
): string {
  makeDirs(root);
  const base = `${timestampName(createdAt)}-${description}`;
  const tmp = join(root, `.${base}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    writeFilesInto(tmp, files);
    let name = base;
    for (let n = 2; isDirectory(join(root, name)); n++) name = `${base}-${n}`;
    renameSync(tmp, join(root, name));
    pointLatest(root, name);
    return join(root, name);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Replaces `<root>/latest` with a relative symlink to `<root>/<name>`, atomically. */
export function pointLatest(root: string, name: string): void {
  const latest = join(root, 'latest');
  const tmp = tempBeside(latest);
  rmSync(tmp, { force: true });
  symlinkSync(name, tmp, process.platform === 'win32' ? 'junction' : 'dir');
  try {
    renameSync(tmp, latest);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Runs `write` (synchronous) with SIGINT and SIGTERM held back: their default
 * action would kill the process between a temp file and its rename. A signal
 * that arrived meanwhile is delivered once the writes are done.
 */
export async function withSignalsHeld<T>(write: () => T): Promise<T> {
  let pending: NodeJS.Signals | undefined;
  const hold = (sig: NodeJS.Signals) => {
    pending = sig;
  };
  process.on('SIGINT', hold);
  process.on('SIGTERM', hold);
  try {
    return write();
  } finally {
    // Let a signal caught during the writes reach `hold` before the default action is back.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('SIGINT', hold);
    process.off('SIGTERM', hold);
    if (pending) process.kill(process.pid, pending);
  }
}
