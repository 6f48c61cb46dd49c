/**
 * Reading HEAD's commit from the git directory gives what `git rev-parse
 * HEAD` gives: on a branch, with its ref packed, detached, and from a
 * worktree. Skips with one line when git is absent (Debian: `git`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHeadCommit } from './git.ts';
import { tempDir } from './testing.ts';

const hasGit = spawnSync('git', ['--version']).status === 0;
if (!hasGit) console.log('skipped: git is not installed (Debian package git)');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();
}

describe.skipIf(!hasGit)('readHeadCommit', () => {
  it('gives git rev-parse HEAD on a branch, packed, detached and in a worktree', () => {
    const repo = join(tempDir(), 'repo');
    git(tempDir(), 'init', '-q', '-b', 'main', repo);
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'one');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'two');
    expect(readHeadCommit(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    git(repo, 'pack-refs', '--all');
    expect(readHeadCommit(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    git(repo, 'checkout', '-q', '--detach', 'HEAD~1');
    expect(readHeadCommit(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    const worktree = join(tempDir(), 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'side', worktree, 'main');
    git(worktree, 'commit', '-q', '--allow-empty', '-m', 'three');
    expect(readHeadCommit(worktree)).toBe(git(worktree, 'rev-parse', 'HEAD'));
    expect(readHeadCommit(worktree)).not.toBe(readHeadCommit(repo));
  });

  it('leaves a directory without .git of its own to git', () => {
    expect(readHeadCommit(tempDir())).toBeUndefined();
  });
});
