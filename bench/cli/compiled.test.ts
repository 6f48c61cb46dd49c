/**
 * `npm run bench` runs the compiled harness (bench/start.mjs → dist/, built
 * by scripts/build.mjs): the same runs as the TypeScript, also spread over
 * worker threads that start from compiled JavaScript and share baselines.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, RESULTS_DIR_ENV } from './paths.ts';
import { type CliOutcome, runCli, SMALL, tempDir } from './testing.ts';

function start(args: readonly string[], resultsDir: string): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'bench/start.mjs'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, [RESULTS_DIR_ENV]: resultsDir } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const runsOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).runs;

describe('the compiled harness', () => {
  it('gives the TypeScript’s runs, with two worker threads sharing baselines', async () => {
    const dir = tempDir();
    const args = ['--strategy=oracle,full-copy,fault-notify', '--workload=uniform,zipf', ...SMALL, '--quiet'];
    const compiled = await start(['cli', ...args, '-j2', '--out', join(dir, 'compiled')], dir);
    expect(compiled.code, compiled.stderr).toBe(0);
    const typescript = await runCli([...args, '-j1', '--out', join(dir, 'ts')], dir);
    expect(typescript.code, typescript.stderr).toBe(0);
    expect(runsOf(join(dir, 'compiled'))).toEqual(runsOf(join(dir, 'ts')));
  });

  it('refuses an entry point it does not know, exit 2', async () => {
    const r = await start(['nothing'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('bench/start.mjs: start what? one of cli, host\n');
  });
});
