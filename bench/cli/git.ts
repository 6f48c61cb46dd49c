/**
 * The commit a checkout is at, read from its git directory rather than by
 * starting `git` (which cost a third of the CLI's start-up on a loaded
 * machine). Covers what git writes: `.git` as a directory or as a
 * `gitdir: …` file (a worktree, whose refs live in the `commondir`), HEAD as
 * a ref or a detached commit, refs loose or in `packed-refs`. For anything
 * else it returns undefined, and the caller asks git.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The git directory of the checkout at `root`, or undefined. */
function gitDir(root: string): string | undefined {
  const dotGit = join(root, '.git');
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
  } catch {
    return undefined;
  }
  const link = read(dotGit)?.match(/^gitdir: (.+)$/m)?.[1];
  return link === undefined ? undefined : resolve(root, link.trim());
}

/** The commit of `ref` (e.g. refs/heads/main) in the git directory `dir`, or undefined. */
function resolveRef(dir: string, ref: string): string | undefined {
  const common = resolve(dir, read(join(dir, 'commondir'))?.trim() ?? '.');
  for (const base of [dir, common]) {
    const loose = read(join(base, ref))?.trim();
    if (loose !== undefined) return COMMIT.test(loose) ? loose : undefined;
  }
  for (const line of (read(join(common, 'packed-refs')) ?? '').split('\n')) {
    const [commit, name] = line.split(' ');
    if (name === ref && commit !== undefined && COMMIT.test(commit)) return commit;
  }
  return undefined;
}

/**
 * The commit HEAD of the checkout at `root` names, or undefined when `root`
 * has no `.git` of its own or its git directory holds something this reader
 * does not follow.
 */
export function readHeadCommit(root: string): string | undefined {
  const dir = gitDir(root);
  if (dir === undefined) return undefined;
  const head = read(join(dir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  if (COMMIT.test(head)) return head;
  const ref = head.match(/^ref: (refs\/\S+)$/)?.[1];
  return ref === undefined ? undefined : resolveRef(dir, ref);
}
