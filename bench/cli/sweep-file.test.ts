/**
 * The sweep file format: keys, axes, order, composition, and every bad key
 * or value named (in-process: loading plans nothing and runs nothing).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerStrategy } from '../../src/strategies/index.ts';
import { stubStrategy } from '../../src/strategies/testing.ts';
import { UsageError } from './errors.ts';
import { OPTIONS, type OptionDecl, sweepOptions } from './options.ts';
import { currentHarness } from './run-store.ts';
import { planSweep } from './sweep.ts';
import { describePoint, loadSweepFile } from './sweep-file.ts';
import { tempDir } from './testing.ts';

function sweepFile(dir: string, name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function points(content: unknown): string[] {
  return loadSweepFile(sweepFile(tempDir(), 's.json', content)).points.map(describePoint);
}

function loadError(content: unknown): string {
  try {
    loadSweepFile(sweepFile(tempDir(), 'bad.json', content));
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('loaded');
}

describe('a sweep file', () => {
  it('expands to the cross product of its lists, the first key outermost, values in every point', () => {
    expect(
      points({
        description: 'x',
        workload: ['zipf', 'sequential'],
        pages: 4096,
        granularity: [1, 16, 256],
        strategy: 'managed-dataspace',
      }),
    ).toEqual([
      'workload=zipf, pages=4096, granularity=1, strategy=managed-dataspace',
      'workload=zipf, pages=4096, granularity=16, strategy=managed-dataspace',
      'workload=zipf, pages=4096, granularity=256, strategy=managed-dataspace',
      'workload=sequential, pages=4096, granularity=1, strategy=managed-dataspace',
      'workload=sequential, pages=4096, granularity=16, strategy=managed-dataspace',
      'workload=sequential, pages=4096, granularity=256, strategy=managed-dataspace',
    ]);
  });

  it('with no settings is one point: the default comparison', () => {
    expect(points({})).toEqual(['']);
  });

  it('takes every run option of the table but how and where to run as a key, and every declared parameter', () => {
    const keys = sweepOptions().map(([name]) => name);
    // The table decides: every option of the comparison outside Output, but those marked axis: false.
    const expected = Object.entries(OPTIONS as Record<string, OptionDecl>)
      .filter(([, d]) => d.commands.includes('run') && d.group !== 'Output:' && d.axis !== false)
      .map(([n]) => n);
    expect(keys).toEqual(expect.arrayContaining(expected));
    expect(keys).toEqual(
      expect.arrayContaining(['strategy', 'workload', 'profile', 'interval', 'seed', 'pages', 'write-ratio']),
    );
    for (const notAKey of ['jobs', 'sweep', 'shard', 'set', 'out', 'format', 'quiet', 'export-json'])
      expect(keys).not.toContain(notAKey);
    // Each is accepted in a file (a word for each, a choice one of its words; flags would take booleans).
    const one = Object.fromEntries(
      sweepOptions().map(([n, d]) => [
        n,
        d.kind === 'flag' ? true : d.kind === 'choice' ? d.choices![0] : '1',
      ]),
    );
    expect(points(one)).toHaveLength(1);
    expect(points({ theta: [0.5, 0.99], flexpageOrder: 3, scatter: false })).toEqual([
      'theta=0.5, flexpageOrder=3, scatter=false',
      'theta=0.99, flexpageOrder=3, scatter=false',
    ]);
  });

  it('takes the parameter of a strategy registered later as a key, with no change to the format', () => {
    const knobbed = {
      ...stubStrategy({ name: 'sweep-file-test-knob' }),
      params: { knob: { type: 'integer', default: 1, min: 1, max: 64, doc: 'a knob' } },
    };
    registerStrategy(knobbed as never);
    const dir = tempDir();
    const file = loadSweepFile(
      sweepFile(dir, 'knob.json', {
        strategy: 'sweep-file-test-knob',
        workload: 'uniform',
        pages: 64,
        accesses: 100,
        knob: [2, 8],
      }),
    );
    const plan = planSweep(file, currentHarness());
    expect(plan.configs.map((c) => c.strategyParams)).toEqual([{ knob: 2 }, { knob: 8 }]);
  });

  it('names an unknown key, and says where the near misses belong', () => {
    expect(loadError({ strategy: 'oracle', frobnicate: 1 })).toMatch(
      /^sweep .*bad\.json: unknown key 'frobnicate' \(accepted: description, include; run options strategy, .*; parameters granularity, /,
    );
    expect(loadError({ writeRatio: 0.3 })).toMatch(
      /unknown key 'writeRatio': write it as the option is typed, 'write-ratio'/,
    );
    expect(loadError({ jobs: 2 })).toMatch(
      /'jobs' says how or where to run, not which runs: give --jobs on the command line/,
    );
    expect(loadError({ out: 'x' })).toMatch(/'out' says how or where to run/);
    expect(loadError({ set: ['granularity=4'] })).toMatch(
      /unknown key 'set': write each parameter as a key of its own/,
    );
  });

  it('names a bad value with its key', () => {
    expect(loadError({ pages: [] })).toMatch(/key 'pages' is an empty list/);
    expect(loadError({ pages: [1024, 1024] })).toMatch(/key 'pages' lists 1024 twice/);
    expect(loadError({ pages: { a: 1 } })).toMatch(/key 'pages': \{"a":1\} is not a value/);
    expect(loadError({ pages: [[1, 2]] })).toMatch(/key 'pages': \[1,2\] is not a value/);
    expect(loadError({ strategy: true })).toMatch(/key 'strategy': true is not a word or a number/);
    expect(loadError({ description: 3 })).toMatch(/key 'description' must be a string/);
    expect(loadError('{"pages": 4096,')).toMatch(/bad\.json: not valid JSON/);
    expect(loadError('[1, 2]')).toMatch(/expected a JSON object of settings, got a list/);
  });

  it('reports a value the plan refuses with the point it belongs to', () => {
    const dir = tempDir();
    const file = loadSweepFile(
      sweepFile(dir, 'p.json', { strategy: 'oracle', workload: 'uniform', pages: [64, 'lots'] }),
    );
    expect(() => planSweep(file, currentHarness())).toThrow(
      /^sweep .*p\.json \(strategy=oracle, workload=uniform, pages=lots\): --pages: 'lots' is not a number/,
    );
    const params = loadSweepFile(
      sweepFile(dir, 'q.json', { strategy: 'fault-notify', workload: 'uniform', granularity: 4 }),
    );
    expect(() => planSweep(params, currentHarness())).toThrow(
      /\(strategy=fault-notify, workload=uniform, granularity=4\): --set granularity: no selected strategy or workload declares 'granularity'/,
    );
  });
});

describe('composition', () => {
  it('runs the included files in order, paths relative to the including file', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    sweepFile(join(dir, 'sub'), 'a.json', { workload: 'zipf', seed: [1, 2] });
    sweepFile(join(dir, 'sub'), 'b.json', { include: 'c.json' });
    sweepFile(join(dir, 'sub'), 'c.json', { workload: 'periodic' });
    const top = sweepFile(dir, 'top.json', { description: 'both', include: ['sub/a.json', 'sub/b.json'] });
    const file = loadSweepFile(top);
    expect(file.description).toBe('both');
    expect(file.points.map((p) => `${p.file.replace(/.*\//, '')}: ${describePoint(p)}`)).toEqual([
      'a.json: workload=zipf, seed=1',
      'a.json: workload=zipf, seed=2',
      'c.json: workload=periodic',
    ]);
  });

  it('runs a configuration two files share once, where it first appears', () => {
    const dir = tempDir();
    const base = { strategy: 'oracle', pages: 64, accesses: 100 };
    sweepFile(dir, 'a.json', { ...base, workload: ['zipf', 'uniform'] });
    // `scatter: true` is zipf's default: the same run as a's first.
    sweepFile(dir, 'b.json', { ...base, workload: 'zipf', scatter: [true, false] });
    const plan = planSweep(
      loadSweepFile(sweepFile(dir, 'top.json', { include: ['a.json', 'b.json'] })),
      currentHarness(),
    );
    expect(plan.configs.map((c) => `${c.workload} ${JSON.stringify(c.workloadParams)}`)).toEqual([
      'zipf {}',
      'uniform {}',
      'zipf {"scatter":false}',
    ]);
    expect(plan.notes).toContain(
      '1 run appears more than once in the sweep: each runs once, where it first appears',
    );
  });

  it('refuses a file that includes itself, naming the chain, and one that includes and sets', () => {
    const dir = tempDir();
    sweepFile(dir, 'a.json', { include: 'b.json' });
    sweepFile(dir, 'b.json', { include: ['a.json'] });
    expect(() => loadSweepFile(join(dir, 'a.json'))).toThrow(
      /a\.json includes itself: .*a\.json → .*b\.json → .*a\.json/,
    );
    expect(loadError({ include: 'x.json', pages: 64 })).toMatch(
      /a file with 'include' sets nothing else \(found 'pages'\)/,
    );
    expect(loadError({ include: [] })).toMatch(/key 'include' must be a file name or a non-empty list/);
    expect(() => loadSweepFile(sweepFile(dir, 'c.json', { include: 'missing.json' }))).toThrow(
      /sweep .*missing\.json: cannot read it \(ENOENT\)/,
    );
  });
});
