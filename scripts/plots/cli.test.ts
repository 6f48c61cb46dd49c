/**
 * `npm run plots` as a user runs it: the files it writes, the notes for
 * figures it cannot draw, and bad input (exit 2, one line, nothing written).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, RESULTS_DIR_ENV } from '../../bench/cli/paths.ts';
import { type CliOutcome, tempDir } from '../../bench/cli/testing.ts';
import { CHARTS, deleteField, FIXTURE, fixtureJson, objectAt } from './testing.ts';

function runPlots(args: readonly string[], env: Record<string, string> = {}): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts/plots.ts'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, FORCE_COLOR: '0', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? error.code : 0;
        if (typeof code !== 'number') return reject(error);
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm run plots', () => {
  const dir = tempDir('dirtybench-plots-cli-');

  it('writes spec, SVG and PNG of every figure and report.html', async () => {
    const out = join(dir, 'all');
    const r = await runPlots([FIXTURE, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`9 charts of 8 figures and report.html in ${out}`);
    const expected = [...CHARTS.flatMap((c) => [`${c}.vl.json`, `${c}.svg`, `${c}.png`]), 'report.html'];
    expect(readdirSync(out).sort()).toEqual(expected.sort());
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('from results/latest by default, into its plots/; figures without data are skipped naming their sweep', async () => {
    // Only the comparison: the common interval and size, default parameters.
    const doc = fixtureJson();
    doc.runs = doc.runs.filter((r) => {
      const p = objectAt(r, 'params.strategy');
      return (
        r['intervalCycles'] === 340_000 &&
        r['pages'] === 256 &&
        (p['granularity'] ?? 1) === 1 &&
        (p['flexpageOrder'] ?? 9) === 9
      );
    });
    const root = join(dir, 'results');
    mkdirSync(join(root, 'run1'), { recursive: true });
    writeFileSync(join(root, 'run1', 'results.json'), JSON.stringify(doc));
    symlinkSync('run1', join(root, 'latest'));
    const r = await runPlots([], { [RESULTS_DIR_ENV]: root });
    expect(r.code).toBe(0);
    const notes = r.stdout.split('\n').filter((l) => l.startsWith('note: '));
    expect(notes).toEqual([
      'note: memory: skipped, needs runs of the strategies at two or more memory sizes (pages; metrics.memory); bench/sweeps/memory-size.json makes them',
      'note: granularity: skipped, needs runs of managed-dataspace at two or more granularities (params.strategy.granularity); bench/sweeps/granularity.json makes them',
      'note: flexpage-order: skipped, needs runs of dirty-bit-scan at two or more flexpage orders (params.strategy.flexpageOrder); bench/sweeps/flexpage-order.json makes them',
      'note: interval: skipped, needs runs of the strategies at two or more checkpoint intervals (intervalCycles); bench/sweeps/interval.json makes them',
      'note: realtime: skipped, needs runs of the periodic workload at two or more checkpoint intervals (metrics.realtime); bench/sweeps/realtime.json makes them',
    ]);
    const files = readdirSync(join(root, 'run1', 'plots'));
    expect(files.filter((f) => f.endsWith('.png')).sort()).toEqual(
      ['overhead', 'overhead-breakdown', 'worst-case', 'stall-cdf'].map((c) => `${c}.png`).sort(),
    );
    expect(readFileSync(join(root, 'run1', 'plots', 'report.html'), 'utf8')).toContain(
      'bench/sweeps/interval.json makes them',
    );
  });

  it('refuses a results file missing a field with one line naming it, and writes nothing', async () => {
    const doc = fixtureJson();
    deleteField(doc.runs[5]!, 'metrics.overheadPct');
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'results.json'), JSON.stringify(doc));
    const r = await runPlots([bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `dirtybench plots: ${join(bad, 'results.json')}: runs[5].metrics.overheadPct is missing (figure overhead needs it)\n`,
    );
    expect(existsSync(join(bad, 'plots'))).toBe(false);
    expect(readdirSync(bad)).toEqual(['results.json']);
  });

  it('refuses an unknown option with exit 2', async () => {
    const r = await runPlots(['--colour', FIXTURE]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("Unknown option '--colour'");
  });
});
