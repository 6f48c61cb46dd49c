/**
 * Helpers for the CLI's end-to-end tests: run `bench/cli.ts` as a user would,
 * in a child process, and temporary directories that are cleaned up.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { REPO_ROOT, RESULTS_DIR_ENV } from './paths.ts';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Small sizes that keep a run well under a second. */
export const SMALL = ['--pages=256', '--accesses=4000'];

/**
 * Runs `node --import tsx bench/cli.ts ...args` from the repository root with
 * `$DIRTYBENCH_RESULTS_DIR` set to `resultsDir` (so a test never writes into
 * the repository's results/).
 */
export function runCli(args: readonly string[], resultsDir: string): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'bench/cli.ts'), ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, [RESULTS_DIR_ENV]: resultsDir, FORCE_COLOR: '0' },
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

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = 'dirtybench-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
