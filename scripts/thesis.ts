/**
 * `npm run thesis [-- OPTIONS]`: every thesis figure from scratch — the
 * thesis sweep (bench/sweeps/thesis.json, which includes the sweep of each
 * figure) into `<results root>/thesis/`, then the figures and report.html
 * into `<results root>/thesis/plots/`, and how long each took.
 *
 * OPTIONS go to the bench (`--jobs N`, `--quiet`, `--out DIR` to write
 * elsewhere). Started again, the sweep skips the runs already written there
 * by the same harness (package version and model source), so an interrupted
 * regeneration resumes and an unchanged one only redraws; remove the
 * directory to recompute everything. Exit code: the bench's when it wrote
 * nothing (2, 130, 143), else the larger of the bench's (1: a run failed
 * verification, drawn all the same) and the plots'.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { REPO_ROOT, resultsRoot, shownPath } from '../bench/cli/paths.ts';

const SWEEP = 'bench/sweeps/thesis.json';

function out(args: readonly string[]): { dir: string; rest: string[] } {
  const rest: string[] = [];
  let dir = join(resultsRoot(), 'thesis');
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--out' && i + 1 < args.length) dir = resolve(args[++i]!);
    else if (a.startsWith('--out=')) dir = resolve(a.slice('--out='.length));
    else rest.push(a);
  }
  return { dir, rest };
}

/** Runs a TypeScript entry point of the repository with tsx, as npm would; returns its exit code. */
function run(script: string, args: readonly string[], stdout: 'inherit' | 'ignore'): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', stdout, 'inherit'],
  });
  if (r.signal) return r.signal === 'SIGINT' ? 130 : 143;
  return r.status ?? 1;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

const { dir, rest } = out(process.argv.slice(2));
const started = performance.now();
// The table of 200-odd runs is summary.md's; the progress and the notes are on stderr.
const bench = run('bench/cli.ts', ['--sweep', SWEEP, '--out', dir, ...rest], 'ignore');
const swept = seconds(started);
if (bench !== 0 && bench !== 1) {
  process.exitCode = bench;
} else {
  const drawing = performance.now();
  const plots = run('scripts/plots.ts', [dir], 'inherit');
  process.stderr.write(
    `thesis: sweep ${swept.toFixed(0)} s, figures ${seconds(drawing).toFixed(0)} s, total ${seconds(started).toFixed(0)} s; ` +
      `results in ${shownPath(dir)}, figures and report.html in ${shownPath(join(dir, 'plots'))}\n`,
  );
  process.exitCode = Math.max(bench, plots);
}
