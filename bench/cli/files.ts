/**
 * Where the result files go, checked before anything runs, and how they are
 * written so that none is lost, half written or mixed with another
 * invocation's (issue 12; the mechanisms are in src/io):
 *
 * - every target (the results root or `--out`, and each `--export-*`) is
 *   checked first: no empty path, the right kind of thing, a directory a
 *   file can be created in (probed), no two options writing one file;
 * - the writer takes an exclusive lock on each target (sorted, so two
 *   writers cannot deadlock), sweeps what a killed writer left, stages
 *   every file (the set of three in a fresh directory, each export under a
 *   temporary name), and only then switches them all in: the set with one
 *   rename, each export with one rename;
 * - SIGINT and SIGTERM are held once the locks are taken (src/io/signals.ts);
 * - when a write fails anyway, the caller keeps the files in a recovery
 *   directory ({@link keepForRecovery}).
 */
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  AtomicFile,
  acquireLock,
  foreignEntries,
  holdSignals,
  type Lock,
  lockPathFor,
  StagedDirectory,
  sweepStaleTemps,
  symlinkAtomic,
  writeFileAtomic,
} from '../../src/io/index.ts';
import { UsageError } from './errors.ts';

/** The files of a result set, in the order they are written. */
export const SET_FILES = ['results.json', 'results.csv', 'summary.md'] as const;
export type SetFile = (typeof SET_FILES)[number];
export type ResultFiles = Record<SetFile, string>;

/**
 * What a sweep keeps in its result directory besides the three files
 * (./run-store.ts): the manifest and the finished runs. A set replaces them
 * with its own, or drops them.
 */
export const SWEEP_MANIFEST = 'sweep.json';
export const SWEEP_RUNS = 'runs';

/** The figures `npm run plots` draws into a result directory by default (scripts/plots.ts). */
export const PLOTS_DIR = 'plots';

/**
 * The names a result directory may hold: what an earlier --out wrote, and the
 * figures drawn from it, replaced whole (figures of the old set would be stale).
 */
const SET_NAMES: ReadonlySet<string> = new Set([...SET_FILES, SWEEP_MANIFEST, SWEEP_RUNS, PLOTS_DIR]);

/**
 * What a sweep's set carries besides the three files: files written beside
 * them, and directories whose files are hard-linked in (copied where links
 * cannot be made) from where they are now, which stay where they are.
 */
export interface SetExtras {
  files: Readonly<Record<string, string>>;
  dirs: Readonly<Record<string, { from: string; files: readonly string[] }>>;
}

/** An `--export-*` target: the option, the file, and which file of the set goes there. */
export interface ExportTarget {
  option: string;
  path: string;
  file: SetFile;
}

/** Every place a command writes, resolved and checked. */
export interface OutputTargets {
  /** `--out DIR`, absolute; undefined: a new directory under {@link root}. */
  out: string | undefined;
  /** The results root (used when there is no `--out`). */
  root: string;
  exports: ExportTarget[];
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  return statOf(path)?.isDirectory() ?? false;
}

/** The nearest ancestor of `path` (itself included) that exists. */
function nearestExisting(path: string): string {
  let p = path;
  while (statOf(p) === undefined && dirname(p) !== p) p = dirname(p);
  return p;
}

/** Creates and removes a temporary in `dir`: the write will be able to create its own. */
function probe(what: string, dir: string): void {
  try {
    AtomicFile.open(join(dir, 'probe')).abandon();
  } catch (e) {
    throw new UsageError(`${what}: cannot create a file in ${dir} (${(e as NodeJS.ErrnoException).code})`);
  }
}

/** A directory to be made (with its parents) or used: its nearest existing ancestor must be a writable directory. */
function checkDirectoryTarget(what: string, dir: string): void {
  const existing = nearestExisting(dir);
  if (existing === dir && !isDirectory(dir)) throw new UsageError(`${what}: exists and is not a directory`);
  if (!isDirectory(existing)) throw new UsageError(`${what}: ${existing} is not a directory`);
  // The set is staged beside the directory, so its parent (or nearest ancestor) is what must take files.
  probe(what, existing === dir ? dirname(dir) : existing);
}

/**
 * Resolves and checks every output target before anything runs.
 * @param given the path options as given: `out` and each export by option name (undefined: not given).
 * @throws UsageError naming the option and what is wrong.
 */
export function checkOutputTargets(
  given: {
    out: string | undefined;
    exports: readonly { option: string; path: string | undefined; file: SetFile }[];
  },
  root: string,
): OutputTargets {
  const written = new Map<string, string>(); // file → option that writes it
  const claim = (path: string, option: string) => {
    const other = written.get(path);
    if (other !== undefined) {
      throw new UsageError(`${other} and ${option} both write ${path}; give each its own file`);
    }
    written.set(path, option);
  };

  let out: string | undefined;
  if (given.out !== undefined) {
    if (given.out === '') throw new UsageError('--out is empty; expected a directory');
    out = resolve(given.out);
    checkDirectoryTarget(`--out ${given.out}`, out);
    const foreign = isDirectory(out) ? foreignEntries(out, SET_NAMES) : [];
    if (foreign.length > 0) {
      throw new UsageError(
        `--out ${given.out}: holds ${foreign.join(', ')}, which is no result file; give a new or empty directory, or one an earlier --out wrote`,
      );
    }
    for (const f of SET_FILES) claim(join(out, f), '--out');
  } else {
    checkDirectoryTarget(`results root ${root}`, root);
  }

  const exports: ExportTarget[] = [];
  for (const e of given.exports) {
    if (e.path === undefined) continue;
    if (e.path === '') throw new UsageError(`${e.option} is empty; expected a file`);
    claim(resolve(e.path), e.option);
    exports.push({ option: e.option, path: checkFileTarget(e.option, e.path), file: e.file });
  }
  return { out, root, exports };
}

