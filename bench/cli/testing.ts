/**
 * Helpers for the CLI's end-to-end tests: run `bench/cli.ts` as a user would,
 * in a child process, and temporary directories that are cleaned up.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from './main.ts';
import { REPO_ROOT, RESULTS_DIR_ENV } from './paths.ts';

export { tempDir } from '../../test/temp.ts';

/** A stream that keeps what is written to it (an `Io` stream for in-process tests). */
export function sink(): { text: string; isTTY: boolean; write(chunk: string): boolean } {
  const s = {
    text: '',
    isTTY: false,
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s;
}

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Small sizes that keep a run well under a second. */
export const SMALL = ['--pages=256', '--accesses=4000'];

/** tsx's loader by absolute URL, so a child can run from any working directory. */
const TSX = import.meta.resolve('tsx');

/**
 * Runs `node --import tsx bench/cli.ts ...args` with `$DIRTYBENCH_RESULTS_DIR`
 * set to `resultsDir` (so a test never writes into the repository's
 * results/), from the repository root unless `opts.cwd` says otherwise, with
 * `opts.env` added to the environment.
 */
export function runCli(
  args: readonly string[],
  resultsDir: string,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', TSX, join(REPO_ROOT, 'bench/cli.ts'), ...args],
      {
        cwd: opts.cwd ?? REPO_ROOT,
        env: { ...process.env, [RESULTS_DIR_ENV]: resultsDir, FORCE_COLOR: '0', ...opts.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? error.code : 0;
        if (typeof code !== 'number') return reject(error);
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * `npm run bench -- ...args` in this process (`main`, as bench/cli.ts calls
 * it), with `$DIRTYBENCH_RESULTS_DIR` set to `resultsDir`: for tests that run
 * the command many times, where a process each would cost seconds.
 */
export async function runInProcess(args: readonly string[], resultsDir: string): Promise<CliOutcome> {
  const out = { stdout: '', stderr: '' };
  const stream = (k: keyof typeof out) => ({
    isTTY: false,
    write(chunk: string) {
      out[k] += chunk;
      return true;
    },
  });
  const code = await main(args, {
    stdout: stream('stdout'),
    stderr: stream('stderr'),
    env: { ...process.env, [RESULTS_DIR_ENV]: resultsDir },
  });
  return { code, ...out };
}

/** The `runs` of a result directory's results.json exactly as written: its bytes from `"runs": ` to the end. */
export function runsText(dir: string): string {
  const text = readFileSync(join(dir, 'results.json'), 'utf8');
  return text.slice(text.indexOf('\n  "runs": '));
}
