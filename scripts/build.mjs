/**
 * Compiles the harness (src/ and bench/) to JavaScript in dist/, so that
 * `npm run bench` and its worker threads start without compiling TypeScript:
 * `tsc -p tsconfig.build.json`, plus the JSON files modules read beside them
 * (the cost profiles); then each entry point (the CLI, its worker thread,
 * bench:host) is bundled in place into one file with what it imports
 * (scripts/bundle.mjs), so starting reads one module, not ~160. `npm ci`
 * runs it as the package's `prepare`;
 * bench/start.mjs runs it again before starting whenever a source is newer
 * than the build (or was added or removed since), so an edited source never
 * runs stale. Tests and the other scripts run the TypeScript itself (vitest,
 * tsx) and do not need dist/.
 *
 * The build goes to a fresh directory that replaces dist/ by renames, so a
 * process starting meanwhile finds the old build or the new one, never half
 * of one; of two builds racing, the second to finish keeps the first's.
 *
 * Usage: node scripts/build.mjs           build now
 *        node scripts/build.mjs --stale   build only when dist/ is out of date
 */

import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
/** What the build read and when: dist/build.json. */
const STAMP = 'build.json';
/** Directories compiled, and the files outside them a build depends on. */
const SOURCE_DIRS = ['src', 'bench'];
const CONFIG_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The files a build of the tree at `root` reads: TypeScript sources (not tests) and JSON under the source directories, and the configs. */
export function sourceFiles(root = ROOT) {
  const files = [...CONFIG_FILES];
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const name = entry.name;
      if ((name.endsWith('.ts') && !name.endsWith('.test.ts')) || name.endsWith('.json')) {
        files.push(relative(root, join(entry.parentPath ?? entry.path, name)));
      }
    }
  }
  return files.sort();
}

/** What a build records in dist/build.json: when it started reading, and which files. */
export function stampFor(startedMs, files) {
  return `${JSON.stringify({ startedMs, files }, null, 1)}\n`;
}

/**
 * Why the build in `root`/dist is out of date (one phrase), or null when it
 * is current: none there, a file added or removed since, or one modified
 * after the build started reading.
 */
export function staleReason(root = ROOT) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'dist', STAMP), 'utf8'));
  } catch {
    return 'dist/ has no complete build';
  }
  const files = sourceFiles(root);
  if (files.join('\n') !== stamp.files.join('\n')) return 'source files were added or removed';
  for (const f of files) if (statSync(join(root, f)).mtimeMs > stamp.startedMs) return `${f} changed`;
  return null;
}

/** The TypeScript compiler's command (the package's `bin`; its exports do not list it). */
function tscPath() {
  const pkg = createRequire(import.meta.url).resolve('typescript/package.json');
  return join(dirname(pkg), JSON.parse(readFileSync(pkg, 'utf8')).bin.tsc);
}

/** Compiles into a fresh directory and puts it in place of dist/. Throws with tsc's output when it fails. */
export function build() {
  const startedMs = Date.now();
  const files = sourceFiles();
  // Unique across the hosts of a shared file system (array jobs on a cluster).
  const id = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(ROOT, `.dist-build-${id}`);
  const old = join(ROOT, `.dist-old-${id}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    const tsc = tscPath();
    // Loaded here, not at the top: every start of the CLI imports this module, and few build.
    const { spawnSync } = createRequire(import.meta.url)('node:child_process');
    const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', tmp], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`tsc failed:\n${r.stdout}${r.stderr}`);
    // Each entry point in one file (scripts/bundle.mjs), in a process of its own: esbuild's plugins are asynchronous.
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs'), tmp], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (b.status !== 0) throw new Error(`bundling failed:\n${b.stdout}${b.stderr}`);
    for (const f of files) {
      if (f.endsWith('.json') && SOURCE_DIRS.some((d) => f.startsWith(`${d}/`)))
        cpSync(join(ROOT, f), join(tmp, f));
    }
    writeFileSync(join(tmp, STAMP), stampFor(startedMs, files));
    if (existsSync(DIST)) renameSync(DIST, old);
    try {
      renameSync(tmp, DIST);
    } catch (e) {
      // Another build put its dist/ in place meanwhile: keep that one.
      if (!existsSync(DIST)) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

/** Builds when dist/ is out of date, saying why on stderr. */
export function buildIfStale() {
  const reason = staleReason();
  if (reason === null) return;
  process.stderr.write(`dirtybench: compiling to dist/ (${reason})\n`);
  build();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    if (process.argv.includes('--stale')) buildIfStale();
    else build();
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
