/**
 * `npm run native:build`: compiles the native replayer and the calibration
 * microbenchmarks with the system's C compiler (`$CC`, else `cc`, else `gcc`)
 * into `build/native/` (git-ignored). A program is rebuilt when a source is
 * newer than it; it is written under a temporary name and renamed, so two
 * builds at once (parallel test files) never leave half a binary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the sources are (this directory). */
export const NATIVE_SOURCE_DIR = fileURLToPath(new URL('.', import.meta.url));
/** Where the programs go. */
export const NATIVE_BUILD_DIR = fileURLToPath(new URL('../../build/native/', import.meta.url));

const SHARED = ['native.c', 'tracker.c', 'native.h'];
const PROGRAMS = { replay: ['replay.c', ...SHARED], calibrate: ['calibrate.c', ...SHARED] } as const;
export type NativeProgram = keyof typeof PROGRAMS;

const FLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra', '-pthread'];

/** No C compiler, or a build that failed: the message is one line. */
export class NativeBuildError extends Error {
  override name = 'NativeBuildError';
}

/** The C compiler to use, or null when there is none. */
export function findCompiler(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env['CC'] ? [env['CC']] : ['cc', 'gcc'];
  for (const cc of candidates) {
    try {
      execFileSync(cc, ['--version'], { stdio: 'ignore' });
      return cc;
    } catch {
      // try the next
    }
  }
  return null;
}

function newestSource(sources: readonly string[]): number {
  return Math.max(...sources.map((s) => statSync(join(NATIVE_SOURCE_DIR, s)).mtimeMs));
}

/**
 * Builds `program` if it is missing or older than its sources; returns its path.
 * @throws NativeBuildError when there is no compiler or the compile fails.
 */
export function buildNative(program: NativeProgram): string {
  const out = join(NATIVE_BUILD_DIR, program);
  const sources = PROGRAMS[program];
  if (existsSync(out) && statSync(out).mtimeMs >= newestSource(sources)) return out;
  const cc = findCompiler();
  if (cc === null) throw new NativeBuildError('no C compiler (set $CC, or install gcc: apt-get install gcc)');
  mkdirSync(NATIVE_BUILD_DIR, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const units = sources.filter((s) => s.endsWith('.c')).map((s) => join(NATIVE_SOURCE_DIR, s));
  try {
    execFileSync(cc, [...FLAGS, '-o', tmp, ...units], { stdio: ['ignore', 'pipe', 'pipe'] });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? (e as Error).message;
    throw new NativeBuildError(
      `${cc} failed to build ${program}: ${stderr.split('\n').slice(0, 5).join(' | ')}`,
    );
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    for (const program of Object.keys(PROGRAMS) as NativeProgram[]) {
      process.stdout.write(`${buildNative(program)}\n`);
    }
  } catch (e) {
    if (!(e instanceof NativeBuildError)) throw e;
    process.stderr.write(`native:build: ${e.message}\n`);
    process.exitCode = 2;
  }
}
