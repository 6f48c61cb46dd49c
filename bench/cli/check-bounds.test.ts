/**
 * `check-bounds` (issue 13) on scenarios taken from bench/bounds.json as
 * shipped: a ceiling lowered below its figure fails with exit 1 naming it, a
 * fault cost multiplied in a test profile breaches the shipped fault-stall
 * ceilings, a malformed file exits 2 naming the scenario and field, and
 * `--update` round-trips. And the periodic scenarios: the response-time
 * bound holds at every phase they try, and comes within 20 % of the worst
 * response observed for at least one strategy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { strategies as registered } from '../../src/strategies/index.ts';
import {
  DEFAULT_BOUNDS_FILE,
  loadBoundsFile,
  REALTIME_WORKLOADS,
  renderBoundsFile,
  type Scenario,
} from './bounds-file.ts';
import { planScenarios, runScenarios, scenarioRows } from './check-bounds.ts';
import { runCli, tempDir } from './testing.ts';

const dir = tempDir();
const shipped = loadBoundsFile(DEFAULT_BOUNDS_FILE);

/** The shipped scenario named `name`. */
function scenario(name: string): Scenario {
  const s = shipped.scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`bench/bounds.json has no scenario '${name}'`);
  return s;
}

/** A bounds file of the shipped margin and the given scenarios, written to a fresh path. */
function write(name: string, scenarios: Scenario[], text?: string): string {
  const path = join(dir, name);
  writeFileSync(path, text ?? renderBoundsFile({ ...shipped, scenarios }));
  return path;
}

const FAST = [
  'fault-notify × zipf on fiasco-oc-x86_64',
  'kernel-log × periodic on fiasco-oc-x86_64, 4 phases',
];

