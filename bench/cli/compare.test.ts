/**
 * `compare BASE NEW` on two result sets that differ in one parameter
 * (managed-dataspace's granularity): the parameter is named and left out of
 * the match, each strategy is compared with itself across it, the changes
 * are the runs' own figures subtracted, configurations on one side only are
 * listed, and `--fail-on` exits 1 exactly when a figure worsens past its limit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { differenceInterval, type RunResult, summarizeSeeds } from '../../src/run/index.ts';
import { parseCommandLine } from './commands.ts';
import type { Comparison } from './compare.ts';
import { runCli, SMALL, sink, tempDir } from './testing.ts';

const dir = tempDir();
const base = join(dir, 'base');
const next = join(dir, 'new');

/** The runs of a result set, by strategy. */
function runsOf(set: string, strategy: string): RunResult[] {
  const doc = JSON.parse(readFileSync(join(set, 'results.json'), 'utf8')) as { runs: RunResult[] };
  return doc.runs.filter((r) => r.strategy === strategy);
}

/** Runs `compare` in this process; returns the exit code and what it printed. */
async function compare(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const parsed = parseCommandLine(['compare', ...args], 'test');
  if (parsed.kind !== 'command') throw new Error(parsed.text);
  const [stdout, stderr] = [sink(), sink()];
  const code = await parsed.command.handle(parsed.call, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

beforeAll(async () => {
  const common = ['--workload=zipf', ...SMALL, '--seeds=1..2', '-j1', '-q', '--format=csv'];
  const [a, b] = await Promise.all([
    runCli(['--strategy=managed-dataspace,oracle', '--set=granularity=1', ...common, '--out', base], dir),
    runCli(
      ['--strategy=managed-dataspace,fault-notify', '--set=granularity=16', ...common, '--out', next],
      dir,
    ),
  ]);
  expect(a.code, a.stderr).toBe(0);
  expect(b.code, b.stderr).toBe(0);
}, 120_000);

describe('compare', () => {
  it('matches each strategy with itself across the one parameter the sets differ in', async () => {
    const r = await compare([base, next, '--format=json']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as Comparison;
    // fault-notify, only in new, brings its rearm parameter (at its default): a setting only one side has.
    expect(c.differences).toEqual([
      { setting: 'strategy.granularity', base: 1, new: 16 },
      { setting: 'strategy.rearm', new: 'pages' },
    ]);
    // The strategies' own copy-via defaults differ (attach for the region-map trackers, issue 11), so the label names it.
    expect(c.matched.map((m) => m.label)).toEqual([
      'managed-dataspace × zipf on fiasco-oc-x86_64, copyVia=attach',
    ]);
    expect(c.onlyInBase).toEqual(['oracle × zipf on fiasco-oc-x86_64, copyVia=mapped']);
    expect(c.onlyInNew).toEqual(['fault-notify × zipf on fiasco-oc-x86_64, copyVia=mapped']);

    // The figures are the runs' own, subtracted: means over seeds, Welch's interval.
    const [b, n] = [runsOf(base, 'managed-dataspace'), runsOf(next, 'managed-dataspace')];
    const faults = c.matched[0]!.figures.find((f) => f.figure === 'faults')!;
    const sb = summarizeSeeds(b.map((x) => x.metrics.faults));
    const sn = summarizeSeeds(n.map((x) => x.metrics.faults));
    expect([faults.base, faults.new, faults.change]).toEqual([sb.mean, sn.mean, sn.mean - sb.mean]);
    expect(faults.changePct).toBeCloseTo(((sn.mean - sb.mean) / sb.mean) * 100, 9);
    const ci = differenceInterval(sb, sn)!;
    expect([faults.ciLow, faults.ciHigh]).toEqual([ci.low, ci.high]);
    expect(faults.change!).toBeLessThan(0); // 16-page dataspaces: one fault covers 16 pages
    expect(faults.worsened).toBe(false);
    // A worst case compares the maximum over seeds, without an interval.
    const max = c.matched[0]!.figures.find((f) => f.figure === 'faultMaxCycles')!;
    const longest = (rs: RunResult[]) =>
      Math.max(...rs.map((x) => x.metrics.stallsByKind['fault']!.maxCycles));
    expect([max.base, max.new, max.ciLow]).toEqual([longest(b), longest(n), null]);
  });

  it('prints the table with the difference named, and lists what only one side has', async () => {
    const r = await compare([base, join(next, 'results.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'The sets differ in: strategy.granularity 1 → 16; strategy.rearm (absent) → pages (left out of the match).',
    );
    expect(r.stdout).toMatch(
      /^managed-dataspace × zipf on fiasco-oc-x86_64, copyVia=attach \(base: 2 seeds, new: 2 seeds\)$/m,
    );
    expect(r.stdout).toMatch(
      /^faults +\d+(\.\d+)? +\d+(\.\d+)? +-\d+(\.\d+)? +-\d+(\.\d+)? % +\[-[\d.]+, -[\d.]+\] +better$/m,
    );
    expect(r.stdout).toMatch(/^Only in base \(1\)\n- oracle × zipf on fiasco-oc-x86_64, copyVia=mapped$/m);
    expect(r.stdout).toMatch(
      /^Only in new \(1\)\n- fault-notify × zipf on fiasco-oc-x86_64, copyVia=mapped$/m,
    );
  });

  it('exits 1 when a figure worsens past --fail-on, naming it; 0 when within', async () => {
    // From 16-page to 1-page dataspaces: more faults, so something worsens.
    const c = JSON.parse((await compare([next, base, '--format=json'])).stdout) as Comparison;
    const worse = c.matched[0]!.figures.find((f) => f.worsened && f.changePct !== null && f.changePct > 0)!;
    expect(worse).toBeDefined();
    const pct = worse.changePct!;
    const past = await compare([next, base, '--fail-on', `${worse.figure}>${Math.floor(pct / 2)}`]);
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(
      new RegExp(
        `^dirtybench: compare: ${worse.figure} of managed-dataspace × zipf on fiasco-oc-x86_64, copyVia=attach changed by \\+`,
      ),
    );
    const within = await compare([next, base, '--fail-on', `${worse.figure}>${Math.ceil(pct) + 1}`]);
    expect([within.code, within.stderr]).toEqual([0, '']);
    // An improvement never fails, however large.
    const better = await compare([next, base, '--fail-on', 'precision>0']);
    expect(better.code).toBe(0);
  });

  it('refuses bad input with exit 2: a missing set, a malformed or unknown --fail-on, a file that is not results', async () => {
    const notResults = join(dir, 'other.json');
    writeFileSync(notResults, '{"schema":"something/else"}');
    const cases: [string[], RegExp][] = [
      [[base, join(dir, 'absent')], /NEW .*absent: no such file or directory/],
      [[base, next, '--fail-on', 'faults'], /expected METRIC>PCT/],
      [[base, next, '--fail-on', 'speed>5'], /unknown figure 'speed' \(known: overheadPct, /],
      [[notResults, next], /BASE .*other\.json: not a results document/],
    ];
    for (const [args, message] of cases) await expect(compare(args)).rejects.toThrow(message);
    const cli = await runCli(['compare', base, join(dir, 'absent')], dir);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^dirtybench: NEW .*absent: no such file or directory[^\n]*\n$/);
  });
});