/**
 * Checks one file a command will write (`--export-json`, export-trace's
 * `--out`): not empty, not a directory, in an existing directory that takes
 * new files.
 * @returns the path, absolute.
 * @throws UsageError naming the option and what is wrong.
 */
export function checkFileTarget(option: string, given: string): string {
  if (given === '') throw new UsageError(`${option} is empty; expected a file`);
  const path = resolve(given);
  const dir = dirname(path);
  if (!isDirectory(dir)) throw new UsageError(`${option} ${given}: directory ${dir} does not exist`);
  if (isDirectory(path)) throw new UsageError(`${option} ${given}: is a directory, expected a file name`);
  probe(`${option} ${given}`, dir);
  return path;
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

/** `2025-11-26T18-12-03Z`: ISO 8601 UTC to the second, with `-` for `:` (portable file names). */
export function timestampName(t: Date): string {
  return t
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll(':', '-');
}

/** Replaces `<root>/latest` with a relative symlink to `<root>/<name>`, atomically. */
export function pointLatest(root: string, name: string): void {
  symlinkAtomic(join(root, 'latest'), name);
}

/** The lock guarding each target: the results root's own `.lock`, else `.<name>.lock` beside the target. */
function lockPaths(t: OutputTargets): string[] {
  const paths = [t.out !== undefined ? lockPathFor(t.out) : join(t.root, '.lock')];
  for (const e of t.exports) paths.push(lockPathFor(e.path));
  return [...new Set(paths)].sort();
}

/**
 * Writes the set (into `--out`, or `<root>/<name>/` with `-2`, `-3` … when
 * taken, and `<root>/latest` pointed at it) and the exports, all or nothing
 * as far as the file system allows: everything is staged before anything is
 * switched in. Holds SIGINT and SIGTERM once it holds every lock.
 * @param onWait told when another writer holds a target.
 * @param extras what a sweep's set carries besides the three files (only into `--out`).
 * @returns where the files went.
 * @throws the file system's error; nothing staged is left behind then.
 */
export async function writeResults(
  t: OutputTargets,
  files: ResultFiles,
  name: string,
  onWait: (line: string) => void,
  extras?: SetExtras,
): Promise<string[]> {
  makeDirs(t.out !== undefined ? dirname(t.out) : t.root);
  const locks: Lock[] = [];
  const staged: { abandon(): void }[] = [];
  try {
    for (const path of lockPaths(t)) {
      locks.push(
        await acquireLock(path, {
          onWait: (owner) =>
            onWait(
              `waiting for ${owner ? `process ${owner.pid}` : 'another writer'} to finish writing (${path})`,
            ),
        }),
      );
    }
    // Held from here to the end of the process. A signal while waiting for a lock still stops the
    // command at once: the locks it held are then a dead process's, which the next writer takes over.
    holdSignals();
    if (t.out !== undefined) sweepStaleTemps(dirname(t.out), basename(t.out));
    else sweepStaleTemps(t.root);
    for (const e of t.exports) sweepStaleTemps(dirname(e.path), basename(e.path));

    const set = await StagedDirectory.create(t.out ?? join(t.root, name), files);
    staged.push(set);
    if (extras) addExtras(set.temp, extras);
    const exports = t.exports.map((e) => {
      const f = AtomicFile.open(e.path);
      staged.push(f);
      f.write(files[e.file]);
      return f;
    });

    const where: string[] = [];
    if (t.out !== undefined) {
      set.commitReplacing(t.out, SET_NAMES);
      where.push(t.out);
    } else {
      let unique = name;
      for (let n = 2; statOf(join(t.root, unique)) !== undefined; n++) unique = `${name}-${n}`;
      set.commitNew(join(t.root, unique));
      pointLatest(t.root, unique);
      where.push(join(t.root, unique));
    }
    staged.splice(0, 1);
    for (const [i, f] of exports.entries()) {
      f.commit();
      staged.splice(staged.indexOf(f), 1);
      where.push(t.exports[i]!.path);
    }
    return where;
  } finally {
    for (const s of staged) s.abandon();
    for (const l of locks) l.release();
  }
}

/** Writes the extra files into a staged set and links the extra directories' files in. */
function addExtras(dir: string, extras: SetExtras): void {
  for (const [name, text] of Object.entries(extras.files)) writeFileAtomic(join(dir, name), text);
  for (const [name, d] of Object.entries(extras.dirs)) {
    mkdirSync(join(dir, name));
    for (const f of d.files) {
      try {
        linkSync(join(d.from, f), join(dir, name, f));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw e;
        copyFileSync(join(d.from, f), join(dir, name, f));
      }
    }
  }
}

/**
 * Keeps the files after a failed write in a fresh directory under the
 * system's temporary directory: results.json first (it holds every run),
 * then the others as far as they go.
 * @returns the path of the kept results.json, or undefined when even that failed.
 */
export function keepForRecovery(files: ResultFiles): string | undefined {
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'dirtybench-unsaved-'));
  } catch {
    return undefined;
  }
  try {
    writeFileAtomic(join(dir, 'results.json'), files['results.json']);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  for (const f of SET_FILES.slice(1)) {
    try {
      writeFileAtomic(join(dir, f), files[f]);
    } catch {}
  }
  return join(dir, 'results.json');
}