describe('check-bounds', () => {
  it('passes the shipped ceilings, and fails a lowered one with exit 1, naming the scenario and figure', async () => {
    const scenarios = FAST.map(scenario);
    const ok = await runCli(['check-bounds', '--bounds', write('ok.json', scenarios), '-q'], dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^scenario +metric +ceiling +observed +slack %/);
    expect(ok.stdout).toMatch(
      /kernel-log × periodic on fiasco-oc-x86_64, 4 phases +analytic realtime\.wcrtBoundCycles/,
    );

    const [a, b] = scenarios;
    const pause = a!.ceilings['pauseMaxCycles']!;
    const lowered = { ...a!, ceilings: { ...a!.ceilings, pauseMaxCycles: { ...pause, max: 1000 } } };
    const r = await runCli(['check-bounds', '--bounds', write('lowered.json', [lowered, b!]), '-q'], dir);
    expect(r.code).toBe(1);
    const breaches = r.stderr.split('\n').filter((l) => l.startsWith('check-bounds: BREACH'));
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatch(
      /^check-bounds: BREACH fault-notify × zipf on fiasco-oc-x86_64: pauseMaxCycles \d+ exceeds its ceiling 1000 \(/,
    );
    expect(r.stdout).toMatch(
      /fault-notify × zipf on fiasco-oc-x86_64 +pauseMaxCycles +1000 +\d+ +-\d+\.\d +BREACH/,
    );
  });

  it('fails the shipped fault-stall ceilings when a test profile multiplies the fault trap by 50, its analytic bounds still holding', async () => {
    // The profile the scenarios name, with the page-fault exception 50 times as costly.
    const profile = JSON.parse(
      readFileSync(new URL('../../src/platform/profiles/fiasco-oc-x86_64.json', import.meta.url), 'utf8'),
    );
    profile.name = 'fiasco-oc-x86_64-slow-trap';
    profile.kernel.pageFaultTrap.value *= 50;
    profile.kernel.pageFaultTrap.source = 'assumed: 50 times the shipped figure (a test of check-bounds)';
    const slow = join(dir, 'slow-trap.json');
    writeFileSync(slow, JSON.stringify(profile));
    const names = ['fault-notify × zipf on fiasco-oc-x86_64', 'kernel-log × zipf on fiasco-oc-x86_64'];
    const scenarios = names.map((n) => {
      const s = scenario(n);
      return { ...s, run: { ...s.run, profile: slow } };
    });
    const r = await runCli(['check-bounds', '--bounds', write('slow.json', scenarios), '-q'], dir);
    expect(r.code).toBe(1);
    for (const n of names)
      expect(r.stderr).toMatch(new RegExp(`BREACH ${n}: faultMaxCycles \\d+ exceeds its ceiling`));
    // The analytic bounds follow the profile: only the ceilings of bench/bounds.json catch it.
    expect(r.stderr).not.toMatch(/exceeds the analytic/);
  });

  it('exits 2 on a malformed bounds file, naming the scenario and the field, and runs nothing', async () => {
    const good = scenario(FAST[0]!);
    const cases: [string, string, RegExp][] = [
      ['not-json.json', '{', /bounds .*not-json\.json: not valid JSON/],
      [
        'schema.json',
        JSON.stringify({ schema: 'x', margin: shipped.margin, scenarios: [good] }),
        /schema: expected "dirtybench\/bounds@1", got "x"/,
      ],
      [
        'max.json',
        renderBoundsFile({
          ...shipped,
          scenarios: [{ ...good, ceilings: { ...good.ceilings, faultMaxCycles: { max: -1, reason: 'r' } } }],
        }),
        /scenario 'fault-notify × zipf on fiasco-oc-x86_64'\.ceilings\.faultMaxCycles\.max: expected a number >= 0, got -1/,
      ],
      [
        'reason.json',
        JSON.stringify({
          schema: 'dirtybench/bounds@1',
          margin: shipped.margin,
          scenarios: [{ ...good, ceilings: { ...good.ceilings, pauseMaxCycles: { max: 5 } } }],
        }),
        /ceilings\.pauseMaxCycles\.reason: expected a one-line reason/,
      ],
      [
        'figure.json',
        JSON.stringify({
          schema: 'dirtybench/bounds@1',
          margin: shipped.margin,
          scenarios: [{ ...good, ceilings: { ...good.ceilings, faultMax: { max: 5, reason: 'r' } } }],
        }),
        /ceilings\.faultMax: unknown figure \(known: overheadPct, /,
      ],
      [
        'missing.json',
        JSON.stringify({
          schema: 'dirtybench/bounds@1',
          margin: shipped.margin,
          scenarios: [{ ...good, ceilings: { faultMaxCycles: good.ceilings['faultMaxCycles'] } }],
        }),
        /scenario 'fault-notify × zipf on fiasco-oc-x86_64'\.ceilings: missing 'faultP99Cycles', 'pauseMaxCycles'/,
      ],
      [
        'run.json',
        renderBoundsFile({ ...shipped, scenarios: [{ ...good, run: { ...good.run, granularity: 'x' } }] }),
        /scenario 'fault-notify × zipf on fiasco-oc-x86_64': run/,
      ],
      [
        'option.json',
        renderBoundsFile({ ...shipped, scenarios: [{ ...good, run: { ...good.run, pagez: 5 } }] }),
        /scenario 'fault-notify × zipf on fiasco-oc-x86_64': run: unknown key 'pagez'/,
      ],
    ];
    for (const [name, text, message] of cases)
      expect(() => loadOrPlan(write(name, [], text))).toThrow(message);
    // The command: exit 2, one line, no table.
    const r = await runCli(['check-bounds', '--bounds', join(dir, 'max.json')], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ceilings\.faultMaxCycles\.max: expected a number >= 0, got -1/);
    const missingFile = await runCli(['check-bounds', '--bounds', join(dir, 'absent.json')], dir);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toMatch(/absent\.json: cannot read it \(ENOENT\)/);
  });

  it('--update rewrites the ceilings to the observed figures plus the margin, prints what moved, and round-trips', async () => {
    const scenarios = FAST.map(scenario);
    const original = renderBoundsFile({ ...shipped, scenarios });
    const [a, b] = scenarios;
    const lowered = {
      ...a!,
      ceilings: { ...a!.ceilings, faultMaxCycles: { ...a!.ceilings['faultMaxCycles']!, max: 10 } },
    };
    const path = write('update.json', [lowered, b!]);
    const before = await runCli(['check-bounds', '--bounds', path, '-q'], dir);
    expect(before.code).toBe(1);

    const updated = await runCli(['check-bounds', '--bounds', path, '--update', '-q'], dir);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stderr).toMatch(/1 ceiling moved to the observed figure \+ 2 % in /);
    expect(updated.stderr).toMatch(
      /fault-notify × zipf on fiasco-oc-x86_64: faultMaxCycles 10 → \d+ \(\+\d+\.\d %\)/,
    );
    // Back where the shipped file has it: the shipped ceilings are what --update writes.
    expect(readFileSync(path, 'utf8')).toBe(original);

    const after = await runCli(['check-bounds', '--bounds', path, '-q'], dir);
    expect(after.code, after.stderr).toBe(0);
    const again = await runCli(['check-bounds', '--bounds', path, '--update'], dir);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/nothing moved/);
    expect(readFileSync(path, 'utf8')).toBe(original);
  });
});

/** Loads a bounds file and plans its scenarios' runs: what check-bounds does before it runs any. */
function loadOrPlan(path: string): void {
  planScenarios(loadBoundsFile(path));
}

describe('the periodic scenarios of bench/bounds.json', () => {
  const periodic = shipped.scenarios.filter((s) => REALTIME_WORKLOADS.includes(String(s.run['workload'])));

  it('cover every strategy, each at several phases of the checkpoint timer', () => {
    const strategies = new Set(periodic.map((s) => s.run['strategy']));
    expect([...strategies].sort()).toEqual(registered.map((s) => s.name).sort());
    for (const s of periodic) expect((s.run['phase'] as unknown[]).length).toBeGreaterThanOrEqual(4);
  });

  it('keep every job within the analytic response time at every phase, within 20 % of it for some strategy', async () => {
    const { planned, results } = await runScenarios({ ...shipped, scenarios: periodic }, 1);
    const slack: Record<string, number> = {};
    planned.forEach((p, i) => {
      const runs = results[i]!;
      expect(runs.length).toBe((p.scenario.run['phase'] as unknown[]).length);
      for (const r of runs) {
        expect(r.failures).toEqual([]);
        expect(r.metrics.realtime!.wcrtCycles).toBeLessThanOrEqual(r.metrics.realtime!.wcrtBoundCycles);
      }
      const row = scenarioRows(p.scenario, runs).find(
        (x) => x.metric === 'analytic realtime.wcrtBoundCycles',
      )!;
      slack[String(p.scenario.run['strategy'])] = row.slackPct!;
    });
    expect(Math.min(...Object.values(slack))).toBeLessThan(20);
  }, 120_000);
});
