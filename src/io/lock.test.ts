import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/temp.ts';
import { acquireLock, lockPathFor, tryLock } from './index.ts';

const WRITER = fileURLToPath(new URL('../../test/lock-writer.ts', import.meta.url));

/** A pid no process has any more: a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

function runWriter(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', WRITER, ...args], (e) => (e ? reject(e) : resolve()));
  });
}

/** True when every `begin` in the log is followed by the same process's `end`. */
function turnsTaken(log: string): boolean {
  const lines = log.trim().split('\n');
  for (let i = 0; i < lines.length; i += 2) {
    const [pid, what] = lines[i]!.split(' ');
    if (what !== 'begin' || lines[i + 1] !== `${pid} end`) return false;
  }
  return true;
}

describe('locks', () => {
  it('are exclusive within and between processes, and say who holds them', () => {
    const path = lockPathFor(join(tempDir(), 'out'));
    const first = tryLock(path);
    expect('release' in first).toBe(true);
    expect(tryLock(path)).toEqual({ owner: { pid: process.pid, host: hostname() } });
    if ('release' in first) first.release();
    expect(existsSync(path)).toBe(false);
    const again = tryLock(path);
    expect('release' in again).toBe(true);
    if ('release' in again) again.release();
  });

  it("take over a dead owner's lock, but not a live one's", async () => {
    const dir = tempDir();
    const stale = join(dir, '.stale.lock');
    writeFileSync(stale, `${deadPid()} ${hostname()}\n`);
    const got = await acquireLock(stale);
    expect(readFileSync(stale, 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
    got.release();
    const live = join(dir, '.live.lock');
    writeFileSync(live, `${process.ppid} ${hostname()}\n`);
    expect(tryLock(live)).toEqual({ owner: { pid: process.ppid, host: hostname() } });
    const elsewhere = join(dir, '.elsewhere.lock');
    writeFileSync(elsewhere, `${deadPid()} another-host\n`);
    expect('owner' in tryLock(elsewhere)).toBe(true);
  });

  it('make two concurrent writers take turns (and without the lock they interleave)', async () => {
    const dir = tempDir();
    const lock = join(dir, '.target.lock');
    const both = async (log: string, ...mode: string[]) => {
      const barrier = join(dir, `barrier-${log}`);
      mkdirSync(barrier);
      const args = [lock, join(dir, log), '20', barrier, '2', ...mode];
      await Promise.all([runWriter(args), runWriter(args)]);
      return readFileSync(join(dir, log), 'utf8');
    };
    const locked = await both('locked.log');
    expect(locked.trim().split('\n')).toHaveLength(80);
    expect(turnsTaken(locked)).toBe(true);
    expect(existsSync(lock)).toBe(false);
    expect(turnsTaken(await both('unlocked.log', '--no-lock'))).toBe(false);
  });
});
