import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultsDocument } from './document.ts';
import { runCli, tempDir } from './testing.ts';

const dir = tempDir('dirtybench-export-trace-');
const WORKLOAD = ['--pages=512', '--accesses=20000', '--write-ratio=0.3', '--seed=5', '--compute-cycles=80'];
const RUN = ['--strategy=fault-notify,managed-dataspace', '--interval=200us', '--format=json', '--quiet'];

describe('npm run bench -- export-trace', () => {
  it('writes a trace whose replay gives the generator run figure for figure', async () => {
    const file = join(dir, 'zipf.pgtrace');
    const exported = await runCli(
      ['export-trace', '--workload=zipf', '--set', 'theta=0.9', ...WORKLOAD, '--out', file],
      dir,
    );
    expect(exported.stderr).toMatch(
      /^export-trace: \S+zipf\.pgtrace: 20000 accesses \(\d+ records\) over 512 pages, \d+ written\n$/,
    );
    expect(exported.code).toBe(0);
    const [generated, replayed] = await Promise.all([
      runCli([...RUN, '--workload=zipf', '--set', 'theta=0.9', ...WORKLOAD, '--out', join(dir, 'g')], dir),
      runCli([...RUN, '--trace', file, '--compute-cycles=80', '--out', join(dir, 't')], dir),
    ]);
    expect([generated.code, replayed.code]).toEqual([0, 0]);
    const g = (JSON.parse(generated.stdout) as ResultsDocument).runs;
    const t = (JSON.parse(replayed.stdout) as ResultsDocument).runs;
    expect(t.map((r) => r.workload)).toEqual(['trace', 'trace']);
    expect(g).toHaveLength(2);
    for (let i = 0; i < g.length; i++) {
      expect(t[i]!.metrics).toEqual(g[i]!.metrics);
      expect([t[i]!.pages, t[i]!.accesses, t[i]!.checkpoints]).toEqual([512, 20000, g[i]!.checkpoints]);
      expect(g[i]!.metrics.faults).toBeGreaterThan(0);
    }
  });

  it('refuses run options and a missing --out with exit 2, writing nothing', async () => {
    const file = join(dir, 'refused.pgtrace');
    const withStrategy = await runCli(
      ['export-trace', '--workload=uniform', '--strategy=oracle', '--out', file],
      dir,
    );
    expect(withStrategy.code).toBe(2);
    expect(withStrategy.stderr).toMatch(/strategy/);
    const noOut = await runCli(['export-trace', '--workload=uniform'], dir);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/needs --out FILE/);
    const badParam = await runCli(
      ['export-trace', '--workload=zipf', '--set', 'theta=0', '--out', file],
      dir,
    );
    expect(badParam.code).toBe(2);
    expect(existsSync(file)).toBe(false);
  });
});
