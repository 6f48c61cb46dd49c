/**
 * SIGINT or SIGTERM while the results are being written (issue 12.4): the
 * write finishes, the files are whole, and `npm run bench` exits 130 or 143.
 * Tested through `npm run bench` itself (npm, its shell and the command
 * underneath), with the write paused at a chosen moment by the test hook of
 * src/io/hooks.ts: the signal arrives while a set is half written.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAUSE_WRITE_ENV } from '../../src/io/index.ts';
import { REPO_ROOT, RESULTS_DIR_ENV } from './paths.ts';
import { SMALL, tempDir } from './testing.ts';

async function until(path: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`${path} did not appear`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `npm run bench -- <args> --out <dir>/out` in its own process group,
 * sends `signal` (to the whole group, as a terminal's Ctrl-C does, or to npm
 * alone, as a job scheduler does) while the write is paused, then lets the
 * write go on. Resolves with npm's exit code and stderr.
 */
function interruptedBench(
  dir: string,
  signal: NodeJS.Signals,
  to: 'group' | 'npm',
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const pause = join(dir, 'pause');
  mkdirSync(pause);
  const child = spawn(
    'npm',
    [
      'run',
      '--silent',
      'bench',
      '--',
      '--strategy=oracle',
      '--workload=uniform',
      ...SMALL,
      '-j1',
      '--out',
      join(dir, 'out'),
    ],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, [PAUSE_WRITE_ENV]: pause, [RESULTS_DIR_ENV]: join(dir, 'results') },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('close', (code, sig) => resolve({ code, signal: sig, stderr })),
  );
  return (async () => {
    await until(join(pause, 'paused'));
    process.kill(to === 'group' ? -child.pid! : child.pid!, signal);
    // Time for a wrapper to kill the command, if one would (tsx's gives it 60 ms).
    await new Promise((resolve) => setTimeout(resolve, 500));
    writeFileSync(join(pause, 'resume'), '');
    return exited;
  })();
}

function expectWholeSet(out: string): void {
  expect(readdirSync(out).sort()).toEqual(['results.csv', 'results.json', 'summary.md']);
  expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).runs).toHaveLength(1);
  expect(readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(2);
  expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\| oracle \|/);
}

describe.concurrent('a signal during the write', () => {
  it('SIGINT to the process group (Ctrl-C): the write finishes, exit 130', async () => {
    const dir = tempDir();
    const r = await interruptedBench(dir, 'SIGINT', 'group');
    expect(r.stderr).toMatch(/interrupted \(SIGINT\) while writing: the results were written first/);
    expect(r.code, r.stderr).toBe(130);
    expectWholeSet(join(dir, 'out'));
    expect(readdirSync(dir).sort()).toEqual(['out', 'pause']);
  });

  it('SIGTERM to npm: the write finishes, exit 143', async () => {
    const dir = tempDir();
    const r = await interruptedBench(dir, 'SIGTERM', 'npm');
    expect(r.code, r.stderr).toBe(143);
    expectWholeSet(join(dir, 'out'));
    expect(readdirSync(dir).sort()).toEqual(['out', 'pause']);
  });
});
