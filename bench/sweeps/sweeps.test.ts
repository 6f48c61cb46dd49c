/**
 * The shipped sweeps make the figures that name them: each figure's sweep
 * file exists and thesis.json includes it; each sweep varies the one setting
 * its figure draws (besides strategy, workload and seed) and holds every
 * other at the standard setting of comparison.json, the value it varies
 * included — so the figures, which hold what they do not draw at its most
 * common value (scripts/plots/select.ts), draw these runs from the one
 * thesis document. Planned, not run: nothing here simulates a cycle.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIGURES } from '../../scripts/plots/index.ts';
import { prepareRun, type RunConfig } from '../../src/run/index.ts';
import { REPO_ROOT } from '../cli/paths.ts';
import { currentHarness } from '../cli/run-store.ts';
import { planSweep } from '../cli/sweep.ts';
import { loadSweepFile } from '../cli/sweep-file.ts';

const DIR = join(REPO_ROOT, 'bench/sweeps');
const plan = (name: string) => planSweep(loadSweepFile(join(DIR, name)), currentHarness());

/** What a run is made with besides strategy, workload and seed, as comparable strings. */
function settings(c: RunConfig): Map<string, string> {
  const p = prepareRun(c);
  const out = new Map<string, string>();
  const { profile, strategy, workload, seed, strategyParams, workloadParams, common, ...rest } = c;
  out.set('profile', profile.name);
  for (const [k, v] of Object.entries(common)) out.set(k, JSON.stringify(v));
  for (const [k, v] of Object.entries(p.strategyParams)) out.set(`${strategy}.${k}`, JSON.stringify(v));
  for (const [k, v] of Object.entries(p.workloadParams)) out.set(`${workload}.${k}`, JSON.stringify(v));
  // Whatever else a RunConfig holds (the interval, and fields it gains).
  for (const [k, v] of Object.entries(rest)) out.set(k, JSON.stringify(v));
  return out;
}

/** Every setting's values over the configurations. */
function values(configs: readonly RunConfig[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of configs) {
    for (const [k, v] of settings(c)) {
      if (!out.has(k)) out.set(k, new Set());
      out.get(k)!.add(v);
    }
  }
  return out;
}

/** What each figure's sweep varies: the figure's x axis. */
const VARIES: Record<string, string[]> = {
  'comparison.json': [],
  'memory-size.json': ['pages'],
  'granularity.json': ['managed-dataspace.granularity'],
  'flexpage-order.json': ['dirty-bit-scan.flexpageOrder'],
  'interval.json': ['intervalCycles'],
  'realtime.json': ['intervalCycles'],
};

describe('the shipped sweeps', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('are one per figure and thesis.json, which includes every other', () => {
    const named = [...new Set(FIGURES.map((f) => f.sweep.replace('bench/sweeps/', '')))];
    expect(named.sort()).toEqual(Object.keys(VARIES).sort());
    expect(files.sort()).toEqual([...named, 'thesis.json'].sort());
    const thesis = loadSweepFile(join(DIR, 'thesis.json'));
    const from = new Set(thesis.points.map((p) => p.file.replace(/.*\//, '')));
    expect([...from].sort()).toEqual(named.sort());
  });

  it('each vary the setting their figure draws and hold every other at the standard setting', () => {
    const standard = values(plan('comparison.json').configs);
    for (const [k, v] of standard) expect(v.size, `comparison.json varies ${k}`).toBe(1);
    const seeds = new Set(plan('comparison.json').configs.map((c) => c.seed));
    expect(seeds.size).toBeGreaterThanOrEqual(3); // error bars on the comparison's figures

    for (const [file, varies] of Object.entries(VARIES)) {
      const got = values(plan(file).configs);
      const varied = [...got].filter(([, v]) => v.size > 1).map(([k]) => k);
      expect(varied, file).toEqual(varies);
      for (const [k, v] of got) {
        const std = standard.get(k);
        if (std === undefined) continue; // a parameter of a workload or strategy the comparison lacks
        // The standard value is among those held or varied, so the figures' modes find it.
        expect([...v], `${file}: ${k}`).toContain([...std][0]);
      }
    }
  });

  it('compose into the thesis sweep, whose shared runs run once', () => {
    const parts = Object.keys(VARIES).map((f) => plan(f));
    const thesis = plan('thesis.json');
    const all = new Set(parts.flatMap((p) => p.keys));
    expect(thesis.keys).toEqual([...all]);
    expect(thesis.keys.length).toBeLessThan(parts.reduce((n, p) => n + p.keys.length, 0));
  });
});
