/**
 * `--seeds`: each configuration repeated over the seeds, every run kept in
 * results.json, a summary per configuration beside them whose confidence
 * interval is checked here against a hand computation, and tables that
 * show mean ± half-width (worst cases as the maximum over seeds).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult, SeedSummary } from '../../src/run/index.ts';
import { parseSeeds } from './plan.ts';
import { runCli, SMALL, tempDir } from './testing.ts';

describe('parseSeeds', () => {
  it('reads ranges and lists, in the order given', () => {
    expect(parseSeeds('1..3')).toEqual([1, 2, 3]);
    expect(parseSeeds('7,2,4..5')).toEqual([7, 2, 4, 5]);
    expect(parseSeeds('-2..0')).toEqual([-2, -1, 0]);
  });

  it('refuses empty items, reversed ranges and a seed given twice', () => {
    expect(() => parseSeeds('1,,2')).toThrow(/an empty item/);
    expect(() => parseSeeds('3..1')).toThrow(/the range 3..1 is empty/);
    expect(() => parseSeeds('1..3,2')).toThrow(/seed 2 is given twice/);
  });
});

describe('--seeds', () => {
  const dir = tempDir();

  it('runs every configuration once per seed and summarizes each with a Student-t interval', async () => {
    const out = join(dir, 'out');
    const r = await runCli(
      [
        '--strategy=oracle,fault-notify',
        '--workload=zipf',
        ...SMALL,
        '--seeds=1..3',
        '--out',
        out,
        '-j1',
        '-q',
      ],
      join(dir, 'results'),
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      runs: RunResult[];
      summaries: { strategy: string; seeds: number[]; metrics: Record<string, SeedSummary | null> }[];
    };
    // Seed by seed, the strategies of one seed together (they share a baseline).
    expect(doc.runs.map((x) => `${x.seed} ${x.strategy}`)).toEqual([
      '1 oracle',
      '1 fault-notify',
      '2 oracle',
      '2 fault-notify',
      '3 oracle',
      '3 fault-notify',
    ]);
    expect(doc.summaries.map((s) => [s.strategy, s.seeds])).toEqual([
      ['oracle', [1, 2, 3]],
      ['fault-notify', [1, 2, 3]],
    ]);

    // By hand: mean, sample standard deviation, t(0.975, 2) = 4.302653 (A&S table 26.10), ± t·s/√3.
    const runs = doc.runs.filter((x) => x.strategy === 'fault-notify');
    const xs = runs.map((x) => x.metrics.overheadPct!);
    expect(new Set(xs).size).toBe(3); // the seeds do differ
    const mean = (xs[0]! + xs[1]! + xs[2]!) / 3;
    const s = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    const half = (4.302653 * s) / Math.sqrt(3);
    const overhead = doc.summaries[1]!.metrics['overheadPct']!;
    expect(overhead.n).toBe(3);
    expect(overhead.mean).toBeCloseTo(mean, 9);
    expect(overhead.sd).toBeCloseTo(s, 9);
    expect(overhead.ciLow!).toBeCloseTo(mean - half, 5);
    expect(overhead.ciHigh!).toBeCloseTo(mean + half, 5);
    // A worst case is the maximum over the seeds.
    const longest = Math.max(...runs.map((x) => x.metrics.stallsByKind['fault']!.maxCycles));
    expect(doc.summaries[1]!.metrics['faultMaxCycles']!.max).toBe(longest);

    // The table: one row per strategy, mean ± half-width to two decimals.
    const table = r.stdout;
    expect(table).toContain('seeds 1..3 (each row: mean ± 95 % CI over its seeds');
    expect(table).toMatch(new RegExp(`^fault-notify +${mean.toFixed(2)} ± ${half.toFixed(2)} `, 'm'));
    expect(table.match(/^fault-notify /gm)).toHaveLength(1);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain('- seeds: 1..3');
    expect(md).toContain(`| fault-notify | ${mean.toFixed(2)} ± ${half.toFixed(2)} |`);
  });
});
